import { randomUUID } from 'node:crypto';
import type { InvokeOutcome, LambdaRuntime } from './types.ts';
import type { DeliverySource, ServiceTargets, TargetMessage } from '../service-targets.ts';
import type { MetricSink } from '../cloudwatch/types.ts';
import type { AsyncInvokeConfig } from '../stack-model/stack-description.ts';
import { AwsApiError } from '../cloudwatch/aws-json.ts';
import { deadLetterMessage, destinationMessage, invocationRecord, type AsyncCondition } from './async-invocation-record.ts';

/**
 * AWS's values for asynchronous invocation (Lambda developer guide, "Asynchronous invocation"):
 * two retries after a function error, one minute then two apart; throttles retried with a delay
 * growing from 1 s to 5 min for as long as the event may live, 6 hours by default.
 */
export const ASYNC_DEFAULTS = {
  maximumRetryAttempts: 2,
  maximumEventAgeSeconds: 21_600,
  retryDelaysMs: [60_000, 120_000],
  throttleBackoff: { initialMs: 1_000, maxMs: 300_000 },
  /** Invoke's payload limit for asynchronous invocations (1 MB since October 2025). */
  maxPayloadBytes: 1_048_576,
  /** At most this many of one function's events run at once: the account's default concurrency. */
  maxConcurrencyPerFunction: 1_000,
} as const;

export interface AsyncInvocationsOptions {
  runtime: LambdaRuntime;
  /** Where OnSuccess/OnFailure destinations and dead-letter queues are reached. */
  targets: ServiceTargets;
  metrics: MetricSink;
  /**
   * One JSON line per retry, drop and failed delivery (`{"event":"retry"|"drop"|"destination-failed"|"dead-letter-failed", …}`),
   * for the stack to write to a log group: how a run learns what became of an event.
   */
  log?: (line: string) => void;
  /** Each function's EventInvokeConfig and DeadLetterConfig, by function name (absent: AWS's defaults). */
  configs?: Record<string, AsyncInvokeConfig | undefined>;
  region: string;
  accountId: string;
  /** Delays before the retries after a function error; default AWS's 1 and 2 minutes. */
  retryDelaysMs?: readonly number[];
  /** Throttle retry delay: doubles from `initialMs` up to `maxMs`; default AWS's 1 s to 5 min. */
  throttleBackoff?: { initialMs: number; maxMs: number };
  maxConcurrencyPerFunction?: number;
  /** The clock event ages are read on (tests move it; timers still run in real time). */
  now?: () => number;
}

/** What became of one function's asynchronous events so far. */
export interface AsyncFunctionStats {
  /** accepted (AsyncEventsReceived) */
  received: number;
  /** waiting in the internal queue, retries included */
  queued: number;
  inFlight: number;
  /** attempts that ran the function */
  invocations: number;
  succeeded: number;
  functionErrors: number;
  throttles: number;
  /** retries scheduled after a function error */
  retries: number;
  /** AsyncEventsDropped: events that ended without success */
  dropped: number;
  droppedRetriesExhausted: number;
  droppedEventAgeExceeded: number;
  destinationDeliveries: number;
  destinationFailures: number;
  deadLettered: number;
  deadLetterErrors: number;
}

interface AsyncEvent {
  requestId: string;
  functionName: string;
  /** the alias or version the caller named (a subscription's qualified ARN, Invoke's Qualifier) */
  qualifier?: string;
  payload: string;
  event: unknown;
  enqueuedAt: number;
  readyAt: number;
  /** attempts that ran the function (approximateInvokeCount) */
  runs: number;
  last?: Extract<InvokeOutcome, { kind: 'ok' | 'error' }>;
  source?: DeliverySource;
}

/** One function's internal queue. */
class FunctionQueue {
  /** events due now, oldest first */
  ready: AsyncEvent[] = [];
  /** retries and throttled events, by the time they are due */
  waiting: AsyncEvent[] = [];
  inFlight = 0;
  /** after a throttle no new attempt starts before this, unless one of ours finishes first */
  pausedUntil = 0;
  throttleStreak = 0;
  timer: NodeJS.Timeout | undefined;
  timerAt = Infinity;
  readonly stats: AsyncFunctionStats = {
    received: 0, queued: 0, inFlight: 0, invocations: 0, succeeded: 0, functionErrors: 0, throttles: 0, retries: 0,
    dropped: 0, droppedRetriesExhausted: 0, droppedEventAgeExceeded: 0, destinationDeliveries: 0, destinationFailures: 0, deadLettered: 0, deadLetterErrors: 0,
  };
  constructor(readonly name: string) {}
}

const NAMESPACE = 'AWS/Lambda';

/**
 * Lambda's asynchronous invocation (Invoke with InvocationType Event, and every service that
 * invokes a function asynchronously: SNS, EventBridge, a destination): the event is accepted at
 * once into an internal queue per function and run as concurrency allows; a function error is
 * retried MaximumRetryAttempts times, a throttle until MaximumEventAgeInSeconds; what ends goes to
 * its OnSuccess/OnFailure destination and dead-letter queue. It is the Lambda part of
 * ServiceTargets: a function's ARN delivered to is an asynchronous invocation of it.
 */
export class AsyncInvocations implements ServiceTargets {
  private readonly queues = new Map<string, FunctionQueue>();
  private readonly configs: Record<string, AsyncInvokeConfig | undefined>;
  private readonly retryDelaysMs: readonly number[];
  private readonly throttleBackoff: { initialMs: number; maxMs: number };
  private readonly maxConcurrency: number;
  private readonly now: () => number;
  /** invocations and deliveries under way, so drained() and close() can wait for them */
  private readonly pending = new Set<Promise<unknown>>();
  private drainWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly options: AsyncInvocationsOptions) {
    this.configs = { ...options.configs };
    this.retryDelaysMs = options.retryDelaysMs ?? ASYNC_DEFAULTS.retryDelaysMs;
    this.throttleBackoff = options.throttleBackoff ?? ASYNC_DEFAULTS.throttleBackoff;
    this.maxConcurrency = options.maxConcurrencyPerFunction ?? ASYNC_DEFAULTS.maxConcurrencyPerFunction;
    this.now = options.now ?? Date.now;
    for (const name of options.runtime.functionNames()) this.queues.set(name, new FunctionQueue(name));
  }

  /**
   * Accept an event for `functionName`, as Invoke with InvocationType Event answers 202: the
   * request ID at once, the invocation later. Throws an AwsApiError for an unknown function, a
   * payload that is not JSON or is over 1 MB.
   */
  enqueue(functionName: string, payload: string, source?: DeliverySource, qualifier?: string): { requestId: string } {
    if (this.closed) throw new AwsApiError('ServiceException', 'Lambda is shutting down', 500);
    const queue = this.queues.get(functionName);
    if (!queue) throw new AwsApiError('ResourceNotFoundException', `Function not found: ${this.functionArn(functionName)}`, 404);
    const bytes = Buffer.byteLength(payload, 'utf8');
    if (bytes > ASYNC_DEFAULTS.maxPayloadBytes) {
      throw new AwsApiError('RequestEntityTooLargeException', `${bytes} byte payload is too large for the Event invocation type (limit ${ASYNC_DEFAULTS.maxPayloadBytes} bytes)`, 413);
    }
    let event: unknown;
    try {
      event = payload.trim() === '' ? {} : JSON.parse(payload);
    } catch {
      throw new AwsApiError('InvalidRequestContentException', 'Could not parse request body into json: payload is not JSON', 400);
    }
    const now = this.now();
    const ev: AsyncEvent = { requestId: randomUUID(), functionName, payload, event, enqueuedAt: now, readyAt: now, runs: 0, ...(source ? { source } : {}), ...(qualifier !== undefined ? { qualifier } : {}) };
    queue.ready.push(ev);
    queue.stats.received++;
    this.put(functionName, 'AsyncEventsReceived', 1, 'Count');
    this.pump(queue);
    return { requestId: ev.requestId };
  }

  /** ServiceTargets: a function's ARN (unqualified, or an alias's or a version's) is invoked asynchronously with the message's body. */
  async deliver(arn: string, message: TargetMessage, from: DeliverySource): Promise<void> {
    const target = this.functionOf(arn);
    if (!target) throw new AwsApiError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
    this.enqueue(target.name, message.body, from, target.qualifier);
  }

  has(arn: string): boolean {
    return this.functionOf(arn) !== undefined;
  }

  /** PutFunctionEventInvokeConfig / a DeadLetterConfig update: later attempts follow it. */
  configure(functionName: string, config: AsyncInvokeConfig | undefined): void {
    this.configs[functionName] = config;
  }

  stats(): Record<string, AsyncFunctionStats> {
    const out: Record<string, AsyncFunctionStats> = {};
    for (const [name, q] of this.queues) out[name] = { ...q.stats, queued: q.ready.length + q.waiting.length, inFlight: q.inFlight };
    return out;
  }

  /** Resolves once no event is queued, running or being delivered (all functions). */
  drained(): Promise<void> {
    if (this.isDrained()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Stop: no attempt starts after this; queued events are abandoned (each logged as dropped
   * `Shutdown`); invocations and deliveries under way get up to `boundMs` to finish.
   */
  async close(boundMs = 5_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const q of this.queues.values()) {
      if (q.timer) clearTimeout(q.timer);
      q.timer = undefined;
      for (const ev of [...q.ready, ...q.waiting]) this.logLine({ event: 'drop', condition: 'Shutdown', functionName: q.name, requestId: ev.requestId, runs: ev.runs });
      q.ready = [];
      q.waiting = [];
    }
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, boundMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.pending]), bound]);
    if (timer) clearTimeout(timer);
    for (const w of this.drainWaiters.splice(0)) w();
  }

  /** The function (and the alias or version) an ARN names, when it is one of the stack's. */
  private functionOf(arn: string): { name: string; qualifier?: string } | undefined {
    const m = /^arn:[^:]+:lambda:([^:]*):([^:]*):function:([^:]+)(?::(.+))?$/.exec(arn);
    if (!m) return undefined;
    const [, region, account, name, qualifier] = m;
    if (region !== this.options.region || account !== this.options.accountId || !this.queues.has(name!)) return undefined;
    if (qualifier === undefined || qualifier === '$LATEST') return { name: name! };
    return this.options.runtime.aliases(name!)[qualifier] !== undefined || this.options.runtime.versions(name!).includes(qualifier) ? { name: name!, qualifier } : undefined;
  }

  private functionArn(name: string): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${name}`;
  }

  private config(name: string): Required<Pick<AsyncInvokeConfig, 'maximumRetryAttempts' | 'maximumEventAgeSeconds'>> & AsyncInvokeConfig {
    const c = this.configs[name] ?? {};
    return { ...c, maximumRetryAttempts: c.maximumRetryAttempts ?? ASYNC_DEFAULTS.maximumRetryAttempts, maximumEventAgeSeconds: c.maximumEventAgeSeconds ?? ASYNC_DEFAULTS.maximumEventAgeSeconds };
  }

  /** How many of a function's events may run at once: its reserved concurrency (at least one attempt, to be throttled), else the account's. */
  private capOf(q: FunctionQueue): number {
    const reserved = this.options.runtime.functionConfig(q.name)?.reservedConcurrency;
    return Math.max(1, Math.min(this.maxConcurrency, reserved ?? Infinity));
  }

  /** Start what may start now; set the timer for what is due later. */
  private pump(q: FunctionQueue): void {
    if (this.closed) return;
    const now = this.now();
    while (q.waiting.length > 0 && q.waiting[0]!.readyAt <= now) q.ready.push(q.waiting.shift()!);
    const maxAgeMs = this.config(q.name).maximumEventAgeSeconds * 1000;
    const cap = this.capOf(q);
    while (q.ready.length > 0 && q.inFlight < cap && now >= q.pausedUntil) {
      const ev = q.ready.shift()!;
      if (now - ev.enqueuedAt >= maxAgeMs) {
        this.fail(ev, 'EventAgeExceeded');
        continue;
      }
      q.inFlight++;
      this.track(this.attempt(q, ev));
    }
    let wakeAt = q.waiting[0]?.readyAt ?? Infinity;
    if (q.ready.length > 0 && q.pausedUntil > now) wakeAt = Math.min(wakeAt, q.pausedUntil);
    this.wakeAt(q, wakeAt);
    this.checkDrained();
  }

  private wakeAt(q: FunctionQueue, at: number): void {
    if (at === q.timerAt && q.timer) return;
    if (q.timer) clearTimeout(q.timer);
    q.timer = undefined;
    q.timerAt = at;
    if (at === Infinity) return;
    q.timer = setTimeout(() => {
      q.timer = undefined;
      q.timerAt = Infinity;
      this.pump(q);
    }, Math.max(0, at - this.now()));
  }

  private async attempt(q: FunctionQueue, ev: AsyncEvent): Promise<void> {
    const startedAt = this.now();
    this.put(q.name, 'AsyncEventAge', startedAt - ev.enqueuedAt, 'Milliseconds');
    let outcome: InvokeOutcome;
    try {
      outcome = await this.options.runtime.invoke(q.name, ev.event, ev.qualifier === undefined ? {} : { qualifier: ev.qualifier });
    } catch (err) {
      // the runtime closed under it (the stack stopping): the event is abandoned with the rest
      q.inFlight--;
      if (!this.closed) this.logLine({ event: 'drop', condition: 'RuntimeClosed', functionName: q.name, requestId: ev.requestId, reason: (err as Error).message });
      this.checkDrained();
      return;
    }
    q.inFlight--;
    const now = this.now();
    if (outcome.kind === 'throttled') {
      q.stats.throttles++;
      q.throttleStreak++;
      const backoff = Math.min(this.throttleBackoff.maxMs, this.throttleBackoff.initialMs * 2 ** (q.throttleStreak - 1));
      q.pausedUntil = Math.max(q.pausedUntil, now + backoff);
      ev.readyAt = now + backoff;
      this.wait(q, ev);
      this.logLine({ event: 'retry', functionName: q.name, requestId: ev.requestId, reason: `throttled (${outcome.reason})`, retryInMs: backoff, invokeRequestId: outcome.requestId });
    } else {
      // one of ours finished: capacity is free again
      q.throttleStreak = 0;
      q.pausedUntil = 0;
      ev.runs++;
      ev.last = outcome;
      q.stats.invocations++;
      if (outcome.kind === 'ok') {
        q.stats.succeeded++;
        this.succeed(ev);
      } else {
        q.stats.functionErrors++;
        const max = this.config(q.name).maximumRetryAttempts;
        if (ev.runs <= max) {
          const delay = this.retryDelaysMs[Math.min(ev.runs - 1, this.retryDelaysMs.length - 1)] ?? 0;
          ev.readyAt = now + delay;
          q.stats.retries++;
          this.wait(q, ev);
          this.logLine({ event: 'retry', functionName: q.name, requestId: ev.requestId, attempt: ev.runs + 1, reason: `${outcome.errorType}: ${outcome.errorMessage}`, retryInMs: delay, invokeRequestId: outcome.requestId });
        } else {
          this.fail(ev, 'RetriesExhausted');
        }
      }
    }
    this.pump(q);
  }

  private wait(q: FunctionQueue, ev: AsyncEvent): void {
    const i = q.waiting.findIndex((w) => w.readyAt > ev.readyAt);
    if (i < 0) q.waiting.push(ev);
    else q.waiting.splice(i, 0, ev);
  }

  private succeed(ev: AsyncEvent): void {
    const onSuccess = this.config(ev.functionName).onSuccess;
    if (onSuccess) this.sendToDestination(ev, onSuccess, 'Success');
  }

  /** The event ends without success: AsyncEventsDropped, its OnFailure destination and its dead-letter queue. */
  private fail(ev: AsyncEvent, condition: Exclude<AsyncCondition, 'Success'>): void {
    const q = this.queues.get(ev.functionName)!;
    q.stats.dropped++;
    if (condition === 'RetriesExhausted') q.stats.droppedRetriesExhausted++;
    else q.stats.droppedEventAgeExceeded++;
    this.put(ev.functionName, 'AsyncEventsDropped', 1, 'Count');
    const reason = ev.last?.kind === 'error' ? `${ev.last.errorType}: ${ev.last.errorMessage}` : 'throttled';
    this.logLine({ event: 'drop', condition, functionName: ev.functionName, requestId: ev.requestId, runs: ev.runs, ageMs: this.now() - ev.enqueuedAt, reason });
    const config = this.config(ev.functionName);
    if (config.onFailure) this.sendToDestination(ev, config.onFailure, condition);
    if (config.deadLetterArn) {
      const statusCode = ev.last ? 200 : 429;
      const message = ev.last?.kind === 'error' ? ev.last.errorMessage : condition === 'EventAgeExceeded' ? 'Event age exceeded: the function was throttled' : condition;
      const dlq = config.deadLetterArn;
      this.track(
        this.options.targets.deliver(dlq, deadLetterMessage(ev.payload, ev.requestId, statusCode, message), this.source(ev.functionName)).then(
          () => void q.stats.deadLettered++,
          (err: unknown) => {
            q.stats.deadLetterErrors++;
            this.put(ev.functionName, 'DeadLetterErrors', 1, 'Count');
            this.logLine({ event: 'dead-letter-failed', functionName: ev.functionName, requestId: ev.requestId, target: dlq, reason: errorText(err) });
          },
        ),
      );
    }
  }

  private sendToDestination(ev: AsyncEvent, arn: string, condition: AsyncCondition): void {
    const q = this.queues.get(ev.functionName)!;
    const record = invocationRecord({
      requestId: ev.requestId,
      functionArn: this.functionArn(ev.functionName),
      condition,
      invokeCount: ev.runs,
      event: ev.event,
      ...(ev.last ? { last: ev.last } : {}),
      timestamp: Date.now(),
    });
    this.track(
      this.options.targets.deliver(arn, destinationMessage(arn, record, this.options), this.source(ev.functionName)).then(
        () => void q.stats.destinationDeliveries++,
        (err: unknown) => {
          q.stats.destinationFailures++;
          this.put(ev.functionName, 'DestinationDeliveryFailures', 1, 'Count');
          this.logLine({ event: 'destination-failed', functionName: ev.functionName, requestId: ev.requestId, condition, target: arn, reason: errorText(err) });
        },
      ),
    );
  }

  private source(functionName: string): DeliverySource {
    return { service: 'lambda', arn: this.functionArn(functionName) };
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => {
      this.pending.delete(p);
      this.checkDrained();
    });
  }

  private isDrained(): boolean {
    if (this.pending.size > 0) return false;
    for (const q of this.queues.values()) if (q.ready.length > 0 || q.waiting.length > 0 || q.inFlight > 0) return false;
    return true;
  }

  private checkDrained(): void {
    if (this.drainWaiters.length > 0 && this.isDrained()) for (const w of this.drainWaiters.splice(0)) w();
  }

  private put(functionName: string, name: string, value: number, unit: string): void {
    this.options.metrics.put({ namespace: NAMESPACE, name, dimensions: { FunctionName: functionName }, value, unit, timestamp: Date.now() });
  }

  private logLine(fields: Record<string, unknown>): void {
    this.options.log?.(JSON.stringify(fields));
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
