import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayContext } from './context.ts';
import type { Connection } from './connection.ts';
import { stampReach } from '../probe-reach.ts';
import { CONNECTIONS_HOP } from '../../common/probe-reach-metric.ts';

/**
 * The @connections management API: POST (send), GET (describe), DELETE (disconnect) on
 * /{stage}/@connections/{connectionId}. Errors carry `x-amzn-ErrorType` so SDK v3 raises the
 * matching exception class. POST is the hottest path of a fan-out: no allocation beyond the
 * body buffer when it arrives in one chunk, constant header objects.
 *
 * The callback API is held to the account's throttle only (AWS's quota is "across HTTP APIs, REST
 * APIs, WebSocket APIs, and WebSocket callback APIs"); the stage's and routes' throttles apply to
 * the API's routes, i.e. to what clients send.
 */

const OK_EMPTY = { 'Content-Length': '0' } as const;
const NO_CONTENT = {} as const;

export function handleConnectionsApi(ctx: GatewayContext, prefix: string, req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  const foreign = foreignApiOf(req.headers.host, ctx.api.apiId);
  if (foreign !== undefined) return foreignPost(ctx, foreign, url, req, res);
  const id = connectionIdOf(url, prefix);
  const method = req.method;
  if (id === undefined || (method !== 'POST' && method !== 'GET' && method !== 'DELETE')) {
    ctx.metrics.count('ClientError');
    return sendError(res, 403, 'ForbiddenException', 'Forbidden');
  }
  const refusal = ctx.connectionsAccess?.refuses(method, req.headers);
  if (refusal !== undefined) {
    req.resume();
    ctx.metrics.count('ClientError');
    return sendError(res, 403, 'AccessDeniedException', refusal, 'Message');
  }
  if (!ctx.account.tryTake()) {
    ctx.metrics.count('ClientError');
    return sendError(res, 429, 'LimitExceededException', 'Too Many Requests');
  }
  if (method === 'POST') return post(ctx, id, req, res);
  const conn = openConnection(ctx, id);
  if (!conn) return gone(ctx, res);
  if (method === 'GET') {
    const body = JSON.stringify({
      connectedAt: new Date(conn.connectedAt).toISOString(),
      identity: { sourceIp: conn.sourceIp, userAgent: conn.userAgent },
      lastActiveAt: new Date(conn.lastActiveAt).toISOString(),
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  // DELETE: close from the server side; the close then triggers $disconnect.
  conn.close(1000, '');
  res.writeHead(204, NO_CONTENT);
  res.end();
}

function post(ctx: GatewayContext, id: string, req: IncomingMessage, res: ServerResponse): void {
  const stallShare = ctx.config.faults.stallPostShare;
  if (stallShare > 0 && Math.random() < stallShare) {
    // Never answered, never delivered: the caller's abort (or the stack closing) ends it.
    ctx.counters.stalledPosts++;
    req.resume();
    return;
  }
  const max = ctx.config.limits.maxMessageBytes;
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) return tooLarge(ctx, res);
  if (!openConnection(ctx, id)) return postGone(ctx, id, res);

  let first: Buffer | undefined;
  let rest: Buffer[] | undefined;
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > max) return; // keep reading (and discarding) so the keep-alive socket stays usable
    if (first === undefined) first = chunk;
    else (rest ??= [first]).push(chunk);
  });
  req.on('end', () => {
    if (size > max) return tooLarge(ctx, res);
    // Look the connection up again: it may have closed while the body arrived.
    const conn = openConnection(ctx, id);
    if (!conn) return postGone(ctx, id, res);
    const body = rest ? Buffer.concat(rest, size) : (first ?? Buffer.alloc(0));
    // stamped before the frame goes out: once it is written the client may read it (another
    // process) before this one runs again, and on a busy host a post stamped after its own
    // delivery put @connections past the deliveries in the hop split
    conn.lastActiveAt = Date.now();
    stampReach(ctx.metrics.sink, CONNECTIONS_HOP, body, conn.lastActiveAt);
    conn.send(body, !isUtf8(body));
    ctx.metrics.count('MessageCount');
    res.writeHead(200, OK_EMPTY);
    res.end();
  });
}

function openConnection(ctx: GatewayContext, id: string): Connection | undefined {
  const conn = ctx.registry.get(id);
  return conn !== undefined && conn.state === 'open' ? conn : undefined;
}

/** The id from /{stage}/@connections/{id}, URL-decoded; undefined for any other path. */
function connectionIdOf(url: string, prefix: string): string | undefined {
  if (!url.startsWith(prefix)) return undefined;
  const q = url.indexOf('?', prefix.length);
  const raw = q < 0 ? url.slice(prefix.length) : url.slice(prefix.length, q);
  if (raw.length === 0 || raw.includes('/')) return undefined;
  try {
    return raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    return undefined;
  }
}

/** A POST to a connection that is not open: 410, and the emulator's record of posts to gone connections. */
function postGone(ctx: GatewayContext, id: string, res: ServerResponse): void {
  ctx.gone.posted(id, Date.now());
  gone(ctx, res);
}

function gone(ctx: GatewayContext, res: ServerResponse): void {
  ctx.metrics.count('ClientError');
  sendError(res, 410, 'GoneException', 'Gone');
}

function tooLarge(ctx: GatewayContext, res: ServerResponse): void {
  ctx.metrics.count('ClientError');
  sendError(res, 413, 'PayloadTooLargeException', 'Request Entity Too Large');
}

/** An AWS execute-api host (`<api id>.execute-api.<region>.amazonaws.com`, kept by the environments' redirect) naming another API than the stack's. */
const EXECUTE_API_HOST = /^([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\.?(?::\d+)?$/i;

function foreignApiOf(host: string | undefined, ownApiId: string): { apiId: string; host: string } | undefined {
  const m = host === undefined ? null : EXECUTE_API_HOST.exec(host);
  if (!m || m[1] === ownApiId) return undefined;
  return { apiId: m[1]!, host: host!.replace(/:\d+$/, '').replace(/\.$/, '') };
}

/** The functions and endpoints already said in the stack's log, per gateway. */
const saidForeign = new WeakMap<GatewayContext, Set<string>>();

/**
 * A call to an API that is not the stack's (an endpoint written into the code or its
 * configuration, an API the stack's deploy does not make): it never reaches this stack's clients.
 * AWS would send it to that API, which is not the run's (and, where the function may not manage
 * its connections, refuse it): answered 403 Forbidden as a post that reaches no API it may use,
 * said once per function and endpoint in the stack's log, and counted for the harness
 * (emulator/iam/denial-log.ts). Not this API's traffic, so not in its metrics.
 */
function foreignPost(ctx: GatewayContext, foreign: { apiId: string; host: string }, url: string, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  const stage = url.split('?', 1)[0]!.split('/')[1] ?? '';
  const endpoint = `https://${foreign.host}/${stage}`;
  const fn = ctx.connectionsAccess?.foreignPost(req.headers, endpoint, foreign.apiId) ?? null;
  let said = saidForeign.get(ctx);
  if (!said) saidForeign.set(ctx, (said = new Set()));
  const key = `${fn ?? ''} ${endpoint}`;
  if (!said.has(key)) {
    said.add(key);
    ctx.log(`gateway: ${fn ?? 'a function'} posted to ${endpoint}, which is not this stack's API (${ctx.api.apiId}): answered 403 Forbidden; its clients get nothing`);
  }
  sendError(res, 403, 'ForbiddenException', 'Forbidden');
}

/** `messageField`: IAM's denials spell it `Message`, API Gateway's own errors `message`. */
export function sendError(res: ServerResponse, status: number, errorType: string, message: string, messageField: 'message' | 'Message' = 'message'): void {
  const body = JSON.stringify({ [messageField]: message });
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-ErrorType': errorType,
  });
  res.end(body);
}
