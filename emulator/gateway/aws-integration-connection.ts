import type { IntegrationFacts } from './access-log-format.ts';
import type { AwsIntegration } from './aws-integration.ts';
import { awsIntegrationFailure, integrationFactsOf, UNSUPPORTED_MEDIA_TYPE } from './aws-integration-message.ts';
import type { Connection } from './connection.ts';
import type { GatewayContext } from './context.ts';
import type { HandshakeRequest } from './handshake-request.ts';

/**
 * $connect and $disconnect on a route whose integration is `AWS` (a $connect that sends the
 * connection to a queue, a $disconnect that publishes an event): the call a message route makes
 * (aws-integration.ts: the template, RequestParameters, the CredentialsArn role, the metrics and
 * the execution log), run where a function's $connect and $disconnect run.
 *
 * $connect runs while the upgrade request waits (handshake.ts): the service's 2xx accepts the
 * connection; a failure refuses it with the status a message route's access log gives the same
 * failure (aws-integration-message.ts: the service answered an error 502, API Gateway could not
 * call it 500, no answer in 29 s 504), a handshake no template and no passthrough accepts with 415
 * (a ClientError). AWS documents that a failed $connect integration refuses the connection, not
 * with which status: the statuses are assumed (docs/aws-facts.md).
 *
 * $disconnect runs after the connection is gone, best effort (disconnect.ts decides whether it is
 * delivered): what it did shows in the metrics, the execution log and the access log only.
 */

type GatewayError = { message: string; responseType: string };

export type AwsConnectDecision =
  | { accept: true; integration?: IntegrationFacts }
  | { accept: false; status: number; body: string; error: GatewayError; integration?: IntegrationFacts };

export async function connectThroughAws(
  ctx: GatewayContext,
  aws: AwsIntegration,
  conn: Connection,
  handshake: HandshakeRequest,
  requestId: string,
  requestTimeEpoch: number,
): Promise<AwsConnectDecision> {
  const outcome = await aws.call({ routeKey: '$connect', eventType: 'CONNECT', client: conn, body: '', requestId, requestTimeEpoch, handshake });
  const facts = integrationFactsOf(outcome);
  const integration = facts ? { integration: facts } : {};
  switch (outcome.kind) {
    case 'ok':
      return { accept: true, ...integration };
    case 'unsupported-media-type':
      ctx.metrics.count('ClientError');
      return { accept: false, status: 415, body: `{"message": "${UNSUPPORTED_MEDIA_TYPE.message}"}`, error: UNSUPPORTED_MEDIA_TYPE, ...integration };
    default: {
      const { status, error } = awsIntegrationFailure(outcome.kind);
      return { accept: false, status, body: `{"message": "${error.message}"}`, error, ...integration };
    }
  }
}

/** Sends a gone connection's $disconnect request; nobody waits for it. */
export function disconnectThroughAws(ctx: GatewayContext, aws: AwsIntegration, conn: Connection, requestId: string, requestTimeEpoch: number): void {
  const called = aws.call({ routeKey: '$disconnect', eventType: 'DISCONNECT', client: conn, body: '', requestId, requestTimeEpoch });
  const log = ctx.accessLog;
  if (!log.enabled) return;
  void called.then((outcome) => {
    const facts = integrationFactsOf(outcome);
    const failure = outcome.kind === 'ok' ? undefined : outcome.kind === 'unsupported-media-type' ? { status: 415, error: UNSUPPORTED_MEDIA_TYPE } : awsIntegrationFailure(outcome.kind);
    log.write({
      eventType: 'DISCONNECT',
      requestId,
      client: conn,
      routeKey: '$disconnect',
      requestTimeEpoch,
      status: failure?.status ?? 200,
      ...(facts ? { integration: facts } : {}),
      ...(failure ? { error: failure.error } : {}),
    });
  });
}
