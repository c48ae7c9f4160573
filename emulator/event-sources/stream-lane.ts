import type { InvokeOutcome, LambdaRuntime } from '../lambda/types.ts';
import type { StreamRecord } from '../dynamodb/streams/table-stream.ts';
import { backoffDelay, sleep, type Backoff } from './backoff.ts';
import { readBatchResponse } from './batch-response.ts';
import type { EventFilter } from './event-filter.ts';
import type { MappingMetrics } from './mapping-metrics.ts';
import type { StreamDiscardCondition } from './stream-failure-record.ts';

/** A stream mapping's settings, as a lane applies them (-1: no limit). */
export interface LaneSettings {
  functionName: string;
  /** the alias or version the mapping names */
  qualifier?: string;
  batchSize: number;
  windowMs: number;
  reportBatchItemFailures: boolean;
  bisect: boolean;
  maxRetries: number;
  maxRecordAgeMs: number;
}

/** The last attempt of a discarded batch, for its OnFailure record. */
export interface LastAttempt {
  requestId: string;
  statusCode: number;
  functionError?: string;
  invokeCount: number;
}

/** What a lane needs of its mapping. */
export interface LaneHost {
  readonly settings: LaneSettings;
  readonly runtime: LambdaRuntime;
  readonly metrics: MappingMetrics;
  readonly filter: EventFilter;
  readonly backoff: Backoff;
  readonly signal: AbortSignal;
  /** the clock record ages are read on */
  now(): number;
  /** records given up on: their OnFailure destination, or dropped */
  discard(records: StreamRecord[], shardId: string, condition: StreamDiscardCondition, last: LastAttempt): Promise<void>;
  counters: { batches: number; failedBatches: number; retries: number; bisects: number; busy: number; peakBusy: number; throttles: number; functionErrors: number; invalidResponses: number; partialBatches: number; largestBatch: number };
  onBusyChange(): void;
  log(fields: Record<string, unknown>): void;
}

/** The invocation payload's limit: a batch's records together. */
const MAX_BATCH_BYTES = 6 * 1024 * 1024;

/**
 * One of a shard's ParallelizationFactor lanes: the records of the keys hashed to it, in stream
 * order, one batch at a time. A batch that fails is retried, blocking the lane (what keeps an
 * item's records in order), until it succeeds, runs out of MaximumRetryAttempts or its records
 * outlive MaximumRecordAgeInSeconds; BisectBatchOnFunctionError splits a failing batch in two
 * (a split does not use a retry: each half starts its own count, which is what isolates a bad
 * record); a partial batch response checkpoints before the lowest failed sequence number and
 * retries from there.
 */
export class StreamLane {
  private buffer: Array<{ record: StreamRecord; arrivedAt: number }> = [];
  private draining: Promise<void> | undefined;
  private windowTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly shardId: string,
    private readonly host: LaneHost,
  ) {}

  get buffered(): number {
    return this.buffer.length;
  }

  get idle(): boolean {
    return this.draining === undefined && this.buffer.length === 0;
  }

  push(record: StreamRecord): void {
    this.buffer.push({ record, arrivedAt: performance.now() });
  }

  /** Start a batch if none runs and one is due. */
  pump(): void {
    if (this.draining || this.host.signal.aborted) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Resolves when the batch under way (if any) ends. */
  current(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  stop(): void {
    if (this.windowTimer) clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
  }

  private async drain(): Promise<void> {
    const { settings, signal } = this.host;
    while (!signal.aborted && this.buffer.length > 0) {
      if (settings.windowMs > 0 && this.buffer.length < settings.batchSize) {
        const wait = this.buffer[0]!.arrivedAt + settings.windowMs - performance.now();
        if (wait > 0) {
          // gather until the batching window ends (or the batch fills: the next push pumps)
          if (this.windowTimer) clearTimeout(this.windowTimer);
          this.windowTimer = setTimeout(() => {
            this.windowTimer = undefined;
            this.pump();
          }, wait);
          return;
        }
      }
      const batch = this.take();
      const records = this.host.filter.active ? batch.filter((r) => this.host.filter.matches(r)) : batch;
      this.host.metrics.count('FilteredOutEventCount', batch.length - records.length);
      if (records.length > 0) await this.run(records);
    }
  }

  private take(): StreamRecord[] {
    const out: StreamRecord[] = [];
    let bytes = 0;
    while (out.length < this.host.settings.batchSize && this.buffer.length > 0) {
      const size = Buffer.byteLength(JSON.stringify(this.buffer[0]!.record), 'utf8') + 1;
      if (out.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      out.push(this.buffer.shift()!.record);
    }
    return out;
  }

  /** One batch until it is done: succeeded, or given up on (its pieces, when bisected). */
  private async run(batch: StreamRecord[]): Promise<void> {
    const { settings, runtime, metrics, counters, signal } = this.host;
    const pieces: StreamRecord[][] = [batch];
    let attempts = 0;
    let invokeCount = 0;
    let streak = 0;
    counters.batches++;
    counters.largestBatch = Math.max(counters.largestBatch, batch.length);
    while (pieces.length > 0 && !signal.aborted) {
      const current = pieces[0]!;
      if (settings.maxRecordAgeMs >= 0 && this.host.now() - current[0]!.dynamodb.ApproximateCreationDateTime * 1000 > settings.maxRecordAgeMs) {
        await this.host.discard(current, this.shardId, 'RecordAgeExceeded', { requestId: '', statusCode: 200, invokeCount });
        pieces.shift();
        attempts = 0;
        continue;
      }
      metrics.iteratorAge(this.host.now() - current[current.length - 1]!.dynamodb.ApproximateCreationDateTime * 1000);
      metrics.count('InvokedEventCount', current.length);
      counters.busy++;
      counters.peakBusy = Math.max(counters.peakBusy, counters.busy);
      this.host.onBusyChange();
      let outcome: InvokeOutcome;
      try {
        outcome = await runtime.invoke(settings.functionName, { Records: current }, settings.qualifier === undefined ? {} : { qualifier: settings.qualifier });
      } catch (err) {
        // the runtime closed under the batch: the mapping is stopping, the batch is abandoned
        this.host.log({ event: 'batch-abandoned', shardId: this.shardId, records: current.length, reason: err instanceof Error ? err.message : String(err) });
        return;
      } finally {
        counters.busy--;
        this.host.onBusyChange();
      }
      invokeCount++;
      const failure = this.failureOf(outcome, current);
      if (!failure) {
        pieces.shift();
        attempts = 0;
        streak = 0;
        continue;
      }
      metrics.count('FailedInvokeEventCount', failure.failed.length);
      pieces[0] = failure.failed;
      const last: LastAttempt = {
        requestId: outcome.requestId,
        statusCode: outcome.kind === 'throttled' ? 429 : 200,
        ...(outcome.kind === 'error' ? { functionError: 'Unhandled' } : {}),
        invokeCount,
      };
      this.host.log({ event: 'batch-failed', shardId: this.shardId, reason: failure.reason, records: failure.failed.length, firstSequenceNumber: failure.failed[0]!.dynamodb.SequenceNumber, requestId: outcome.requestId });
      if (outcome.kind !== 'throttled') {
        attempts++;
        counters.failedBatches++;
        if (settings.bisect && outcome.kind === 'error' && failure.failed.length > 1) {
          const half = Math.ceil(failure.failed.length / 2);
          pieces.splice(0, 1, failure.failed.slice(0, half), failure.failed.slice(half));
          counters.bisects++;
          attempts = 0;
          continue;
        }
        if (settings.maxRetries >= 0 && attempts > settings.maxRetries) {
          await this.host.discard(failure.failed, this.shardId, 'RetryAttemptsExhausted', last);
          pieces.shift();
          attempts = 0;
          continue;
        }
      }
      counters.retries++;
      streak++;
      await sleep(backoffDelay(streak, this.host.backoff), signal);
    }
  }

  /** What of `current` failed, or undefined when it all succeeded. */
  private failureOf(outcome: InvokeOutcome, current: StreamRecord[]): { failed: StreamRecord[]; reason: string } | undefined {
    const { counters, settings } = this.host;
    if (outcome.kind === 'throttled') {
      counters.throttles++;
      return { failed: current, reason: `throttled (${outcome.reason})` };
    }
    if (outcome.kind === 'error') {
      counters.functionErrors++;
      return { failed: current, reason: `${outcome.errorType}: ${outcome.errorMessage}` };
    }
    if (!settings.reportBatchItemFailures) return undefined;
    const verdict = readBatchResponse(outcome.result, new Set(current.map((r) => r.dynamodb.SequenceNumber)));
    if (verdict.kind === 'success') return undefined;
    if (verdict.kind === 'invalid') {
      counters.invalidResponses++;
      return { failed: current, reason: `invalid batchItemFailures response: ${verdict.reason}` };
    }
    // checkpoint before the lowest failed sequence number: what came before it is done
    counters.partialBatches++;
    const failed = new Set(verdict.failed);
    const from = current.findIndex((r) => failed.has(r.dynamodb.SequenceNumber));
    return { failed: current.slice(from), reason: `batchItemFailures from ${current[from]!.dynamodb.SequenceNumber}` };
  }
}
