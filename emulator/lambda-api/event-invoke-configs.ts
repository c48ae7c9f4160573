import { z } from 'zod';
import type { AsyncInvokeConfig } from '../stack-model/stack-description.ts';
import { invalidParameter, LambdaApiError } from './errors.ts';

/**
 * Lambda's asynchronous invocation settings of the stack's functions (EventInvokeConfig), read and
 * written as Lambda's API does: GetFunctionEventInvokeConfig, PutFunctionEventInvokeConfig (the
 * whole config: what it omits is back to AWS's default), UpdateFunctionEventInvokeConfig (the
 * fields given), DeleteFunctionEventInvokeConfig, ListFunctionEventInvokeConfigs. They start from
 * the template's (FunctionDescription.asyncInvoke); each change is handed to `apply`, so the
 * asynchronous invocations that follow keep to it. The function's DeadLetterConfig is no part of
 * it (a function setting): a change keeps it.
 * https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html
 */

export interface EventInvokeConfigsOptions {
  /** each function's configuration, by name (absent, or only a DeadLetterConfig: no EventInvokeConfig) */
  configs: Record<string, AsyncInvokeConfig | undefined>;
  region: string;
  accountId: string;
  /** the new configuration of a function, for its asynchronous invocations (AsyncInvocations.configure) */
  apply?: (functionName: string, config: AsyncInvokeConfig | undefined) => void;
  /** whether a destination's ARN names a resource of the stack (ServiceTargets.has) */
  hasTarget?: (arn: string) => boolean;
}

/** AWS's bounds (Lambda API reference, PutFunctionEventInvokeConfig). */
const RETRY_ATTEMPTS = { min: 0, max: 2 } as const;
const EVENT_AGE_SECONDS = { min: 60, max: 21_600 } as const;
const LIST_MAX = 50;
/** What Lambda can send an invocation record to (a bucket only from event source mappings). */
const DESTINATION_SERVICES = new Set(['sqs', 'sns', 'lambda', 'events']);

const Destination = z.object({ Destination: z.string().optional() }).optional();
const RequestSchema = z.object({
  MaximumRetryAttempts: z.unknown().optional(),
  MaximumEventAgeInSeconds: z.unknown().optional(),
  DestinationConfig: z.object({ OnSuccess: Destination, OnFailure: Destination }).optional(),
});

interface Entry {
  config: AsyncInvokeConfig;
  /** Unix seconds, as Lambda's REST-JSON writes a timestamp */
  lastModified: number;
}

export class EventInvokeConfigs {
  /** functions that have an EventInvokeConfig */
  private readonly entries = new Map<string, Entry>();
  /** each function's DeadLetterConfig target, kept through every change */
  private readonly deadLetters = new Map<string, string>();

  constructor(private readonly options: EventInvokeConfigsOptions) {
    const now = nowSeconds();
    for (const [name, c] of Object.entries(options.configs)) {
      if (c?.deadLetterArn !== undefined) this.deadLetters.set(name, c.deadLetterArn);
      if (!c) continue;
      const { deadLetterArn: _, ...config } = c;
      // a DeadLetterConfig alone is no EventInvokeConfig; an EventInvokeConfig of AWS's defaults is one
      if (Object.keys(config).length > 0 || c.deadLetterArn === undefined) this.entries.set(name, { config, lastModified: now });
    }
  }

  /** GetFunctionEventInvokeConfig; none is Lambda's ResourceNotFoundException. */
  get(functionName: string): Record<string, unknown> {
    const entry = this.entries.get(functionName);
    if (!entry) throw this.none(functionName);
    return this.view(functionName, entry);
  }

  /** PutFunctionEventInvokeConfig: the request is the whole configuration. */
  put(functionName: string, body: unknown): Record<string, unknown> {
    return this.store(functionName, parse(body, this.options.hasTarget));
  }

  /** UpdateFunctionEventInvokeConfig: the fields given change, the others stay. */
  update(functionName: string, body: unknown): Record<string, unknown> {
    const given = parse(body, this.options.hasTarget);
    const old = this.entries.get(functionName)?.config ?? {};
    const merged: AsyncInvokeConfig = { ...old };
    for (const [k, v] of Object.entries(given) as Array<[keyof AsyncInvokeConfig, string | number | undefined]>) {
      if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
    }
    return this.store(functionName, merged);
  }

  /** DeleteFunctionEventInvokeConfig: back to AWS's defaults. */
  delete(functionName: string): void {
    if (!this.entries.delete(functionName)) throw this.none(functionName);
    this.apply(functionName);
  }

  /** ListFunctionEventInvokeConfigs: the function's only configuration is $LATEST's, so one page of at most one. */
  list(functionName: string, maxItems?: string): Record<string, unknown> {
    if (maxItems !== undefined) {
      const max = Number(maxItems);
      if (!Number.isInteger(max) || max < 1 || max > LIST_MAX) {
        throw invalidParameter(`1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${LIST_MAX}`);
      }
    }
    const entry = this.entries.get(functionName);
    return { FunctionEventInvokeConfigs: entry ? [this.view(functionName, entry)] : [] };
  }

  private store(functionName: string, config: AsyncInvokeConfig): Record<string, unknown> {
    const entry = { config, lastModified: nowSeconds() };
    this.entries.set(functionName, entry);
    this.apply(functionName);
    return this.view(functionName, entry);
  }

  /** What the asynchronous invocations of the function follow now: its config and its dead-letter target. */
  private apply(functionName: string): void {
    const config = this.entries.get(functionName)?.config;
    const dlq = this.deadLetters.get(functionName);
    const effective = config || dlq ? { ...config, ...(dlq ? { deadLetterArn: dlq } : {}) } : undefined;
    this.options.apply?.(functionName, effective);
  }

  private functionArn(name: string): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${name}:$LATEST`;
  }

  private none(name: string): LambdaApiError {
    return new LambdaApiError('ResourceNotFoundException', 404, `The function ${this.functionArn(name)} doesn't have an EventInvokeConfig`, 'Message');
  }

  /** FunctionEventInvokeConfig as Lambda answers it: the defaults where nothing was set. */
  private view(name: string, { config, lastModified }: Entry): Record<string, unknown> {
    return {
      LastModified: lastModified,
      FunctionArn: this.functionArn(name),
      ...(config.maximumRetryAttempts === undefined ? {} : { MaximumRetryAttempts: config.maximumRetryAttempts }),
      ...(config.maximumEventAgeSeconds === undefined ? {} : { MaximumEventAgeInSeconds: config.maximumEventAgeSeconds }),
      DestinationConfig: {
        OnSuccess: config.onSuccess === undefined ? {} : { Destination: config.onSuccess },
        OnFailure: config.onFailure === undefined ? {} : { Destination: config.onFailure },
      },
    };
  }
}

function parse(body: unknown, hasTarget: ((arn: string) => boolean) | undefined): AsyncInvokeConfig {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParameter('The request body must be a JSON object');
  const parsed = RequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalidParameter(`1 validation error detected: Value at '${issue.path.join('.')}' failed to satisfy constraint: ${issue.message}`);
  }
  const r = parsed.data;
  const out: AsyncInvokeConfig = {};
  if (r.MaximumRetryAttempts !== undefined) out.maximumRetryAttempts = bounded('maximumRetryAttempts', r.MaximumRetryAttempts, RETRY_ATTEMPTS);
  if (r.MaximumEventAgeInSeconds !== undefined) out.maximumEventAgeSeconds = bounded('maximumEventAgeInSeconds', r.MaximumEventAgeInSeconds, EVENT_AGE_SECONDS);
  const onSuccess = r.DestinationConfig?.OnSuccess?.Destination;
  const onFailure = r.DestinationConfig?.OnFailure?.Destination;
  if (onSuccess !== undefined) out.onSuccess = destination(onSuccess, hasTarget);
  if (onFailure !== undefined) out.onFailure = destination(onFailure, hasTarget);
  return out;
}

function bounded(field: string, value: unknown, { min, max }: { min: number; max: number }): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidParameter(`1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must be an integer`);
  }
  if (value < min) throw invalidParameter(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
  if (value > max) throw invalidParameter(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  return value;
}

/** A destination must be a queue, topic, function or event bus, and (locally) one the stack runs. */
function destination(arn: string, hasTarget: ((arn: string) => boolean) | undefined): string {
  const service = arn.startsWith('arn:') ? arn.split(':')[2] : undefined;
  if (service === undefined || !DESTINATION_SERVICES.has(service)) {
    throw invalidParameter(`The destination ARN ${arn} is invalid: it must be an SQS queue, SNS topic, Lambda function or EventBridge event bus`);
  }
  if (hasTarget && !hasTarget(arn)) throw invalidParameter(`The destination ${arn} is no resource of the local stack`);
  return arn;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
