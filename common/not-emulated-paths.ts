import { z } from 'zod';

/** A resource of the template the emulator read but does not run: its logical id and type. */
export const NotEmulatedResource = z.object({ logicalId: z.string(), type: z.string() });
export type NotEmulatedResource = z.infer<typeof NotEmulatedResource>;

/** `Orders (AWS::Kinesis::Stream)`: how a not-emulated resource is named, at start and on every page. */
export const notEmulatedResourceText = (r: NotEmulatedResource): string => `${r.logicalId} (${r.type})`;

/** Resources a one-line account of them names before it counts the rest. */
const NAMED_RESOURCES = 3;

/**
 * `2 resources of the template: ChatLogs (AWS::Logs::LogGroup), CDKMetadata (AWS::CDK::Metadata)`,
 * the first three named and the rest counted: what the run says before its load and its full
 * console after it (summary.md and the report list every one).
 */
export function notEmulatedResourcesLine(resources: readonly NotEmulatedResource[]): string {
  const names = resources.slice(0, NAMED_RESOURCES).map(notEmulatedResourceText).join(', ');
  const more = resources.length > NAMED_RESOURCES ? `, … ${resources.length - NAMED_RESOURCES} more (each in summary.md and the report)` : '';
  return `${resources.length} resource${resources.length === 1 ? '' : 's'} of the template: ${names}${more}`;
}

/**
 * A way into the stack's functions that the emulator does not run: a trigger (an SNS topic's
 * subscription, an SQS or stream event source mapping, an EventBridge rule, a schedule, a REST or
 * HTTP API event) or an integration of an API it does not serve. On AWS the function it names
 * would run; here nothing invokes it by that path. The emulator lists them in its ready line
 * (common/stack-ready.ts); the harness says each before the load, keeps them in results.json
 * (config.target.notEmulated) and names one as a loss's first cause where the deliveries would
 * travel it (src/diagnosis/not-emulated-evidence.ts).
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
