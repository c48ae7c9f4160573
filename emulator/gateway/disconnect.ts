import type { GatewayContext } from './context.ts';
import type { Connection } from './connection.ts';
import { disconnectThroughAws } from './aws-integration-connection.ts';
import { disconnectEvent } from './events.ts';
import { awsId } from './ids.ts';
import { integrationFailure, integrationFacts } from './access-log.ts';

/** Reason strings API Gateway reports for close codes that carry none. */
const DEFAULT_REASONS: Record<number, string> = {
  1001: 'Going away',
  1005: 'Client-side close frame status not set',
};

/** ws reports a socket that ended without a close frame with this code (RFC 6455: abnormal closure). */
export const NO_CLOSE_FRAME = 1006;

/**
 * The socket is gone: forget the connection, note how it went (the record of posts to gone
 * connections), and tell $disconnect (best effort, like AWS).
 */
export function onSocketClosed(ctx: GatewayContext, conn: Connection, code: number, reason: Buffer): void {
  if (conn.state === 'closed') return;
  conn.state = 'closed';
  ctx.registry.remove(conn);
  const status = conn.serverClose?.code ?? code;
  const text = conn.serverClose?.reason ?? (reason.length > 0 ? reason.toString('utf8') : (DEFAULT_REASONS[code] ?? ''));
  const cause = conn.serverClose ? 'gateway-close' : code === NO_CLOSE_FRAME ? 'no-close-frame' : 'client-close';
  ctx.gone.went(conn, cause, status, Date.now());
  dispatchDisconnect(ctx, conn, status, text);
}

/**
 * Fire-and-forget $disconnect (to a function, or through an AWS integration): the client is
 * already gone, nobody waits for the answer. A configured share is dropped silently, leaving
 * stale rows behind as AWS sometimes does.
 */
export function dispatchDisconnect(ctx: GatewayContext, conn: Connection, code: number, reason: string): void {
  const route = ctx.routes.get('$disconnect');
  const aws = ctx.awsIntegration?.has('$disconnect') ? ctx.awsIntegration : undefined;
  const log = ctx.accessLog;
  const now = Date.now();
  const requestId = awsId();
  if (!route && !aws) {
    if (log.enabled) log.write({ eventType: 'DISCONNECT', requestId, client: conn, routeKey: '$disconnect', requestTimeEpoch: now, status: 200 });
    return;
  }
  const share = ctx.config.faults.lostDisconnectShare;
  // a lost $disconnect is an event API Gateway never had: no line either
  if (share > 0 && Math.random() < share) {
    ctx.counters.lostDisconnects++;
    return;
  }
  ctx.counters.deliveredDisconnects++;
  // an AWS integration's request (a queue, a topic, a bus) instead of a function's event
  if (aws) return disconnectThroughAws(ctx, aws, conn, requestId, now);
  if (!route) return;
  const start = performance.now();
  const invoked = ctx.integration.invoke(route.functionName, disconnectEvent(ctx.api, conn, code, reason, requestId, now), { route: route.routeKey });
  if (!log.enabled) return;
  void invoked.then((outcome) => {
    const integration = integrationFacts(outcome, performance.now() - start);
    const failure = outcome.kind === 'ok' ? undefined : integrationFailure(outcome.kind);
    log.write({
      eventType: 'DISCONNECT',
      requestId,
      client: conn,
      routeKey: route.routeKey,
      requestTimeEpoch: now,
      status: failure?.status ?? 200,
      ...(integration ? { integration } : {}),
      ...(failure ? { error: failure.error } : {}),
    });
  });
}
