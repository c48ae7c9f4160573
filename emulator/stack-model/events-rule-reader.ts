import { z } from 'zod';
import { busNameOf } from './physical-ids.ts';
import { cfnInteger, cfnJsonObject, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { RuleDescription, RuleTarget, StackDescription } from './stack-description.ts';
import { templateError } from './template-errors.ts';

/**
 * AWS::Events::EventBus (its Name) and AWS::Events::Rule: EventBusName (a name or an ARN; the
 * account's `default` bus when absent), EventPattern (an object or a JSON string), ScheduleExpression
 * (read; schedules are not emulated), State, and Targets with Input, InputPath, InputTransformer,
 * SqsParameters, DeadLetterConfig and RetryPolicy, in EventBridge's ranges. A target of a service
 * the emulator does not run (Step Functions, Kinesis, an API destination, …) is left out of the
 * rule's targets: not-emulated-paths.ts names it.
 */
const RULE_TYPE = 'AWS::Events::Rule';
const BUS_TYPE = 'AWS::Events::EventBus';
/** EventBridge's targets per rule. */
const MAX_TARGETS = 5;
/** The services whose ARNs a target may name here: a function, a queue, a topic, an event bus. */
export const EMULATED_TARGET = /^arn:[^:]+:(lambda|sqs|sns|events):[^:]*:[^:]*:(function:|event-bus\/|[^:/]+$)/;

const targetSchema = z
  .object({
    Id: z.string().regex(/^[.\-_A-Za-z0-9]{1,64}$/, 'must be 1-64 letters, digits, . - or _'),
    Arn: z.string().min(1),
    Input: z.string().max(8192).optional(),
    InputPath: z.string().max(256).optional(),
    InputTransformer: z.object({ InputPathsMap: z.record(z.string(), z.string()).optional(), InputTemplate: z.string().max(8192) }).loose().optional(),
    SqsParameters: z.object({ MessageGroupId: z.string() }).loose().optional(),
    DeadLetterConfig: z.object({ Arn: z.string().regex(/^arn:[^:]+:sqs:/, 'must be an SQS queue ARN') }).loose().optional(),
    RetryPolicy: z
      .object({ MaximumRetryAttempts: cfnInteger.pipe(z.number().min(0).max(185)).optional(), MaximumEventAgeInSeconds: cfnInteger.pipe(z.number().min(60).max(86_400)).optional() })
      .loose()
      .optional(),
  })
  .loose();

const ruleSchema = z
  .object({
    EventBusName: z.string().min(1).max(1600).optional(),
    EventPattern: cfnJsonObject.optional(),
    ScheduleExpression: z.string().max(256).optional(),
    State: z.enum(['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']).optional(),
    Targets: z.array(targetSchema).max(MAX_TARGETS, `at most ${MAX_TARGETS} targets per rule (EventBridge's limit)`).optional(),
  })
  .loose();

const busSchema = z.object({ Name: z.string().regex(/^[/.\-_A-Za-z0-9]{1,256}$/, 'must be 1-256 letters, digits, / . - or _') }).loose();

export function readEventBuses(t: StackTemplate): NonNullable<StackDescription['eventBuses']> {
  return t.ofType(BUS_TYPE).map((id) => {
    const p = parseProperties(t.file, id, busSchema, t.properties(id));
    if (p.Name === 'default') throw templateError(t.file, ['Resources', id, 'Properties', 'Name'], 'default: the account has its default bus already');
    return { logicalId: id, name: p.Name, arn: String(t.attribute(id, 'Arn')) };
  });
}

export function readEventRules(t: StackTemplate): RuleDescription[] {
  return t.ofType(RULE_TYPE).map((id) => readEventRule(t, id));
}

function readEventRule(t: StackTemplate, logicalId: string): RuleDescription {
  const p = parseProperties(t.file, logicalId, ruleSchema, t.properties(logicalId));
  const at = (...path: (string | number)[]) => ['Resources', logicalId, 'Properties', ...path];
  if (p.EventPattern === undefined && p.ScheduleExpression === undefined) throw templateError(t.file, at('EventPattern'), 'missing: a rule needs an EventPattern or a ScheduleExpression');
  const busName = busNameOf(p.EventBusName);
  if (p.ScheduleExpression !== undefined && busName !== 'default') throw templateError(t.file, at('ScheduleExpression'), `a schedule runs on the default bus only, not ${busName}`);
  const targets: RuleTarget[] = [];
  const ids = new Set<string>();
  (p.Targets ?? []).forEach((target, i) => {
    if (ids.has(target.Id)) throw templateError(t.file, at('Targets', i, 'Id'), `${target.Id}: another target of the rule has this Id`);
    ids.add(target.Id);
    const inputs = (['Input', 'InputPath', 'InputTransformer'] as const).filter((k) => target[k] !== undefined);
    if (inputs.length > 1) throw templateError(t.file, at('Targets', i, inputs[1]!), `give one of Input, InputPath and InputTransformer (also has ${inputs[0]})`);
    if (target.Input !== undefined) {
      try {
        JSON.parse(target.Input);
      } catch {
        throw templateError(t.file, at('Targets', i, 'Input'), 'must be valid JSON text');
      }
    }
    // a target the emulator does not run: named by not-emulated-paths.ts, not delivered to
    if (!EMULATED_TARGET.test(target.Arn)) return;
    targets.push({
      id: target.Id,
      arn: target.Arn,
      ...(target.Input !== undefined ? { input: target.Input } : {}),
      ...(target.InputPath !== undefined ? { inputPath: target.InputPath } : {}),
      ...(target.InputTransformer ? { inputTransformer: { ...(target.InputTransformer.InputPathsMap ? { inputPathsMap: target.InputTransformer.InputPathsMap } : {}), inputTemplate: target.InputTransformer.InputTemplate } } : {}),
      ...(target.SqsParameters ? { messageGroupId: target.SqsParameters.MessageGroupId } : {}),
      ...(target.DeadLetterConfig ? { deadLetterArn: target.DeadLetterConfig.Arn } : {}),
      ...(target.RetryPolicy
        ? {
            retryPolicy: {
              ...(target.RetryPolicy.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: target.RetryPolicy.MaximumRetryAttempts } : {}),
              ...(target.RetryPolicy.MaximumEventAgeInSeconds !== undefined ? { maximumEventAgeSeconds: target.RetryPolicy.MaximumEventAgeInSeconds } : {}),
            },
          }
        : {}),
    });
  });
  return {
    logicalId,
    name: t.name(logicalId),
    arn: String(t.attribute(logicalId, 'Arn')),
    busName,
    ...(p.EventPattern !== undefined ? { eventPattern: p.EventPattern } : {}),
    ...(p.ScheduleExpression !== undefined ? { scheduleExpression: p.ScheduleExpression } : {}),
    state: p.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    targets,
  };
}
