import { setMaxListeners } from 'node:events';
import type { InvokeOutcome, LambdaRuntime } from '../lambda/types.ts';
import type { MetricSink } from '../cloudwatch/types.ts';
import type { PolledQueue, ReceivedMessage } from '../sqs/polled-queue.ts';
import type { EventSourceMappingDescription } from '../stack-model/stack-description.ts';
import { DEFAULT_BACKOFF, backoffDelay, sleep, type Backoff } from './backoff.ts';
import { readBatchResponse } from './batch-response.ts';
import { EventFilter } from './event-filter.ts';
import { MappingMetrics } from './mapping-metrics.ts';
import { mappingUuid } from './mapping-uuid.ts';
import { SQS_SCALING, SqsScaling } from './sqs-scaling.ts';
import { recordBytes, sqsFilterView, sqsRecord, type SqsRecord } from './sqs-records.ts';

/** AWS's limits for an SQS mapping's batches. */
export const SQS_MAPPING_LIMITS = {
  /** an invocation's payload, the batch's records together */
  maxBatchBytes: 6 * 1024 * 1024,
  /** messages per ReceiveMessage */
  maxPerReceive: 10,
  /** Lambda's pollers long-poll 20 s */
  longPollMs: 20_000,
} as const;

export interface SqsMappingOptions {
  mapping: EventSourceMappingDescription;
  queue: PolledQueue;
  runtime: LambdaRuntime;
  metrics: MetricSink;
  region: string;
  /** default: mappingUuid(mapping) */
  uuid?: string;
  /** One JSON line per failed or partly failed batch (`{"event":"batch-failed"|"batch-partial", …}`): a loss's cause names the hop. */
  log?: (line: string) => void;
  /** The clock scaling reads (tests move it by minutes); waits still run in real time. */
  now?: () => number;
  /** Each ReceiveMessage's long-poll wait; default 20 s. */
  longPollMs?: number;
  /** How often scaling is looked at (real time); default 1 s. */
  scaleEveryMs?: number;
  /** A poller's wait after a failed batch; default 1 s doubling to 30 s. */
  backoff?: Backoff;
}

export interface SqsMappingStats {
  uuid: string;
  functionName: string;
  queueArn: string;
  state: 'Disabled' | 'Enabled' | 'Stopped';
  /** batches it may run at once, as scaling has it now */
  allowedConcurrency: number;
  /** batches being invoked now */
  busy: number;
  /** the most batches invoked at once so far */
  peakBusy: number;
  batches: number;
  failedBatches: number;
  partialBatches: number;
  functionErrors: number;
  throttles: number;
  invalidResponses: number;
  largestBatch: number;
  polled: number;
  invoked: number;
  filteredOut: number;
  failedInvoke: number;
  deleted: number;
}

/**
 * A Lambda event source mapping on an SQS queue, as AWS runs one: pollers long-poll the queue and
 * gather batches (BatchSize, MaximumBatchingWindowInSeconds, 6 MB), invoke the function
 * synchronously with the SQS event, delete what succeeded and leave the rest to come back after
 * the visibility timeout (redrive to a dead-letter queue is the queue's). Concurrency scales as
 * sqs-scaling.ts says; a FIFO queue's groups are kept in order by the queue (a group in flight is
 * not received again), so a group has one batch at a time.
 */
export class SqsEventSourceMapping {
  readonly uuid: string;
  private readonly metrics: MappingMetrics;
  private readonly filter: EventFilter;
  private readonly scaling: SqsScaling;
  private readonly now: () => number;
  private readonly backoff: Backoff;
  private readonly longPollMs: number;
  private abort = pollerAbort();
  private state: SqsMappingStats['state'];
  private pollers = 0;
  private busy = 0;
  private busyPeakSinceTick = 0;
  private scaleTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly loops = new Set<Promise<void>>();
  private readonly counters = { peakBusy: 0, batches: 0, failedBatches: 0, partialBatches: 0, functionErrors: 0, throttles: 0, invalidResponses: 0, largestBatch: 0 };

  constructor(private readonly options: SqsMappingOptions) {
    const { mapping, runtime } = options;
    this.uuid = options.uuid ?? mappingUuid(mapping);
    this.metrics = new MappingMetrics(options.metrics, mapping.functionName, this.uuid);
    this.filter = new EventFilter(mapping.filters);
    this.now = options.now ?? Date.now;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.longPollMs = options.longPollMs ?? SQS_MAPPING_LIMITS.longPollMs;
    const reserved = runtime.functionConfig(mapping.functionName)?.reservedConcurrency;
    const ceiling = Math.max(1, Math.min(SQS_SCALING.max, mapping.maximumConcurrency ?? Infinity, reserved ?? Infinity));
    this.scaling = new SqsScaling(ceiling, this.now);
    this.state = mapping.enabled ? 'Stopped' : 'Disabled';
  }

  /** Start polling (a disabled mapping stays idle). */
  start(): void {
    if (this.state !== 'Stopped' || this.abort.signal.aborted) return;
    this.state = 'Enabled';
    this.scaleTimer = setInterval(() => this.tick(), this.options.scaleEveryMs ?? 1_000);
    this.scaleTimer.unref();
    this.fillPollers();
  }

  /**
   * Stop polling: receives waiting are cut short; batches being invoked get up to `boundMs` to
   * finish and be deleted, else are abandoned (their messages come back after the visibility
   * timeout, as a stopped mapping's do on AWS).
   */
  async stop(boundMs = 5_000): Promise<void> {
    if (this.state === 'Enabled') this.state = 'Stopped';
    this.abort.abort();
    if (this.scaleTimer) clearInterval(this.scaleTimer);
    this.scaleTimer = undefined;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, boundMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.inFlight, ...this.loops]), bound]);
    if (timer) clearTimeout(timer);
  }

  stats(): SqsMappingStats {
    const c = this.metrics.counts;
    return {
      uuid: this.uuid,
      functionName: this.options.mapping.functionName,
      queueArn: this.options.queue.arn,
      state: this.state,
      allowedConcurrency: this.scaling.allowed,
      busy: this.busy,
      ...this.counters,
      polled: c.PolledEventCount,
      invoked: c.InvokedEventCount,
      filteredOut: c.FilteredOutEventCount,
      failedInvoke: c.FailedInvokeEventCount,
      deleted: c.DeletedEventCount,
    };
  }

  private get running(): boolean {
    return this.state === 'Enabled' && !this.abort.signal.aborted;
  }

  private tick(): void {
    if (!this.running) return;
    const depth = this.options.queue.depth();
    this.scaling.evaluate(depth.visible > 0);
    this.metrics.concurrency(this.busyPeakSinceTick, this.scaling.allowed);
    this.busyPeakSinceTick = this.busy;
    this.fillPollers();
  }

  /** As many pollers as scaling allows; those beyond it end after their current round. */
  private fillPollers(): void {
    while (this.running && this.pollers < this.scaling.allowed) {
      this.pollers++;
      const loop = this.poll();
      this.loops.add(loop);
      void loop.finally(() => this.loops.delete(loop));
    }
  }

  private async poll(): Promise<void> {
    let failures = 0;
    try {
      while (this.running && this.pollers <= this.scaling.allowed) {
        const askedAt = performance.now();
        const records = await this.gather();
        if (records.length === 0) {
          // a receive that came back empty long before its wait (another poller took what woke
          // it) is followed by a short pause, so an idle poller never spins
          if (performance.now() - askedAt < this.longPollMs / 2) await sleep(Math.min(100, this.longPollMs), this.abort.signal);
          continue;
        }
        // stopped while gathering: not invoked, back after the visibility timeout
        if (!this.running) break;
        const ok = await this.process(records);
        if (ok) {
          failures = 0;
        } else {
          failures++;
          await sleep(backoffDelay(failures, this.backoff), this.abort.signal);
        }
      }
    } catch (err) {
      this.logLine({ event: 'poller-failed', reason: err instanceof Error ? err.message : String(err) });
    } finally {
      this.pollers--;
    }
  }

  /** One batch: up to BatchSize messages within the batching window, at most 6 MB. */
  private async gather(): Promise<SqsRecord[]> {
    const { mapping, queue } = this.options;
    const batchSize = Math.max(1, mapping.batchSize);
    const windowMs = queue.fifo ? 0 : mapping.maximumBatchingWindowSeconds * 1000;
    const records: SqsRecord[] = [];
    let bytes = 0;
    let full = false;
    const add = (messages: ReceivedMessage[]) => {
      for (const m of messages) {
        const record = sqsRecord(m, queue.arn, this.options.region);
        const size = recordBytes(record);
        if (full || (records.length > 0 && bytes + size > SQS_MAPPING_LIMITS.maxBatchBytes)) {
          // beyond 6 MB: back on the queue at once, for the next batch
          full = true;
          queue.changeVisibility(m.receiptHandle, 0);
          continue;
        }
        records.push(record);
        bytes += size;
      }
    };
    const first = await queue.receive(Math.min(SQS_MAPPING_LIMITS.maxPerReceive, batchSize), this.longPollMs, this.abort.signal);
    this.metrics.count('PolledEventCount', first.length);
    add(first);
    if (records.length === 0 || windowMs <= 0) return records;
    const deadline = performance.now() + windowMs;
    while (!full && records.length < batchSize && this.running) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      const more = await queue.receive(Math.min(SQS_MAPPING_LIMITS.maxPerReceive, batchSize - records.length), left, this.abort.signal);
      this.metrics.count('PolledEventCount', more.length);
      add(more);
    }
    return records;
  }

  /** Invoke with one batch and settle its messages; false when the batch failed (the poller backs off). */
  private async process(all: SqsRecord[]): Promise<boolean> {
    const { mapping, queue, runtime } = this.options;
    const records = this.filter.active ? all.filter((r) => this.filter.matches(sqsFilterView(r))) : all;
    if (records.length < all.length) {
      // filtered out: deleted, as AWS deletes messages no filter matched
      const kept = new Set(records);
      for (const r of all) if (!kept.has(r)) queue.delete(r.receiptHandle);
      this.metrics.count('FilteredOutEventCount', all.length - records.length);
    }
    if (records.length === 0) return true;

    this.busy++;
    this.busyPeakSinceTick = Math.max(this.busyPeakSinceTick, this.busy);
    this.counters.peakBusy = Math.max(this.counters.peakBusy, this.busy);
    this.counters.batches++;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, records.length);
    this.metrics.count('InvokedEventCount', records.length);
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    this.inFlight.add(done);
    try {
      let outcome: InvokeOutcome;
      try {
        outcome = await runtime.invoke(mapping.functionName, { Records: records }, mapping.qualifier === undefined ? {} : { qualifier: mapping.qualifier });
      } catch (err) {
        // the runtime closed under the batch: it is abandoned, back after the visibility timeout
        this.logLine({ event: 'batch-abandoned', messages: records.length, reason: err instanceof Error ? err.message : String(err) });
        return false;
      }
      return this.settle(records, outcome);
    } finally {
      this.busy--;
      this.inFlight.delete(done);
      settle();
    }
  }

  private settle(records: SqsRecord[], outcome: InvokeOutcome): boolean {
    const { mapping, queue } = this.options;
    const fail = (reason: string, failed: SqsRecord[]) => {
      this.counters.failedBatches++;
      this.metrics.count('FailedInvokeEventCount', failed.length);
      this.scaling.scaleDown();
      this.logLine({ event: 'batch-failed', reason, messages: failed.length, messageIds: failed.map((r) => r.messageId), ...('requestId' in outcome ? { requestId: outcome.requestId } : {}) });
      return false;
    };
    if (outcome.kind === 'throttled') {
      this.counters.throttles++;
      return fail(`throttled (${outcome.reason})`, records);
    }
    if (outcome.kind === 'error') {
      this.counters.functionErrors++;
      return fail(`${outcome.errorType}: ${outcome.errorMessage}`, records);
    }
    let failedIds = new Set<string>();
    if (mapping.reportBatchItemFailures) {
      const verdict = readBatchResponse(outcome.result, new Set(records.map((r) => r.messageId)));
      if (verdict.kind === 'invalid') {
        this.counters.invalidResponses++;
        return fail(`invalid batchItemFailures response: ${verdict.reason}`, records);
      }
      if (verdict.kind === 'partial') failedIds = new Set(verdict.failed);
    }
    let deleted = 0;
    for (const r of records) {
      if (failedIds.has(r.messageId)) continue;
      queue.delete(r.receiptHandle);
      deleted++;
    }
    this.metrics.count('DeletedEventCount', deleted);
    if (failedIds.size > 0) {
      // a partial failure is not an error of the batch: no back-off, no scaling down
      this.counters.partialBatches++;
      this.metrics.count('FailedInvokeEventCount', failedIds.size);
      this.logLine({ event: 'batch-partial', reason: 'batchItemFailures', messages: failedIds.size, messageIds: [...failedIds], requestId: outcome.requestId });
    }
    return true;
  }

  private logLine(fields: Record<string, unknown>): void {
    this.options.log?.(JSON.stringify({ ...fields, uuid: this.uuid, functionName: this.options.mapping.functionName, source: this.options.queue.arn }));
  }
}

/**
 * The signal every poller of a mapping waits on: up to 1,000 long polls listen to it at once, so
 * Node's warning at 11 listeners (meant to catch a leak) is off for it; each poll removes its
 * listener when it ends (sqs-queue.ts).
 */
function pollerAbort(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
