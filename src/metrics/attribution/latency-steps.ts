import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { STACK_STEPS_MAX, type StackOverTime } from '../../contracts/attribution-schema.ts';

/**
 * One kind of latency in steps of time (the stack's, for the report's charts): a small histogram
 * per step, made when the step gets its first request. Packed, 2 significant digits: a chart's
 * p50 and p99 need no more, and a run of STACK_STEPS_MAX steps stays a few MB however many
 * requests it has.
 */
export class LatencySteps {
  private readonly steps: Array<Histogram | undefined>;

  constructor(
    private readonly startMs: number,
    readonly stepMs: number,
    count: number,
  ) {
    this.steps = new Array<Histogram | undefined>(count);
  }

  /** A request of `us` µs that completed at `atMs` (epoch ms); outside the window it is not drawn. */
  record(atMs: number, us: number): void {
    const k = Math.floor((atMs - this.startMs) / this.stepMs);
    if (!(k >= 0 && k < this.steps.length)) return;
    let h = this.steps[k];
    if (h === undefined) {
      h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 2, autoResize: true, bitBucketSize: 'packed', useWebAssembly: false });
      this.steps[k] = h;
    }
    h.recordValue(us);
  }

  summaries(): StackOverTime['connect'] {
    return Array.from(this.steps, (h) => {
      if (h === undefined || h.totalCount === 0) return null;
      const s = { count: h.totalCount, p50: h.getValueAtPercentile(50) / 1000, p99: h.getValueAtPercentile(99) / 1000 };
      h.destroy();
      return s;
    });
  }
}

/** The steps of a window: the run's 1 s intervals, longer so that there are at most STACK_STEPS_MAX. */
export function stepsOf(window: { startMs: number; endMs: number }): { stepMs: number; count: number } {
  const spanMs = Math.max(1, window.endMs - window.startMs);
  const stepMs = Math.max(1000, Math.ceil(spanMs / STACK_STEPS_MAX / 1000) * 1000);
  return { stepMs, count: Math.ceil(spanMs / stepMs) };
}
