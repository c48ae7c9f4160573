import type { MetricSink } from '../cloudwatch/types.ts';

/**
 * An event source mapping's metrics. AWS's (Lambda developer guide, "Event source mapping
 * metrics"): the event counts in AWS/Lambda by EventSourceMappingUUID, and IteratorAge (streams)
 * by FunctionName. The emulator's own, in a namespace of its own because AWS publishes nothing
 * like it: how many batches the mapping runs at once (the most in each second) and how many it may
 * run (its pollers as scaling sets them), by EventSourceMappingUUID and FunctionName, for the
 * per-hop view to draw the mapping scaling.
 */
export const ESM_EVENT_COUNTS = [
  'PolledEventCount',
  'InvokedEventCount',
  'FilteredOutEventCount',
  'FailedInvokeEventCount',
  'DeletedEventCount',
  'DroppedEventCount',
  'OnFailureDestinationDeliveredEventCount',
] as const;
export type EsmEventCount = (typeof ESM_EVENT_COUNTS)[number];

export const ESM_EMULATOR_NAMESPACE = 'FanoutBench/Emulator';
export const ESM_EMULATOR_METRIC = {
  /** batches being invoked at once, the most within each second */
  concurrency: 'EventSourceMappingConcurrency',
  /** batches the mapping may invoke at once (SQS: scaling's current level; streams: lanes) */
  allowed: 'EventSourceMappingAllowedConcurrency',
} as const;

export class MappingMetrics {
  readonly counts = Object.fromEntries(ESM_EVENT_COUNTS.map((n) => [n, 0])) as Record<EsmEventCount, number>;

  constructor(
    private readonly sink: MetricSink,
    private readonly functionName: string,
    private readonly uuid: string,
  ) {}

  count(name: EsmEventCount, n: number): void {
    if (n <= 0) return;
    this.counts[name] += n;
    this.sink.put({ namespace: 'AWS/Lambda', name, dimensions: { EventSourceMappingUUID: this.uuid }, value: n, unit: 'Count', timestamp: Date.now() });
  }

  /** Streams: ms from the newest record of a batch entering the stream to its invocation. */
  iteratorAge(ms: number): void {
    this.sink.put({ namespace: 'AWS/Lambda', name: 'IteratorAge', dimensions: { FunctionName: this.functionName }, value: Math.max(0, ms), unit: 'Milliseconds', timestamp: Date.now() });
  }

  /** The emulator's gauges, once a second. */
  concurrency(busy: number, allowed: number): void {
    const dimensions = { EventSourceMappingUUID: this.uuid, FunctionName: this.functionName };
    const timestamp = Date.now();
    this.sink.put({ namespace: ESM_EMULATOR_NAMESPACE, name: ESM_EMULATOR_METRIC.concurrency, dimensions, value: busy, unit: 'Count', timestamp });
    this.sink.put({ namespace: ESM_EMULATOR_NAMESPACE, name: ESM_EMULATOR_METRIC.allowed, dimensions, value: allowed, unit: 'Count', timestamp });
  }
}
