import type { GatewayContext } from './context.ts';
import type { Connection } from './connection.ts';
import { messageEvent } from './events.ts';
import { forbiddenFrame, internalServerErrorFrame, tooManyRequestsFrame } from './frames.ts';
import { awsId } from './ids.ts';
import { routeBucket } from './rate-limit.ts';
import { GATEWAY_ERRORS, integrationFailure, integrationFacts } from './access-log.ts';
import { onAwsRouteMessage } from './aws-integration-message.ts';
import { stampReach } from '../probe-reach.ts';
import { reachHop } from '../../common/probe-reach-metric.ts';

/**
 * A message from a client. Dispatched at once, never queued behind the connection's earlier
 * messages (AWS does not serialize a connection's messages either).
 *
 * Throttles, as API Gateway applies them to a route: the route's own throttle when it has one,
 * else the stage's default route throttle, then the account's (shared with @connections calls).
 * Either one refusing drops the message with a Too Many Requests frame.
 */
export async function onClientMessage(ctx: GatewayContext, conn: Connection, data: Buffer, isBinary: boolean): Promise<void> {
  const now = Date.now();
  conn.lastActiveAt = now;
  conn.lastClientMessageAt = now;
  const requestId = awsId();
  const route = ctx.routes.select(data, isBinary);
  const log = ctx.accessLog;
  if (!routeBucket(ctx, route?.routeKey).tryTake() || !ctx.account.tryTake()) {
    ctx.metrics.count('ClientError');
    conn.send(tooManyRequestsFrame(conn.connectionId, requestId));
    if (log.enabled) log.write({ eventType: 'MESSAGE', requestId, client: conn, routeKey: route?.routeKey, messageId: awsId(), requestTimeEpoch: now, status: 429, error: GATEWAY_ERRORS.throttled });
    return;
  }
  ctx.metrics.count('MessageCount', route?.routeKey);
  if (!route) {
    ctx.metrics.count('ClientError');
    conn.send(forbiddenFrame(conn.connectionId, requestId));
    if (log.enabled) log.write({ eventType: 'MESSAGE', requestId, client: conn, routeKey: undefined, messageId: awsId(), requestTimeEpoch: now, status: 403, error: GATEWAY_ERRORS.noRoute });
    return;
  }
  stampReach(ctx.metrics.sink, reachHop.gateway(route.routeKey), data, now);
  const messageId = awsId();
  const aws = ctx.awsIntegration;
  if (aws?.has(route.routeKey)) {
    await onAwsRouteMessage(ctx, aws, conn, { routeKey: route.routeKey, twoWay: route.returnResponse, data, isBinary, requestId, messageId, requestTimeEpoch: now });
    return;
  }
  const event = messageEvent(ctx.api, conn, route.routeKey, data, isBinary, requestId, now, messageId);
  const start = performance.now();
  const outcome = await ctx.integration.invoke(route.functionName, event, { route: route.routeKey, request: { requestId, connectionId: conn.connectionId } });
  const latencyMs = performance.now() - start;
  if (outcome.kind !== 'ok') {
    conn.send(internalServerErrorFrame(conn.connectionId, requestId));
  } else if (route.returnResponse) {
    const body = routeResponseBody(outcome.result);
    if (body !== undefined && conn.send(body)) {
      conn.lastActiveAt = Date.now();
      ctx.metrics.count('MessageCount', route.routeKey);
    }
  }
  if (!log.enabled) return;
  const integration = integrationFacts(outcome, latencyMs);
  const failure = outcome.kind === 'ok' ? undefined : integrationFailure(outcome.kind);
  log.write({
    eventType: 'MESSAGE',
    requestId,
    client: conn,
    routeKey: route.routeKey,
    messageId,
    requestTimeEpoch: now,
    status: failure?.status ?? 200,
    ...(integration ? { integration } : {}),
    ...(failure ? { error: failure.error } : {}),
  });
}

/**
 * What a two-way route sends back: the proxy result's `body` (objects JSON-encoded), or a bare
 * string result. No body, no frame.
 */
export function routeResponseBody(result: unknown): string | undefined {
  if (typeof result === 'string') return result;
  if (typeof result !== 'object' || result === null || !('body' in result)) return undefined;
  const body = (result as { body: unknown }).body;
  if (body === undefined || body === null) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}
