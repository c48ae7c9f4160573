import { createHash } from 'node:crypto';
import type { LambdaRuntime } from '../lambda/types.ts';
import type { MetricSink } from '../cloudwatch/types.ts';
import type { ServiceTargets } from '../service-targets.ts';
import type { StreamRecord, TableStream } from '../dynamodb/streams/table-stream.ts';
import type { EventSourceMappingDescription } from '../stack-model/stack-description.ts';
import { DEFAULT_BACKOFF, type Backoff } from './backoff.ts';
import { EventFilter } from './event-filter.ts';
import { MappingMetrics } from './mapping-metrics.ts';
import { mappingUuid } from './mapping-uuid.ts';
import { streamFailureRecord, type StreamDiscardCondition } from './stream-failure-record.ts';
import { StreamLane, type LaneHost, type LaneSettings, type LastAttempt } from './stream-lane.ts';

/** AWS's numbers for a DynamoDB stream mapping. */
export const STREAM_MAPPING_DEFAULTS = {
  /** each shard is polled 4 times a second */
  pollEveryMs: 250,
  /** records per GetRecords */
  readMax: 1_000,
} as const;

export interface StreamMappingOptions {
  mapping: EventSourceMappingDescription;
  stream: TableStream;
  runtime: LambdaRuntime;
  metrics: MetricSink;
  region: string;
  accountId: string;
  /** Where the OnFailure destination (an SQS queue or SNS topic) is reached. */
  targets?: ServiceTargets;
  /** default: mappingUuid(mapping) */
  uuid?: string;
  /** One JSON line per failed batch and per discard (`{"event":"batch-failed"|"discarded", …}`). */
  log?: (line: string) => void;
  /** The clock record ages are read on (IteratorAge, MaximumRecordAgeInSeconds). */
  now?: () => number;
  pollEveryMs?: number;
  /** The wait before a failed batch is retried; default 1 s doubling to 30 s (the emulator's). */
  backoff?: Backoff;
}

export interface StreamMappingStats {
  uuid: string;
  functionName: string;
  streamArn: string;
  state: 'Disabled' | 'Enabled' | 'Stopped';
  lanes: number;
  busy: number;
  peakBusy: number;
  /** records read and waiting for their lane */
  buffered: number;
  batches: number;
  failedBatches: number;
  partialBatches: number;
  retries: number;
  bisects: number;
  throttles: number;
  functionErrors: number;
  invalidResponses: number;
  largestBatch: number;
  polled: number;
  invoked: number;
  filteredOut: number;
  failedInvoke: number;
  dropped: number;
  onFailureDelivered: number;
  /** the last sequence number read, per shard */
  positions: Record<string, string | undefined>;
}

/**
 * A Lambda event source mapping on a table's DynamoDB stream, as AWS runs one: each shard is read
 * 4 times a second (and as soon as records are appended), from TRIM_HORIZON or LATEST; its records
 * go to ParallelizationFactor lanes by a hash of their Keys, so an item's records keep their order;
 * each lane invokes the function with one batch at a time (stream-lane.ts: BatchSize, batching
 * window, retries, bisection, partial responses); records given up on go to the OnFailure
 * destination as a record of where they are in the stream.
 */
export class StreamEventSourceMapping {
  readonly uuid: string;
  private readonly metrics: MappingMetrics;
  private readonly host: LaneHost;
  private readonly parallelization: number;
  private readonly lanes = new Map<string, StreamLane[]>();
  private readonly positions = new Map<string, string | undefined>();
  private readonly abort = new AbortController();
  private readonly pendingDiscards = new Set<Promise<void>>();
  private state: StreamMappingStats['state'];
  private pollTimer: NodeJS.Timeout | undefined;
  private gaugeTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readScheduled = false;
  private busyPeakSinceTick = 0;
  private readonly discardCounts = { dropped: 0, onFailureDelivered: 0 };

  constructor(private readonly options: StreamMappingOptions) {
    const { mapping } = options;
    this.uuid = options.uuid ?? mappingUuid(mapping);
    this.metrics = new MappingMetrics(options.metrics, mapping.functionName, this.uuid);
    this.parallelization = Math.max(1, Math.min(10, mapping.parallelizationFactor ?? 1));
    const settings: LaneSettings = {
      functionName: mapping.functionName,
      ...(mapping.qualifier !== undefined ? { qualifier: mapping.qualifier } : {}),
      batchSize: Math.max(1, mapping.batchSize),
      windowMs: mapping.maximumBatchingWindowSeconds * 1000,
      reportBatchItemFailures: mapping.reportBatchItemFailures,
      bisect: mapping.bisectBatchOnFunctionError ?? false,
      maxRetries: mapping.maximumRetryAttempts ?? -1,
      maxRecordAgeMs: (mapping.maximumRecordAgeSeconds ?? -1) < 0 ? -1 : mapping.maximumRecordAgeSeconds! * 1000,
    };
    const now = options.now ?? Date.now;
    this.host = {
      settings,
      runtime: options.runtime,
      metrics: this.metrics,
      filter: new EventFilter(mapping.filters),
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      signal: this.abort.signal,
      now,
      discard: (records, shardId, condition, last) => this.discard(records, shardId, condition, last),
      counters: { batches: 0, failedBatches: 0, retries: 0, bisects: 0, busy: 0, peakBusy: 0, throttles: 0, functionErrors: 0, invalidResponses: 0, partialBatches: 0, largestBatch: 0 },
      onBusyChange: () => {
        this.busyPeakSinceTick = Math.max(this.busyPeakSinceTick, this.host.counters.busy);
        // a lane that finished may free room to read more
        if (this.host.counters.busy === 0) this.scheduleRead();
      },
      log: (fields) => this.logLine(fields),
    };
    this.state = mapping.enabled ? 'Stopped' : 'Disabled';
  }

  start(): void {
    if (this.state !== 'Stopped' || this.abort.signal.aborted) return;
    this.state = 'Enabled';
    const { stream, mapping } = this.options;
    const latest = mapping.startingPosition === 'LATEST' ? stream.latestSequence() : undefined;
    for (const shard of stream.shards()) this.positions.set(shard, latest);
    this.unsubscribe = stream.onAppend(() => this.scheduleRead());
    this.pollTimer = setInterval(() => this.read(), this.options.pollEveryMs ?? STREAM_MAPPING_DEFAULTS.pollEveryMs);
    this.pollTimer.unref();
    this.gaugeTimer = setInterval(() => {
      this.metrics.concurrency(this.busyPeakSinceTick, this.lanes.size * this.parallelization);
      this.busyPeakSinceTick = this.host.counters.busy;
    }, 1_000);
    this.gaugeTimer.unref();
    this.read();
  }

  /**
   * Stop reading; batches being invoked get up to `boundMs` to finish (their retries and back-offs
   * are cut short); records read but not yet invoked are left (a new mapping reads from its own
   * starting position).
   */
  async stop(boundMs = 5_000): Promise<void> {
    if (this.state === 'Enabled') this.state = 'Stopped';
    this.abort.abort();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.gaugeTimer) clearInterval(this.gaugeTimer);
    this.pollTimer = this.gaugeTimer = undefined;
    const lanes = [...this.lanes.values()].flat();
    for (const lane of lanes) lane.stop();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, boundMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...lanes.map((l) => l.current()), ...this.pendingDiscards]), bound]);
    if (timer) clearTimeout(timer);
  }

  stats(): StreamMappingStats {
    const c = this.metrics.counts;
    const { busy: _busy, ...counters } = this.host.counters;
    const lanes = [...this.lanes.values()].flat();
    return {
      uuid: this.uuid,
      functionName: this.options.mapping.functionName,
      streamArn: this.options.stream.arn,
      state: this.state,
      lanes: lanes.length,
      busy: this.host.counters.busy,
      buffered: lanes.reduce((n, l) => n + l.buffered, 0),
      ...counters,
      polled: c.PolledEventCount,
      invoked: c.InvokedEventCount,
      filteredOut: c.FilteredOutEventCount,
      failedInvoke: c.FailedInvokeEventCount,
      ...this.discardCounts,
      positions: Object.fromEntries(this.positions),
    };
  }

  private get running(): boolean {
    return this.state === 'Enabled' && !this.abort.signal.aborted;
  }

  private scheduleRead(): void {
    if (this.readScheduled || !this.running) return;
    this.readScheduled = true;
    setImmediate(() => {
      this.readScheduled = false;
      this.read();
    });
  }

  /** Read every shard past its position into its lanes, unless its lanes hold enough already. */
  private read(): void {
    if (!this.running) return;
    const { stream } = this.options;
    const bufferLimit = this.parallelization * Math.max(this.host.settings.batchSize, 100) * 4;
    for (const shard of stream.shards()) {
      // a shard that appeared after the start is read from its beginning
      if (!this.positions.has(shard)) this.positions.set(shard, undefined);
      const lanes = this.lanesOf(shard);
      let buffered = lanes.reduce((n, l) => n + l.buffered, 0);
      while (buffered < bufferLimit) {
        const records = stream.read(shard, this.positions.get(shard), STREAM_MAPPING_DEFAULTS.readMax);
        if (records.length === 0) break;
        this.positions.set(shard, records[records.length - 1]!.dynamodb.SequenceNumber);
        this.metrics.count('PolledEventCount', records.length);
        for (const r of records) lanes[this.laneOf(r)]!.push(r);
        buffered += records.length;
        if (records.length < STREAM_MAPPING_DEFAULTS.readMax) break;
      }
      for (const lane of lanes) lane.pump();
    }
  }

  private lanesOf(shard: string): StreamLane[] {
    let lanes = this.lanes.get(shard);
    if (!lanes) {
      lanes = Array.from({ length: this.parallelization }, () => new StreamLane(shard, this.host));
      this.lanes.set(shard, lanes);
    }
    return lanes;
  }

  /** The lane of a record: a hash of its item's key, so one item's records share a lane. */
  private laneOf(record: StreamRecord): number {
    if (this.parallelization === 1) return 0;
    const key = JSON.stringify(Object.keys(record.dynamodb.Keys).sort().map((k) => [k, record.dynamodb.Keys[k]]));
    return createHash('md5').update(key).digest().readUInt32BE(0) % this.parallelization;
  }

  private async discard(records: StreamRecord[], shardId: string, condition: StreamDiscardCondition, last: LastAttempt): Promise<void> {
    const { mapping, targets, stream } = this.options;
    const destination = mapping.onFailure;
    const work = (async () => {
      let delivered = false;
      if (destination && targets) {
        const functionArn = `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${mapping.functionName}`;
        const record = streamFailureRecord({
          requestId: last.requestId,
          functionArn,
          condition,
          invokeCount: last.invokeCount,
          ...(last.functionError ? { functionError: last.functionError } : {}),
          statusCode: last.statusCode,
          shardId,
          streamArn: stream.arn,
          records,
          timestamp: Date.now(),
        });
        try {
          await targets.deliver(destination, { body: JSON.stringify(record) }, { service: 'lambda', arn: functionArn });
          delivered = true;
        } catch (err) {
          this.options.metrics.put({ namespace: 'AWS/Lambda', name: 'DestinationDeliveryFailures', dimensions: { FunctionName: mapping.functionName }, value: 1, unit: 'Count', timestamp: Date.now() });
          this.logLine({ event: 'destination-failed', target: destination, reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
        }
      }
      if (delivered) {
        this.discardCounts.onFailureDelivered += records.length;
        this.metrics.count('OnFailureDestinationDeliveredEventCount', records.length);
      } else {
        this.discardCounts.dropped += records.length;
        this.metrics.count('DroppedEventCount', records.length);
      }
      this.logLine({
        event: 'discarded',
        condition,
        shardId,
        records: records.length,
        startSequenceNumber: records[0]!.dynamodb.SequenceNumber,
        endSequenceNumber: records[records.length - 1]!.dynamodb.SequenceNumber,
        ...(delivered ? { destination } : {}),
      });
    })();
    this.pendingDiscards.add(work);
    try {
      await work;
    } finally {
      this.pendingDiscards.delete(work);
    }
  }

  private logLine(fields: Record<string, unknown>): void {
    this.options.log?.(JSON.stringify({ ...fields, uuid: this.uuid, functionName: this.options.mapping.functionName, source: this.options.stream.arn }));
  }
}
