import type { MeterSink } from './table-metrics.ts';
import type { FromDynamoWorker } from './worker-messages.ts';
import type { MetricSink } from '../cloudwatch/types.ts';

/**
 * The worker's side of the AWS/DynamoDB metrics (and of the front's probe reach stamps, whose
 * series name their own namespace): each series is announced once, then datums
 * travel as number triples in one typed array per flush, so a few thousand calls a second cost
 * the stack's thread one message per tenth of a second, not one per datum.
 */
export class MetricBatch implements MeterSink {
  private readonly ids = new Map<string, number>();
  private datums: number[] = [];
  private sentCounters = '';
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly post: (message: FromDynamoWorker) => void,
    private readonly counters: () => { calls: number; throttled: number; cpuMs: number },
    flushMs = 100,
  ) {
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
  }

  put(metric: string, unit: string, value: number, dimensions: Record<string, string>, namespace?: string): void {
    let key = `${namespace ?? ''}\u0000${metric}\u0000${unit}`;
    for (const name in dimensions) key += `\u0000${name}=${dimensions[name]}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
      this.post({ type: 'series', id, name: metric, unit, dimensions: { ...dimensions }, ...(namespace ? { namespace } : {}) });
    }
    this.datums.push(id, value, Date.now());
  }

  flush(): void {
    const { calls, throttled, cpuMs } = this.counters();
    const counters = `${calls}/${throttled}/${Math.floor(cpuMs)}`;
    if (this.datums.length === 0 && counters === this.sentCounters) return;
    this.sentCounters = counters;
    const datums = Float64Array.from(this.datums);
    this.datums = [];
    this.post({ type: 'data', datums, calls, throttled, cpuMs });
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

/** The receiving side of MetricBatch: turns its messages back into AWS/DynamoDB data points. */
export function metricBatchReader(sink: MetricSink): (message: FromDynamoWorker) => void {
  const series = new Map<number, { namespace: string; name: string; unit: string; dimensions: Record<string, string> }>();
  return (msg) => {
    if (msg.type === 'series') {
      series.set(msg.id, { namespace: msg.namespace ?? 'AWS/DynamoDB', name: msg.name, unit: msg.unit, dimensions: Object.freeze(msg.dimensions) as Record<string, string> });
    } else if (msg.type === 'data') {
      const d = msg.datums;
      for (let i = 0; i + 2 < d.length; i += 3) {
        const s = series.get(d[i]!);
        if (s) sink.put({ namespace: s.namespace, name: s.name, dimensions: s.dimensions, value: d[i + 1]!, unit: s.unit, timestamp: d[i + 2]! });
      }
    }
  };
}
