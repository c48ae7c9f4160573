import type { AwsCallOutcome, AwsIntegration } from './aws-integration.ts';
import type { Connection } from './connection.ts';
import type { GatewayContext } from './context.ts';
import { internalServerErrorFrame, unsupportedMediaTypeFrame } from './frames.ts';
import { integrationFailure } from './access-log.ts';
import type { IntegrationFacts } from './access-log-format.ts';

/**
 * A frame on a route whose integration is `AWS` (messages.ts hands it here once the route was
 * selected, throttled and counted): the service is called, a two-way route's client gets the
 * answer through the integration response, a one-way route's nothing. A failure gets the frame
 * API Gateway sends for integration failures (Internal server error), a body no template and no
 * passthrough accepts gets Unsupported Media Type (415, a ClientError); the connection stays open.
 */
export async function onAwsRouteMessage(
  ctx: GatewayContext,
  aws: AwsIntegration,
  conn: Connection,
  frame: { routeKey: string; twoWay: boolean; data: Buffer; isBinary: boolean; requestId: string; messageId: string; requestTimeEpoch: number },
): Promise<void> {
  const request = {
    routeKey: frame.routeKey,
    eventType: 'MESSAGE' as const,
    client: conn,
    body: frame.isBinary ? frame.data.toString('base64') : frame.data.toString('utf8'),
    requestId: frame.requestId,
    messageId: frame.messageId,
    requestTimeEpoch: frame.requestTimeEpoch,
  };
  const outcome = await aws.call(request);
  let status = 200;
  let error: { message: string; responseType: string } | undefined;
  switch (outcome.kind) {
    case 'ok':
      if (frame.twoWay) {
        const body = aws.responseBody(request, outcome.body);
        if (body === undefined) {
          status = 500;
          error = integrationFailure('not-permitted').error;
          conn.send(internalServerErrorFrame(conn.connectionId, frame.requestId));
        } else if (conn.send(body)) {
          conn.lastActiveAt = Date.now();
          ctx.metrics.count('MessageCount', frame.routeKey);
        }
      }
      break;
    case 'unsupported-media-type':
      status = 415;
      error = UNSUPPORTED_MEDIA_TYPE;
      ctx.metrics.count('ClientError');
      conn.send(unsupportedMediaTypeFrame(conn.connectionId, frame.requestId));
      break;
    default: {
      const failure = awsIntegrationFailure(outcome.kind);
      status = failure.status;
      error = failure.error;
      conn.send(internalServerErrorFrame(conn.connectionId, frame.requestId));
    }
  }
  const log = ctx.accessLog;
  if (!log.enabled) return;
  const integration = integrationFactsOf(outcome);
  log.write({
    eventType: 'MESSAGE',
    requestId: frame.requestId,
    client: conn,
    routeKey: frame.routeKey,
    messageId: frame.messageId,
    requestTimeEpoch: frame.requestTimeEpoch,
    status,
    ...(integration ? { integration } : {}),
    ...(error ? { error } : {}),
  });
}

/** API Gateway's error for a request no template and no passthrough accepts. */
export const UNSUPPORTED_MEDIA_TYPE = { message: 'Unsupported Media Type', responseType: 'UNSUPPORTED_MEDIA_TYPE' };

/**
 * The status and error of a failed service call, those of a function that failed the same way:
 * the service answered an error → 502, API Gateway could not call it → 500, no answer → 504.
 */
export function awsIntegrationFailure(kind: 'service-error' | 'failed' | 'timeout'): ReturnType<typeof integrationFailure> {
  return integrationFailure(kind === 'service-error' ? 'error' : kind === 'timeout' ? 'timeout' : 'not-permitted');
}

/** What the access log says of the service call: its status and latency, when it was made. */
export function integrationFactsOf(outcome: AwsCallOutcome): IntegrationFacts | undefined {
  switch (outcome.kind) {
    case 'ok':
      return { latencyMs: outcome.latencyMs, status: outcome.status, integrationStatus: outcome.status };
    case 'service-error':
      return { latencyMs: outcome.latencyMs, status: outcome.status, integrationStatus: outcome.status, error: outcome.body.slice(0, 200) };
    case 'timeout':
      return { latencyMs: outcome.latencyMs, error: 'Endpoint request timed out' };
    case 'failed':
      return outcome.latencyMs === undefined ? undefined : { latencyMs: outcome.latencyMs, error: outcome.message };
    case 'unsupported-media-type':
      return undefined;
  }
}
