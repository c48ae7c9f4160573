/**
 * The emulator's own log group for what became of messages between services (not an AWS log
 * group): one JSON line per asynchronous retry or drop, failed destination or dead-letter
 * delivery, failed or partly failed event source mapping batch and discarded stream batch, as
 * emulator/lambda/async-invocation.ts and emulator/event-sources/ write them. The harness reads
 * it beside CloudWatch's metrics to name the hop where a delivery was lost.
 */
export const EVENT_PATH_LOG_GROUP = '/fanout-bench/emulator/event-path';

/** Its one stream. */
export const EVENT_PATH_LOG_STREAM = 'events';

/**
 * A delivery SNS or EventBridge was refused by its target's resource-based policy (the queue's or
 * topic's policy, the function's AWS::Lambda::Permission), one line per refused delivery under
 * `iam: enforce` (emulator/iam/delivery-permission.ts writes it); the harness reads them onto the
 * topic's or rule's hop (results.path) so a loss's cause names the grant.
 */
export interface DeliveryDeniedLine {
  event: 'delivery-denied';
  /** the delivering service */
  service: 'sns' | 'events';
  /** the topic's or rule's ARN (the request's aws:SourceArn) */
  source: string;
  /** the queue's, topic's or function's ARN */
  target: string;
  /** `sns.amazonaws.com` */
  principal: string;
  /** `sqs:SendMessage`, `sns:Publish`, `lambda:InvokeFunction` */
  action: string;
  /** no-policy: the target has none; no-allow: no statement allows it; explicit-deny: a Deny refuses it */
  reason: 'no-policy' | 'no-allow' | 'explicit-deny';
  /** what would allow it, as a template writes it: the policy statement, or the AWS::Lambda::Permission's properties */
  grant: Record<string, unknown>;
}
