import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { now } from '../../clock.ts';

/**
 * The lag histograms' sampling period, ms. Every tick wakes the process: at 10 ms an idle shard
 * spent ~3.5 ms CPU a second on it here, 20 ms halves that, and a 20 ms grain still resolves
 * the 50 ms lag p99 that calls a shard saturated (saturation.ts).
 */
const LAG_RESOLUTION_MS = 20;

/**
 * A process watching itself: event-loop lag (perf_hooks) per interval and over the whole run, CPU
 * time and RSS. A harness whose loop lags or whose core is pegged measures its own queueing, not
 * the system's, and the run must say so.
 */
export interface SelfSample {
  lagP99Ms: number;
  lagMaxMs: number;
  /** user + system CPU since the previous sample, µs */
  cpuMicros: number;
  /** wall time since the previous sample, ms */
  wallMs: number;
  rssBytes: number;
  runLagP99Ms: number;
  runLagMaxMs: number;
}

const nsToMs = (ns: number) => (Number.isFinite(ns) ? Math.round(ns / 1e3) / 1e3 : 0);

export class SelfWatch {
  private readonly interval: IntervalHistogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  private readonly run: IntervalHistogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  private lastCpu = process.cpuUsage();
  private lastWall = now();

  start(): this {
    this.interval.enable();
    this.run.enable();
    this.lastCpu = process.cpuUsage();
    this.lastWall = now();
    return this;
  }

  sample(): SelfSample {
    const cpu = process.cpuUsage(this.lastCpu);
    this.lastCpu = process.cpuUsage();
    const t = now();
    const wallMs = t - this.lastWall;
    this.lastWall = t;
    const hasInterval = this.interval.count > 0;
    const hasRun = this.run.count > 0;
    const s: SelfSample = {
      lagP99Ms: hasInterval ? nsToMs(this.interval.percentile(99)) : 0,
      lagMaxMs: hasInterval ? nsToMs(this.interval.max) : 0,
      cpuMicros: cpu.user + cpu.system,
      wallMs,
      rssBytes: process.memoryUsage.rss(),
      runLagP99Ms: hasRun ? nsToMs(this.run.percentile(99)) : 0,
      runLagMaxMs: hasRun ? nsToMs(this.run.max) : 0,
    };
    this.interval.reset();
    return s;
  }

  stop(): void {
    this.interval.disable();
    this.run.disable();
  }
}
