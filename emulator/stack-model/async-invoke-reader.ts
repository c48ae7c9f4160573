import { z } from 'zod';
import { lambdaNameOf } from './physical-ids.ts';
import { cfnInteger, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { AsyncInvokeConfig } from './stack-description.ts';
import { templateError } from './template-errors.ts';

/**
 * How Lambda treats a function's asynchronous invocations (an SNS delivery, an EventBridge
 * target): AWS::Lambda::EventInvokeConfig (MaximumRetryAttempts 0–2, MaximumEventAgeInSeconds
 * 60–21,600, DestinationConfig OnSuccess/OnFailure: a queue, topic, bus or function) and the
 * function's own DeadLetterConfig (an SQS queue or SNS topic). SAM's EventInvokeConfig and
 * DeadLetterQueue arrive here as those (sam-event-sources.ts). The config's Qualifier is not
 * compared: the emulator runs one version of each function, and SAM points its config at the
 * alias that its events invoke. A config on a function outside the stack is left unread.
 */
const TYPE = 'AWS::Lambda::EventInvokeConfig';
const DESTINATION = /^arn:[^:]+:(sqs|sns|lambda|events|s3):/;

const destination = z.object({ Destination: z.string().regex(DESTINATION, "must be an SQS queue's, SNS topic's, function's, event bus's or bucket's ARN") }).loose();
const configSchema = z
  .object({
    FunctionName: z.string().min(1),
    Qualifier: z.string().min(1),
    MaximumRetryAttempts: cfnInteger.pipe(z.number().min(0).max(2)).optional(),
    MaximumEventAgeInSeconds: cfnInteger.pipe(z.number().min(60).max(21_600)).optional(),
    DestinationConfig: z.object({ OnSuccess: destination.optional(), OnFailure: destination.optional() }).loose().optional(),
  })
  .loose();
const deadLetterSchema = z.object({ TargetArn: z.string().regex(/^arn:[^:]+:(sqs|sns):/, "must be an SQS queue's or SNS topic's ARN") }).loose();

export interface AsyncInvokeRead {
  /** by the function's logical id */
  configs: Map<string, AsyncInvokeConfig>;
  read: string[];
}

export function readAsyncInvokeConfigs(t: StackTemplate, functionIdsByName: ReadonlyMap<string, string>): AsyncInvokeRead {
  const out: AsyncInvokeRead = { configs: new Map(), read: [] };
  for (const id of t.ofType(TYPE)) {
    const name = t.property(id, 'FunctionName');
    // a config of another stack's function: not read
    const functionId = typeof name === 'string' ? functionIdsByName.get(lambdaNameOf(name)) : undefined;
    if (functionId === undefined) continue;
    const p = parseProperties(t.file, id, configSchema, t.properties(id));
    if (out.configs.has(functionId)) throw templateError(t.file, ['Resources', id], `${functionId} has another EventInvokeConfig in the stack`);
    out.configs.set(functionId, {
      ...(p.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: p.MaximumRetryAttempts } : {}),
      ...(p.MaximumEventAgeInSeconds !== undefined ? { maximumEventAgeSeconds: p.MaximumEventAgeInSeconds } : {}),
      ...(p.DestinationConfig?.OnSuccess ? { onSuccess: p.DestinationConfig.OnSuccess.Destination } : {}),
      ...(p.DestinationConfig?.OnFailure ? { onFailure: p.DestinationConfig.OnFailure.Destination } : {}),
    });
    out.read.push(id);
  }
  for (const [, functionId] of functionIdsByName) {
    const raw = t.property(functionId, 'DeadLetterConfig');
    if (raw === undefined) continue;
    const dlq = z.object({ DeadLetterConfig: deadLetterSchema }).loose();
    const p = parseProperties(t.file, functionId, dlq, { DeadLetterConfig: raw });
    out.configs.set(functionId, { ...(out.configs.get(functionId) ?? {}), deadLetterArn: p.DeadLetterConfig.TargetArn });
  }
  return out;
}

/** The functions of the stack an asynchronous invocation's destinations name (they run here). */
export function destinationFunctions(configs: Map<string, AsyncInvokeConfig>, functionIdsByName: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const c of configs.values()) {
    for (const arn of [c.onSuccess, c.onFailure]) {
      if (arn === undefined || !/^arn:[^:]+:lambda:/.test(arn)) continue;
      const id = functionIdsByName.get(lambdaNameOf(arn));
      if (id !== undefined) out.push(id);
    }
  }
  return out;
}
