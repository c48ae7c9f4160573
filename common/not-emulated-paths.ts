import { z } from 'zod';

/**
 * A way into the stack's functions that the emulator does not run: a trigger (an SNS topic's
 * subscription, an SQS or stream event source mapping, an EventBridge rule, a schedule, a REST or
 * HTTP API event) or an integration of an API it does not serve. On AWS the function it names
 * would run; here nothing invokes it by that path. The emulator lists them in its ready line
 * (common/stack-ready.ts); the harness says each before the load, keeps them in results.json
 * (config.target.notEmulated) and names one as a loss's first cause where the deliveries would
 * travel it (src/verdict/not-emulated-evidence.ts).
 */
export const NotEmulatedPath = z.object({
  kind: z.enum(['trigger', 'integration']),
  /** what it is, as a user would say it: `SNS topic`, `SQS queue`, `EventBridge rule`, `schedule`, `DynamoDB stream`, … */
  source: z.string(),
  /** the template's logical id of the topic, queue, rule, table or API (or of the event, where it names none) */
  resource: z.string(),
  /** the function it would invoke: its logical id */
  function: z.string().optional(),
  /** that function's physical name (the CloudWatch FunctionName) */
  functionName: z.string().optional(),
  /** the template says the function posts to @connections (its role grants execute-api:ManageConnections, or it is given the WebSocket API) */
  fansOut: z.boolean().optional(),
  /** the function runs here all the same: a route or the authorizer invokes it */
  runsHere: z.boolean().optional(),
  /** what does not happen here, in a few words: `its subscription's deliveries will not run here` */
  text: z.string(),
});
export type NotEmulatedPath = z.infer<typeof NotEmulatedPath>;

/** `SNS topic Alerts → FanoutFunction (its subscription's deliveries will not run here)` */
export function notEmulatedPathText(p: NotEmulatedPath): string {
  return `${p.source} ${p.resource}${p.function ? ` → ${p.function}` : ''} (${p.text})`;
}
