import type { MetricSink } from '../cloudwatch/types.ts';
import type { MessageAttribute, ServiceTargets, TargetMessage } from '../service-targets.ts';
import type { RuleTarget } from '../stack-model/stack-description.ts';
import type { EventBus, Rule } from './event-buses.ts';
import type { EventEnvelope } from './event-envelope.ts';
import { matchesEventPattern } from './event-pattern.ts';
import { targetInput } from './target-input.ts';

/** What the rules of the buses did, for the run's view and the integrator. */
export interface RuleDeliveryCounts {
  matchedEvents: number;
  invocations: number;
  failedInvocations: number;
  sentToDlq: number;
}

/**
 * An event on a bus reaching its rules' targets, as EventBridge does it: every ENABLED rule whose
 * pattern matches (a rule without a pattern is a scheduled one and is not run), each of its targets
 * handed its input through ServiceTargets after PutEvents has answered. A target that refuses the
 * event is a FailedInvocation; with a DeadLetterConfig the event goes there, with EventBridge's
 * attributes (RULE_ARN, TARGET_ARN, ERROR_CODE in EventBridge's codes, ERROR_MESSAGE, RETRY_ATTEMPTS). The refusals ServiceTargets gives
 * (no such resource, a FIFO queue without a group id, a message too large) are ones EventBridge
 * does not retry, so no retry is simulated. AWS/Events metrics by RuleName and by EventBusName +
 * RuleName.
 */
export class RuleDelivery {
  readonly counts: RuleDeliveryCounts = { matchedEvents: 0, invocations: 0, failedInvocations: 0, sentToDlq: 0 };
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly targets: ServiceTargets,
    private readonly metrics: MetricSink,
    private readonly now: () => number = Date.now,
  ) {}

  /** Matches `event` against the bus's rules and starts their deliveries; the number of rules it matched. */
  route(bus: EventBus, event: EventEnvelope): number {
    let matched = 0;
    const ingestionTime = new Date(this.now()).toISOString();
    for (const rule of bus.rules.values()) {
      if (rule.state !== 'ENABLED' || !rule.eventPattern || !matchesEventPattern(rule.eventPattern, event)) continue;
      matched++;
      this.counts.matchedEvents++;
      this.put('MatchedEvents', bus, rule);
      this.put('TriggeredRules', bus, rule);
      for (const target of rule.targets) this.track(this.invoke(bus, rule, target, event, ingestionTime));
    }
    return matched;
  }

  /** Resolves once every delivery started so far (and those they started) has settled. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async invoke(bus: EventBus, rule: Rule, target: RuleTarget, event: EventEnvelope, ingestionTime: string): Promise<void> {
    await Promise.resolve(); // after PutEvents answers
    const message: TargetMessage = { body: targetInput(target, event, { ruleArn: rule.arn, ruleName: rule.name, ingestionTime }) };
    if (isFifoQueue(target.arn)) {
      if (target.messageGroupId !== undefined) message.groupId = target.messageGroupId;
      message.deduplicationId = event.id; // EventBridge sends the event id as the deduplication id
    }
    try {
      await this.targets.deliver(target.arn, message, { service: 'events', arn: rule.arn });
      this.counts.invocations++;
      this.put('Invocations', bus, rule);
    } catch (err) {
      this.counts.failedInvocations++;
      this.put('FailedInvocations', bus, rule);
      if (target.deadLetterArn) await this.deadLetter(bus, rule, target, event, err);
    }
  }

  private async deadLetter(bus: EventBus, rule: Rule, target: RuleTarget, event: EventEnvelope, err: unknown): Promise<void> {
    const attr = (v: string): MessageAttribute => ({ dataType: 'String', stringValue: v });
    // no retry is simulated (the refusals here are ones EventBridge does not retry): RETRY_ATTEMPTS 0, no EXHAUSTED_RETRY_CONDITION
    const attributes = {
      RULE_ARN: attr(rule.arn),
      TARGET_ARN: attr(target.arn),
      ERROR_CODE: attr(dlqErrorCode(err)),
      ERROR_MESSAGE: attr(err instanceof Error ? err.message : String(err)),
      RETRY_ATTEMPTS: attr('0'),
    };
    try {
      await this.targets.deliver(target.deadLetterArn!, { body: JSON.stringify(event), attributes }, { service: 'events', arn: rule.arn });
      this.counts.sentToDlq++;
      this.put('InvocationsSentToDlq', bus, rule);
    } catch {
      this.put('InvocationsFailedToBeSentToDlq', bus, rule);
    }
  }

  private put(name: string, bus: EventBus, rule: Rule): void {
    const timestamp = this.now();
    this.metrics.put({ namespace: 'AWS/Events', name, dimensions: { RuleName: rule.name }, value: 1, unit: 'Count', timestamp });
    this.metrics.put({ namespace: 'AWS/Events', name, dimensions: { EventBusName: bus.name, RuleName: rule.name }, value: 1, unit: 'Count', timestamp });
  }
}

/**
 * The ERROR_CODE EventBridge writes on a dead-lettered event, from the error the target's service
 * answered (EventBridge's documented codes: NO_PERMISSIONS, NO_RESOURCE, INVALID_PARAMETER,
 * THROTTLING, ERROR_FROM_TARGET, …).
 */
const DLQ_ERROR_CODES: Record<string, string> = {
  AccessDeniedException: 'NO_PERMISSIONS',
  AccessDenied: 'NO_PERMISSIONS',
  AuthorizationErrorException: 'NO_PERMISSIONS',
  ResourceNotFoundException: 'NO_RESOURCE',
  QueueDoesNotExist: 'NO_RESOURCE',
  NotFoundException: 'NO_RESOURCE',
  InvalidParameterValue: 'INVALID_PARAMETER',
  InvalidParameterException: 'INVALID_PARAMETER',
  MissingParameter: 'INVALID_PARAMETER',
  InvalidRequestContentException: 'INVALID_PARAMETER',
  RequestEntityTooLargeException: 'INVALID_PARAMETER',
  ThrottlingException: 'THROTTLING',
  TooManyRequestsException: 'THROTTLING',
};

export function dlqErrorCode(err: unknown): string {
  return (err instanceof Error && DLQ_ERROR_CODES[err.name]) || 'ERROR_FROM_TARGET';
}

const isFifoQueue = (arn: string) => arn.startsWith('arn:aws:sqs:') && arn.endsWith('.fifo');
