import type { IncomingMessage } from 'node:http';
import { awsId, traceId } from './ids.ts';

/**
 * The Lambda proxy events API Gateway sends for WebSocket routes, field for field:
 * requestContext on every event; headers and query string on $connect only (plus the stub
 * header set AWS puts on $disconnect); body + isBase64Encoded on messages;
 * disconnectStatusCode/disconnectReason on $disconnect. messageId is null on CONNECT, a string
 * on MESSAGE and absent on DISCONNECT.
 */

export interface ApiIdentity {
  /** API Gateway's identity for the stage: where events say they came from. */
  apiId: string;
  stage: string;
  /** "127.0.0.1:PORT" (AWS: "{apiId}.execute-api.{region}.amazonaws.com"). */
  domainName: string;
}

export interface ClientInfo {
  connectionId: string;
  connectedAt: number;
  sourceIp: string;
  userAgent: string;
  /**
   * What the $connect authorizer answered for this connection (principalId, integrationLatency and
   * its context, values as strings): requestContext.authorizer on every event of the connection.
   */
  authorizer?: Record<string, unknown>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "21/Nov/2026:06:12:53 +0000", the CLF time API Gateway writes in requestTime. */
export function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => (n < 10 ? `0${n}` : String(n));
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function baseContext(api: ApiIdentity, client: ClientInfo, routeKey: string, eventType: string, now: number, requestId: string) {
  return {
    routeKey,
    eventType,
    extendedRequestId: requestId,
    requestTime: requestTime(now),
    messageDirection: 'IN' as const,
    stage: api.stage,
    connectedAt: client.connectedAt,
    requestTimeEpoch: now,
    requestId,
    domainName: api.domainName,
    connectionId: client.connectionId,
    apiId: api.apiId,
    ...(client.authorizer ? { authorizer: client.authorizer } : {}),
  };
}

/**
 * The event of a WebSocket REQUEST authorizer on $connect: the handshake's headers and query
 * string as $connect gets them, `type`, `methodArn`, `stageVariables`, and a CONNECT request
 * context whose identity has the source IP only (AWS's documented example).
 */
export function authorizerEvent(api: ApiIdentity, client: ClientInfo, req: IncomingMessage, requestId: string, now: number, methodArn: string) {
  const { headers, multiValueHeaders } = eventHeaders(req, client, api.domainName, now);
  const event: Record<string, unknown> = { type: 'REQUEST', methodArn, headers, multiValueHeaders };
  const query = queryParameters(req.url ?? '/');
  if (query) {
    event.queryStringParameters = query.single;
    event.multiValueQueryStringParameters = query.multi;
  }
  event.stageVariables = {};
  event.requestContext = {
    ...baseContext(api, client, '$connect', 'CONNECT', now, requestId),
    identity: { sourceIp: client.sourceIp },
  };
  return event;
}

export function connectEvent(api: ApiIdentity, client: ClientInfo, req: IncomingMessage, requestId: string, now: number) {
  const { headers, multiValueHeaders } = eventHeaders(req, client, api.domainName, now);
  const event: Record<string, unknown> = { headers, multiValueHeaders };
  const query = queryParameters(req.url ?? '/');
  if (query) {
    event.queryStringParameters = query.single;
    event.multiValueQueryStringParameters = query.multi;
  }
  event.requestContext = {
    ...baseContext(api, client, '$connect', 'CONNECT', now, requestId),
    messageId: null,
    identity: { sourceIp: client.sourceIp, userAgent: client.userAgent },
  };
  event.isBase64Encoded = false;
  return event;
}

export function messageEvent(
  api: ApiIdentity,
  client: ClientInfo,
  routeKey: string,
  data: Buffer,
  isBinary: boolean,
  requestId: string,
  now: number,
) {
  return {
    requestContext: {
      ...baseContext(api, client, routeKey, 'MESSAGE', now, requestId),
      messageId: awsId(),
      identity: { sourceIp: client.sourceIp },
    },
    body: isBinary ? data.toString('base64') : data.toString('utf8'),
    isBase64Encoded: isBinary,
  };
}

export function disconnectEvent(api: ApiIdentity, client: ClientInfo, statusCode: number, reason: string, requestId: string, now: number) {
  // AWS sends this fixed header set on $disconnect (not the client's headers: the socket is gone).
  const headers = { Host: api.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
  const multiValueHeaders = { Host: [api.domainName], 'x-api-key': [''], 'X-Forwarded-For': [''], 'x-restapi': [''] };
  const base = baseContext(api, client, '$disconnect', 'DISCONNECT', now, requestId);
  return {
    headers,
    multiValueHeaders,
    requestContext: {
      routeKey: base.routeKey,
      disconnectStatusCode: statusCode,
      eventType: base.eventType,
      extendedRequestId: base.extendedRequestId,
      requestTime: base.requestTime,
      messageDirection: base.messageDirection,
      disconnectReason: reason,
      stage: base.stage,
      connectedAt: base.connectedAt,
      requestTimeEpoch: base.requestTimeEpoch,
      identity: { sourceIp: client.sourceIp, userAgent: client.userAgent },
      requestId: base.requestId,
      domainName: base.domainName,
      connectionId: base.connectionId,
      apiId: base.apiId,
      ...(base.authorizer ? { authorizer: base.authorizer } : {}),
    },
    isBase64Encoded: false,
  };
}

/** Client headers with their original casing, plus the X-Forwarded-* / trace headers AWS adds. */
function eventHeaders(req: IncomingMessage, client: ClientInfo, domainName: string, now: number) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const add = (name: string, value: string) => {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  };
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) add(raw[i]!, raw[i + 1]!);
  if (!('Host' in headers) && !('host' in headers)) add('Host', domainName);
  add('X-Amzn-Trace-Id', traceId(now));
  add('X-Forwarded-For', client.sourceIp);
  add('X-Forwarded-Port', String(req.socket.localPort ?? ''));
  add('X-Forwarded-Proto', 'http');
  return { headers, multiValueHeaders };
}

function queryParameters(url: string) {
  const q = url.indexOf('?');
  if (q < 0 || q === url.length - 1) return undefined;
  const params = new URLSearchParams(url.slice(q + 1));
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of params) {
    single[key] = value;
    (multi[key] ??= []).push(value);
  }
  return Object.keys(single).length > 0 ? { single, multi } : undefined;
}
