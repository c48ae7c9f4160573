import { EVENT_PATH_LOG_GROUP, EVENT_PATH_LOG_STREAM } from '../common/event-path-log.ts';
import { UserError } from '../common/errors.ts';
import { AwsApiError } from './cloudwatch/aws-json.ts';
import type { LogStore } from './cloudwatch/log-store.ts';
import type { MetricStore } from './cloudwatch/metric-store.ts';
import type { LocalDynamoDb } from './dynamodb/dynamodb-thread.ts';
import { startDynamoDbStreamsServer } from './dynamodb/streams/streams-server.ts';
import { SqsEventSourceMapping } from './event-sources/sqs-mapping.ts';
import { StreamEventSourceMapping } from './event-sources/stream-mapping.ts';
import { startEventBridgeServer, type EventBridgeServer } from './eventbridge/server.ts';
import { DeliveryPermissions } from './iam/delivery-permission.ts';
import type { IamMode } from './iam/execution-role.ts';
import type { IamGate } from './iam/iam-gate.ts';
import { AsyncInvocations } from './lambda/async-invocation.ts';
import type { LambdaRuntime } from './lambda/types.ts';
import type { LocalEndpoint, RequestHandler } from './local-listener.ts';
import type { DeliverySource, ServiceTargets, TargetMessage } from './service-targets.ts';
import { startSnsServer, type SnsServer } from './sns/server.ts';
import { SqsQueues } from './sqs/queue-registry.ts';
import { startSqsServer } from './sqs/server.ts';
import type { EventSourceMappingDescription, StackDescription } from './stack-model/stack-description.ts';

/**
 * The services a stack's messages travel through besides the WebSocket API: SQS, SNS,
 * EventBridge, DynamoDB Streams, and Lambda's side of them (asynchronous invocation, event source
 * mappings). Started in two steps because they and the Lambda runtime need each other: the
 * endpoints first (the functions' environments are given their URLs), then, once the runtime
 * exists, the asynchronous invocations and the mappings that invoke it. Each service reaches the
 * others only through one ServiceTargets, keyed by ARN (service-targets.ts).
 */
export interface Messaging {
  endpoints: { sqs: string; sns: string; eventbridge: string; dynamodbStreams: string };
  /** the same services' handlers, for the edge to call in process */
  handlers: { sqs: RequestHandler; sns: RequestHandler; eventbridge: RequestHandler; dynamodbStreams: RequestHandler };
  targets: ServiceTargets;
  queues: SqsQueues;
  /** The asynchronous invocations and the mappings over the runtime; the mappings start polling. Returns the asynchronous invocations (the Lambda API's Invoke with InvocationType Event). */
  attach(runtime: LambdaRuntime): AsyncInvocations;
  /** Every SNS and EventBridge delivery started so far has settled, and no asynchronous event waits. */
  idle(): Promise<void>;
  /** What was billed: SQS requests per queue, SNS publishes and deliveries, EventBridge events. */
  billing(): MessagingBilling;
  close(): Promise<void>;
}

export interface MessagingBilling {
  sqsRequests: Record<string, number>;
  sns: ReturnType<SnsServer['billing']>;
  events: ReturnType<EventBridgeServer['billing']>;
}

export interface MessagingOptions {
  stack: StackDescription;
  region: string;
  accountId: string;
  metrics: MetricStore;
  logs: LogStore;
  dynamodb: LocalDynamoDb;
  iam?: IamGate;
  /** how a delivery's resource-based policy is asked (iam/delivery-permission.ts; default enforce) */
  iamMode?: IamMode;
  log: (line: string) => void;
  /** Lambda's delays before the retries of a failed asynchronous event (default AWS's 1 and 2 minutes). */
  asyncRetryDelaysMs?: readonly number[];
}

export async function startMessaging(o: MessagingOptions): Promise<Messaging> {
  const { stack, region, accountId, metrics } = o;
  const queues = new SqsQueues(stack.queues ?? [], { region, accountId });
  const pathLog = (line: string) => o.logs.append(EVENT_PATH_LOG_GROUP, EVENT_PATH_LOG_STREAM, { timestamp: Date.now(), message: line });
  const targets = new StackTargets(queues, new DeliveryPermissions({ stack, mode: o.iamMode ?? 'enforce', accountId, log: o.log, pathLog }).sayAtStart());
  const started: LocalEndpoint[] = [];
  let mappings: Array<SqsEventSourceMapping | StreamEventSourceMapping> = [];
  let async: AsyncInvocations | undefined;
  const close = async () => {
    await Promise.allSettled(mappings.map((m) => m.stop()));
    await async?.close();
    await Promise.allSettled(started.map((s) => s.close()));
    queues.close();
  };
  try {
    const iam = o.iam ? { iam: o.iam } : {};
    const sqs = await startSqsServer({ queues, metrics, ...iam });
    started.push(sqs);
    const sns = await startSnsServer({ topics: stack.topics ?? [], targets, metrics, region, accountId, ...iam });
    started.push(sns);
    targets.sns = sns;
    const buses = [{ name: 'default', arn: `arn:aws:events:${region}:${accountId}:event-bus/default` }, ...(stack.eventBuses ?? []).map((b) => ({ name: b.name, arn: b.arn }))];
    const events = await startEventBridgeServer({ buses, rules: stack.rules ?? [], targets, metrics, region, accountId, ...iam });
    started.push(events);
    targets.events = events;
    const streams = await startDynamoDbStreamsServer({ streams: o.dynamodb.streams(), ...iam });
    started.push(streams);
    for (const m of stack.eventSourceMappings ?? []) checkSource(m, queues, o.dynamodb);
    return {
      endpoints: { sqs: sqs.url, sns: sns.url, eventbridge: events.url, dynamodbStreams: streams.url },
      handlers: { sqs: sqs.handle, sns: sns.handle, eventbridge: events.handle, dynamodbStreams: streams.handle },
      targets,
      queues,
      attach(runtime) {
        async = new AsyncInvocations({
          runtime,
          targets,
          metrics,
          log: pathLog,
          configs: Object.fromEntries(stack.functions.map((f) => [f.name, f.asyncInvoke])),
          region,
          accountId,
          ...(o.asyncRetryDelaysMs ? { retryDelaysMs: o.asyncRetryDelaysMs } : {}),
        });
        targets.lambda = async;
        mappings = (stack.eventSourceMappings ?? [])
          .filter((m) => m.enabled && mappingAllowed(m, stack, o))
          .map((mapping) =>
            mapping.kind === 'sqs'
              ? new SqsEventSourceMapping({ mapping, queue: queues.polled(mapping.sourceArn), runtime, metrics, region, log: pathLog })
              : new StreamEventSourceMapping({ mapping, stream: streamOf(o.dynamodb, mapping.sourceArn), runtime, metrics, region, accountId, targets, log: pathLog }),
          );
        for (const m of mappings) m.start();
        return async;
      },
      async idle() {
        await Promise.all([sns.idle(), events.idle(), async?.drained()]);
      },
      billing: () => ({ sqsRequests: queues.billableRequests(), sns: sns.billing(), events: events.billing() }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** One ServiceTargets over the stack's services, by the ARN's service; SNS's and EventBridge's deliveries first asked of the target's resource-based policy. */
class StackTargets implements ServiceTargets {
  sns: SnsServer | undefined;
  events: EventBridgeServer | undefined;
  lambda: AsyncInvocations | undefined;

  constructor(
    private readonly queues: SqsQueues,
    private readonly permissions: DeliveryPermissions,
  ) {}

  deliver(arn: string, message: TargetMessage, from: DeliverySource): Promise<void> {
    const denied = this.has(arn) ? this.permissions.check(arn, from) : undefined;
    if (denied) return Promise.reject(denied);
    const service = arn.split(':')[2];
    if (service === 'sqs') return this.queues.deliver(arn, message, from);
    if (service === 'sns' && this.sns) return this.sns.publish(arn, message);
    if (service === 'events' && this.events) return this.events.deliverToBus(arn, message);
    if (service === 'lambda' && this.lambda) return this.lambda.deliver(arn, message, from);
    return Promise.reject(new AwsApiError('ResourceNotFoundException', `${arn} is no resource of this stack`, 404));
  }

  has(arn: string): boolean {
    const service = arn.split(':')[2];
    if (service === 'sqs') return this.queues.has(arn);
    if (service === 'sns') return this.sns?.has(arn) ?? false;
    if (service === 'events') return this.events?.has(arn) ?? false;
    if (service === 'lambda') return this.lambda?.has(arn) ?? false;
    return false;
  }
}

/** A mapping's source must be one the stack runs (the template reader checked its references). */
function checkSource(m: EventSourceMappingDescription, queues: SqsQueues, dynamodb: LocalDynamoDb): void {
  const found = m.kind === 'sqs' ? queues.has(m.sourceArn) : dynamodb.streams().some((s) => s.arn === m.sourceArn);
  if (!found) throw new UserError(`event source mapping ${m.logicalId}: ${m.sourceArn} is no ${m.kind === 'sqs' ? 'queue' : 'table stream'} of this stack`);
}

function streamOf(dynamodb: LocalDynamoDb, arn: string) {
  const stream = dynamodb.streams().find((s) => s.arn === arn);
  if (!stream) throw new Error(`unreachable: checkSource found stream ${arn}`);
  return stream;
}

/** What Lambda's pollers call with the function's execution role, by source (Lambda refuses a mapping whose role lacks them). */
const POLLER_ACTIONS: Record<EventSourceMappingDescription['kind'], string[]> = {
  sqs: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
  'dynamodb-stream': ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
};

/**
 * Lambda reads a mapping's source with the function's execution role: a role that lacks one of
 * the pollers' actions makes the mapping fail to be created on AWS ("The provided execution role
 * does not have permissions to call ReceiveMessage on SQS"). Under `enforce` such a mapping does
 * not run here either, said once; under `report` it runs and the would-be refusal is said.
 */
function mappingAllowed(m: EventSourceMappingDescription, stack: StackDescription, o: MessagingOptions): boolean {
  const gate = o.iam;
  const fn = stack.functions.find((f) => f.name === m.functionName);
  const principal = fn?.role && !fn.role.external ? { function: fn.name, role: fn.role.name, roleArn: fn.role.arn } : undefined;
  if (!gate || !principal) return true;
  const refused = POLLER_ACTIONS[m.kind].map((action) => ({ action, why: gate.refuses(principal, action, m.sourceArn) })).find((r) => r.why !== undefined);
  if (!refused) return true;
  const service = m.kind === 'sqs' ? 'SQS' : 'DynamoDB Streams';
  o.log(`event source mapping ${m.logicalId}: the provided execution role does not have permissions to call ${refused.action.split(':')[1]} on ${service} (${m.sourceArn}): the mapping does not run, as Lambda would not create it`);
  return false;
}
