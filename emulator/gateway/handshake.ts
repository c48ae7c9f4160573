import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { Connection } from './connection.ts';
import { authorize } from './authorizer.ts';
import { connectThroughAws } from './aws-integration-connection.ts';
import type { GatewayContext } from './context.ts';
import { dispatchDisconnect, NO_CLOSE_FRAME, onSocketClosed } from './disconnect.ts';
import { connectEvent } from './events.ts';
import { handshakeRequest } from './handshake-request.ts';
import { awsId } from './ids.ts';
import type { IntegrationOutcome } from './integration.ts';
import { GATEWAY_ERRORS, integrationFailure, integrationFacts } from './access-log.ts';
import type { IntegrationFacts } from './access-log-format.ts';
import { onClientMessage } from './messages.ts';
import { routeBucket } from './rate-limit.ts';

/**
 * The WebSocket handshake. AWS runs $connect while the upgrade request waits: the socket is
 * upgraded only after the function answers 2xx. Meanwhile the connection id exists but is not
 * ready (@connections answers 410 for it).
 *
 * Status codes: no $connect route or 2xx -> 101; another status from the function -> that
 * status; the function threw or timed out -> 502; Lambda throttled the invoke -> 500 (API
 * Gateway never passes Lambda's 429 through a proxy integration: it is an integration failure);
 * the 29 s integration timeout -> 504; over the $connect route's throttle (the stage's unless it
 * has its own) or the new-connection quota -> 429. With a $connect
 * authorizer it runs first (authorizer.ts): 401 / 403 / 500 when it refuses or fails, and only a
 * connection it allows reaches $connect (and counts in ConnectCount). A $connect whose integration
 * is `AWS` (a queue, a topic, a bus) is called here the same way: aws-integration-connection.ts.
 */

type GatewayError = { message: string; responseType: string };
type Decision = { accept: true; protocol?: string } | { accept: false; status: number; body: string; error?: GatewayError };

const WS_KEY = /^[+/0-9A-Za-z]{22}==$/;

export async function onUpgrade(ctx: GatewayContext, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on('error', ignore);
  const path = pathOf(req.url ?? '/');
  if (ctx.noWebSocketApi || (path !== `/${ctx.api.stage}` && path !== `/${ctx.api.stage}/`)) {
    return reject(socket, 404, '{"message":"Not Found"}');
  }
  if (ctx.closing || !ctx.integration.attached) {
    return reject(socket, 503, '{"message":"Service Unavailable"}');
  }
  if (!isWebSocketUpgrade(req)) {
    return reject(socket, 400, '{"message":"Bad Request"}');
  }
  // $connect is a route: its own throttle or the stage's, then the account's new-connection quota.
  if (!routeBucket(ctx, '$connect').tryTake() || !ctx.newConnections.tryTake()) {
    ctx.metrics.count('ClientError');
    reject(socket, 429, '{"message":"Too Many Requests"}');
    // refused before a connection existed: the line still names an id, as the event would have
    if (ctx.accessLog.enabled) {
      const now = Date.now();
      const client = { connectionId: awsId(), connectedAt: now, sourceIp: sourceIpOf(req), userAgent: headerValue(req.headers['user-agent']) };
      ctx.accessLog.write({ eventType: 'CONNECT', requestId: awsId(), client, routeKey: '$connect', requestTimeEpoch: now, status: 429, error: GATEWAY_ERRORS.throttled });
    }
    return;
  }

  const now = Date.now();
  const requestId = awsId();
  const conn = new Connection(awsId(), now, sourceIpOf(req), headerValue(req.headers['user-agent']));
  ctx.registry.add(conn);
  const request = handshakeRequest(req, conn.sourceIp, ctx.api.domainName, now);

  let clientGone = false;
  const onGone = () => (clientGone = true);
  socket.once('close', onGone);

  let decision: Decision = { accept: true };
  if (ctx.authorizer) {
    const auth = await authorize(ctx, ctx.authorizer, conn, request, now);
    if (auth.allow) conn.authorizer = auth.authorizer;
    else decision = { accept: false, status: auth.status, body: auth.body, error: authorizerError(auth.status, auth.body) };
  }
  const route = ctx.routes.get('$connect');
  const aws = ctx.awsIntegration?.has('$connect') ? ctx.awsIntegration : undefined;
  if (decision.accept) ctx.metrics.count('ConnectCount', route?.routeKey ?? (aws ? '$connect' : undefined));
  let integration: IntegrationFacts | undefined;
  if (aws && decision.accept) {
    const answered = await connectThroughAws(ctx, aws, conn, request, requestId, now);
    integration = answered.integration;
    decision = answered.accept ? { accept: true } : answered;
  } else if (route && decision.accept) {
    const start = performance.now();
    const outcome = await ctx.integration.invoke(route.functionName, connectEvent(ctx.api, conn, request, requestId, now), { route: route.routeKey, request: { requestId, connectionId: conn.connectionId } });
    if (ctx.accessLog.enabled) integration = integrationFacts(outcome, performance.now() - start);
    decision = decide(outcome, ctx);
  }
  socket.off('close', onGone);
  if (ctx.accessLog.enabled) {
    const status = decision.accept ? 200 : decision.status;
    const error = decision.accept ? undefined : decision.error;
    ctx.accessLog.write({ eventType: 'CONNECT', requestId, client: conn, routeKey: '$connect', requestTimeEpoch: now, status, ...(integration ? { integration } : {}), ...(error ? { error } : {}) });
  }

  if (!decision.accept) {
    ctx.registry.remove(conn);
    conn.state = 'closed';
    return reject(socket, decision.status, decision.body);
  }
  if (clientGone || socket.destroyed || !socket.writable || ctx.closing) {
    // $connect accepted a client that left meanwhile: AWS would follow with $disconnect.
    ctx.registry.remove(conn);
    conn.state = 'closed';
    socket.destroy();
    ctx.gone.went(conn, ctx.closing ? 'gateway-close' : 'no-close-frame', NO_CLOSE_FRAME, Date.now());
    dispatchDisconnect(ctx, conn, NO_CLOSE_FRAME, '');
    return;
  }
  if (decision.protocol !== undefined) ctx.chosenProtocol.set(req, decision.protocol);
  ctx.wss.handleUpgrade(req, socket, head, (ws) => open(ctx, conn, ws));
}

function open(ctx: GatewayContext, conn: Connection, ws: WebSocket): void {
  conn.ws = ws;
  conn.state = 'open';
  conn.lastClientMessageAt = Date.now();
  ws.on('message', (data, isBinary) => {
    onClientMessage(ctx, conn, data as Buffer, isBinary).catch((err) => {
      ctx.log(`gateway: message on ${conn.connectionId} failed: ${(err as Error)?.stack ?? String(err)}`);
    });
  });
  ws.on('close', (code, reason) => onSocketClosed(ctx, conn, code, reason));
  // ws closes the socket itself on protocol errors (e.g. 1009 for a message over maxPayload)
  // without reading the client's close reply: remember the code for $disconnect.
  ws.on('error', (err: Error & { code?: string }) => {
    conn.serverClose ??= protocolErrorClose(err.code);
  });
}

/** The close code ws sends for a protocol error (its error codes, RFC 6455 status codes). */
function protocolErrorClose(code: string | undefined): { code: number; reason: string } {
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return { code: 1009, reason: 'Message too big' };
  if (code === 'WS_ERR_INVALID_UTF8') return { code: 1007, reason: 'Invalid frame payload data' };
  return { code: 1002, reason: 'Protocol error' };
}

function decide(outcome: IntegrationOutcome, ctx: GatewayContext): Decision {
  switch (outcome.kind) {
    case 'ok': {
      const result = outcome.result as { statusCode?: unknown; body?: unknown; headers?: Record<string, unknown> } | null | undefined;
      // A result without a statusCode (or no result) is taken as 200.
      const status = typeof result?.statusCode === 'number' ? result.statusCode : 200;
      if (status >= 200 && status < 300) return { accept: true, protocol: chosenProtocol(result?.headers) };
      ctx.metrics.count('IntegrationError', '$connect');
      const body = typeof result?.body === 'string' ? result.body : result?.body === undefined ? '' : JSON.stringify(result.body);
      return { accept: false, status: STATUS_CODES[status] ? status : 500, body };
    }
    // AWS does not document what $connect answers when it may not invoke the function: an integration failure's 500, assumed
    default: {
      const { status, error } = integrationFailure(outcome.kind);
      return { accept: false, status, body: `{"message": "${error.message}"}`, error };
    }
  }
}

/** The access log's error for a handshake the authorizer refused (its body's message, where it has one). */
function authorizerError(status: number, body: string): GatewayError {
  if (status === 401) return GATEWAY_ERRORS.unauthorized;
  if (status === 403) {
    const parsed = JSON.parse(body) as { Message?: string };
    return { message: parsed.Message ?? GATEWAY_ERRORS.accessDenied.message, responseType: GATEWAY_ERRORS.accessDenied.responseType };
  }
  return GATEWAY_ERRORS.authorizerFailure;
}

/** The Sec-WebSocket-Protocol $connect returned, which the 101 response must echo. */
function chosenProtocol(headers: Record<string, unknown> | undefined): string | undefined {
  if (!headers) return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'sec-websocket-protocol' && typeof value === 'string') return value.split(',')[0]!.trim();
  }
  return undefined;
}

function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const key = req.headers['sec-websocket-key'];
  return (
    req.method === 'GET' &&
    headerValue(req.headers.upgrade).toLowerCase() === 'websocket' &&
    typeof key === 'string' &&
    WS_KEY.test(key.trim()) &&
    req.headers['sec-websocket-version'] === '13'
  );
}

function reject(socket: Duplex, status: number, body: string): void {
  if (socket.writable) {
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        'Connection: close\r\n' +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  } else {
    socket.destroy();
  }
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

export function sourceIpOf(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

function headerValue(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

function ignore(): void {}
