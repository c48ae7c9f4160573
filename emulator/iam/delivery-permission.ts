import type { DeliveryDeniedLine } from '../../common/event-path-log.ts';
import { evaluate } from '../../common/iam/policy-evaluation.ts';
import { AwsApiError } from '../cloudwatch/aws-json.ts';
import type { DeliverySource } from '../service-targets.ts';
import type { StackDescription } from '../stack-model/stack-description.ts';
import type { IamMode } from './execution-role.ts';
import { invokePermitted } from './invoke-permission.ts';

/**
 * SNS's and EventBridge's right to deliver to a resource of the stack, as AWS decides it with the
 * target's resource-based policy (the calling service is the principal, the topic or rule the
 * request's `aws:SourceArn`, its account `aws:SourceAccount`):
 * - to an SQS queue: its AWS::SQS::QueuePolicy allows `sqs:SendMessage` to the service principal;
 * - to an SNS topic (an EventBridge target): its AWS::SNS::TopicPolicy allows `sns:Publish`;
 * - to a Lambda function: an AWS::Lambda::Permission for the service principal (SourceArn,
 *   SourceAccount where given).
 * A target with no policy at all is refused, as AWS refuses it. Dead-letter queues of a subscription
 * or a rule's target are deliveries of the topic or rule too, and asked the same. Other deliveries
 * (a function's asynchronous destinations, which use its execution role; an event source mapping,
 * which polls with it) are not resource-policy questions and pass. A manifest stack (the reference
 * stack, whose CDK app writes its grants) has no such path.
 *
 * `enforce`: a refused delivery is rejected with AccessDeniedException (SNS counts it
 * NumberOfNotificationsFailed, EventBridge FailedInvocations; neither retries it), said once per
 * source and target in the stack's log (at start, for the subscriptions and rules the stack has) and written per delivery to the event-path log
 * (common/event-path-log.ts) for the harness. `report`: delivered, the would-be refusal said once.
 * `off`: not asked. Decisions are kept per source and target (the stack's policies do not change).
 */
const PRINCIPALS: Partial<Record<DeliverySource['service'], DeliveryDeniedLine['service']>> = { sns: 'sns', events: 'events' };

interface Refusal {
  line: Omit<DeliveryDeniedLine, 'event'>;
  /** one line: who may not deliver to what, and what is missing */
  why: string;
}

export interface DeliveryPermissionsOptions {
  stack: StackDescription;
  mode: IamMode;
  accountId: string;
  /** the stack's log */
  log: (line: string) => void;
  /** the emulator's event-path log */
  pathLog: (line: string) => void;
}

export class DeliveryPermissions {
  private readonly decided = new Map<string, Refusal | null>();

  constructor(private readonly o: DeliveryPermissionsOptions) {}

  /** Decides, before anything is published, every delivery the stack's subscriptions and rules make: each refusal said at start. */
  sayAtStart(): this {
    for (const t of this.o.stack.topics ?? []) {
      for (const s of t.subscriptions) for (const arn of [s.endpoint, s.deadLetterArn]) if (arn) this.refusal(arn, { service: 'sns', arn: t.arn });
    }
    for (const r of this.o.stack.rules ?? []) {
      if (!r.eventPattern || r.state !== 'ENABLED') continue;
      for (const x of r.targets) for (const arn of [x.arn, x.deadLetterArn]) if (arn) this.refusal(arn, { service: 'events', arn: r.arn });
    }
    return this;
  }

  /** The error a delivery from `from` to `arn` fails with (enforce); undefined where it may go on. */
  check(arn: string, from: DeliverySource): AwsApiError | undefined {
    const refusal = this.refusal(arn, from);
    if (!refusal || this.o.mode !== 'enforce') return undefined;
    this.o.pathLog(JSON.stringify({ event: 'delivery-denied', ...refusal.line } satisfies DeliveryDeniedLine));
    return new AwsApiError('AccessDeniedException', refusal.why, 403);
  }

  /** The refusal of a delivery, decided once per source and target and then said once. */
  private refusal(arn: string, from: DeliverySource): Refusal | undefined {
    const service = PRINCIPALS[from.service];
    if (this.o.mode === 'off' || service === undefined) return undefined;
    const key = `${from.arn}\u0000${arn}`;
    let refusal = this.decided.get(key);
    if (refusal === undefined) {
      refusal = decide(this.o.stack, this.o.accountId, service, from.arn, arn) ?? null;
      this.decided.set(key, refusal);
      if (refusal) this.o.log(`iam: ${refusal.why}: ${this.o.mode === 'enforce' ? `every such delivery fails, as on AWS (${service === 'sns' ? 'NumberOfNotificationsFailed' : 'FailedInvocations'})` : 'it would fail on AWS (report: delivered)'}`);
    }
    return refusal ?? undefined;
  }
}

/** Whether `service` may deliver from `source` to `target`; the refusal where not. */
function decide(stack: StackDescription, accountId: string, service: 'sns' | 'events', source: string, target: string): Refusal | undefined {
  const principal = `${service}.amazonaws.com`;
  const from = service === 'sns' ? `SNS topic ${nameOf(source)}` : `EventBridge rule ${nameOf(source)}`;
  const targetService = target.split(':')[2];
  if (targetService === 'lambda') {
    const name = /:function:([^:]+)/.exec(target)?.[1];
    const fn = stack.functions.find((f) => f.name === name);
    if (!fn || stack.invokePermissions === undefined || invokePermitted(stack.invokePermissions, fn, principal, source, accountId)) return undefined;
    const action = 'lambda:InvokeFunction';
    return {
      why: `${from} may not invoke ${fn.name}: no AWS::Lambda::Permission lets ${principal} do ${action} from ${source}`,
      line: { service, source, target, principal, action, reason: 'no-allow', grant: { Type: 'AWS::Lambda::Permission', Properties: { Action: action, FunctionName: fn.name, Principal: principal, SourceArn: source } } },
    };
  }
  const resource = targetService === 'sqs' ? stack.queues?.find((q) => q.arn === target) : targetService === 'sns' ? stack.topics?.find((t) => t.arn === target) : undefined;
  // another service's target (a bus), or no resource of the stack: not a resource policy's question here
  if (!resource) return undefined;
  const [action, kind, type] = targetService === 'sqs' ? ['sqs:SendMessage', 'queue', 'AWS::SQS::QueuePolicy'] : ['sns:Publish', 'topic', 'AWS::SNS::TopicPolicy'];
  const decision = evaluate(resource.policy ?? [], action, target, { service: principal, context: { 'aws:SourceArn': source, 'aws:SourceAccount': accountId, 'aws:SecureTransport': 'true' } });
  if (decision.allowed) return undefined;
  const reason = resource.policy === undefined ? 'no-policy' : decision.reason === 'explicit-deny' ? 'explicit-deny' : 'no-allow';
  const missing =
    reason === 'no-policy'
      ? `${kind} ${resource.name} has no ${type}`
      : reason === 'explicit-deny'
        ? `a Deny${decision.statement?.sid ? ` (${decision.statement.sid})` : ''} of its ${type} refuses ${action} to ${principal}`
        : `no statement of its ${type} allows ${principal} ${action} with aws:SourceArn ${source}`;
  return {
    why: `${from} may not deliver to ${kind} ${resource.name}: ${missing}`,
    line: { service, source, target, principal, action, reason, grant: { Effect: 'Allow', Principal: { Service: principal }, Action: action, Resource: target, Condition: { ArnEquals: { 'aws:SourceArn': source } } } },
  };
}

/** A topic's or rule's name from its ARN (`…:alerts`, `…:rule/<bus>/<name>`). */
function nameOf(arn: string): string {
  return arn.split(/[:/]/).at(-1) ?? arn;
}
