import type { HandshakeRequest } from './handshake-request.ts';
import { awsId } from './ids.ts';

/**
 * The Lambda proxy events API Gateway sends for WebSocket routes, field for field:
 * requestContext on every event; headers and query string on $connect only (plus the stub
 * header set AWS puts on $disconnect); body + isBase64Encoded on messages;
 * disconnectStatusCode/disconnectReason on $disconnect. messageId is null on CONNECT, a string
 * on MESSAGE and absent on DISCONNECT. identity.userAgent is there only when the client sent a
 * User-Agent (AWS's documented events without one have sourceIp alone); the authorizer's identity
 * has sourceIp alone. test/fixtures/gateway/aws-documented-events.json holds AWS's examples these
 * are held against.
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
  /** '' when the client sent no User-Agent */
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
export function authorizerEvent(api: ApiIdentity, client: ClientInfo, request: HandshakeRequest, requestId: string, now: number, methodArn: string) {
  const event: Record<string, unknown> = { type: 'REQUEST', methodArn, headers: request.headers, multiValueHeaders: request.multiValueHeaders };
  if (request.query) {
    event.queryStringParameters = request.query.single;
    event.multiValueQueryStringParameters = request.query.multi;
  }
  event.stageVariables = {};
  event.requestContext = {
    ...baseContext(api, client, '$connect', 'CONNECT', now, requestId),
    identity: { sourceIp: client.sourceIp },
  };
  return event;
}

export function connectEvent(api: ApiIdentity, client: ClientInfo, request: HandshakeRequest, requestId: string, now: number) {
  const event: Record<string, unknown> = { headers: request.headers, multiValueHeaders: request.multiValueHeaders };
  if (request.query) {
    event.queryStringParameters = request.query.single;
    event.multiValueQueryStringParameters = request.query.multi;
  }
  event.requestContext = {
    ...baseContext(api, client, '$connect', 'CONNECT', now, requestId),
    messageId: null,
    identity: identityOf(client),
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
  messageId = awsId(),
) {
  return {
    requestContext: {
      ...baseContext(api, client, routeKey, 'MESSAGE', now, requestId),
      messageId,
      identity: identityOf(client),
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
      identity: identityOf(client),
      requestId: base.requestId,
      domainName: base.domainName,
      connectionId: base.connectionId,
      apiId: base.apiId,
      ...(base.authorizer ? { authorizer: base.authorizer } : {}),
    },
    isBase64Encoded: false,
  };
}

/** The caller as route events name it: its address, and its User-Agent when it sent one. */
function identityOf(client: ClientInfo): { sourceIp: string; userAgent?: string } {
  return client.userAgent === '' ? { sourceIp: client.sourceIp } : { sourceIp: client.sourceIp, userAgent: client.userAgent };
}
