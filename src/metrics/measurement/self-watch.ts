import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { now } from '../../clock.ts';

/**
 * The lag histograms' sampling period, ms. Every sample wakes the process: an idle Node process
 * here spends 2.3 ms CPU a second on it at 20 ms, 1.2 at 50, and a 100,000-client fleet pays that
 * once per shard (bench/RESULTS.md, "Launch scale: reads into one buffer"). 50 ms still catches
 * every stall that reaches the 50 ms lag limit (saturation.ts): the sample due during it fires late.
 */
const LAG_RESOLUTION_MS = 50;

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

/**
 * perf_hooks records the time between two samples, the period included (an idle loop reads
 * ~50 ms at a 50 ms period): the lag is what is past the period.
 */
const lagMs = (ns: number) => (Number.isFinite(ns) ? Math.max(0, Math.round(ns / 1e3 - LAG_RESOLUTION_MS * 1e3) / 1e3) : 0);

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
      lagP99Ms: hasInterval ? lagMs(this.interval.percentile(99)) : 0,
      lagMaxMs: hasInterval ? lagMs(this.interval.max) : 0,
      cpuMicros: cpu.user + cpu.system,
      wallMs,
      rssBytes: process.memoryUsage.rss(),
      runLagP99Ms: hasRun ? lagMs(this.run.percentile(99)) : 0,
      runLagMaxMs: hasRun ? lagMs(this.run.max) : 0,
    };
    this.interval.reset();
    return s;
  }

  stop(): void {
    this.interval.disable();
    this.run.disable();
  }
}
