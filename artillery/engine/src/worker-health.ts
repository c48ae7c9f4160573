import { COUNTERS as C, HISTOGRAMS as H } from '../../../src/artillery-interop/metric-names.ts';
import { CPU_LIMIT_CORES, LAG_P99_LIMIT_MS, peakCores } from '../../../src/metrics/measurement/saturation.ts';
import { SelfWatch, type SelfSample } from '../../../src/metrics/measurement/self-watch.ts';

export interface HealthSink {
  count(name: string, n: number): void;
  histogram(name: string, ms: number): void;
}

/**
 * The worker watching itself as a harness shard does (src/metrics/measurement/self-watch.ts),
 * judged by the harness's saturation rule (src/metrics/measurement/saturation.ts): event-loop lag
 * p99 over the run above 50 ms, or more than 90 % of a core over 3 consecutive seconds, means the
 * worker's own queueing is in its latencies. CPU is its process's (Artillery's own threads included). Sampled once a
 * second; the samples go to Artillery as `fanout.worker.*`.
 */
export class WorkerHealth {
  private readonly watch = new SelfWatch().start();
  /** per sample: CPU in cores */
  private readonly cores: number[] = [];
  private cpuMicros = 0;
  private rssPeak = process.memoryUsage.rss();

  sample(sink: HealthSink): void {
    const s = this.take();
    const cores = s.cpuMicros / 1000 / Math.max(1, s.wallMs);
    this.cores.push(cores);
    sink.histogram(H.cpuCores, cores);
    // max is 0 only when the loop never turned in the interval: no lag was measured, none is reported
    if (s.lagMaxMs > 0) sink.histogram(H.loopLag, s.lagP99Ms);
  }

  /** The run's own figures, and whether the worker was saturated. */
  finish(sink: HealthSink): void {
    const s = this.take();
    this.watch.stop();
    const peak = peakCores(this.cores);
    sink.histogram(H.runLagP99, s.runLagP99Ms);
    sink.histogram(H.runLagMax, s.runLagMaxMs);
    sink.histogram(H.cpuPeak, peak);
    sink.histogram(H.rss, Math.round(this.rssPeak / 2 ** 20));
    sink.count(C.cpuMs, Math.round(this.cpuMicros / 1000));
    if (s.runLagP99Ms > LAG_P99_LIMIT_MS || peak > CPU_LIMIT_CORES) sink.count(C.saturated, 1);
  }

  private take(): SelfSample {
    const s = this.watch.sample();
    this.cpuMicros += s.cpuMicros;
    this.rssPeak = Math.max(this.rssPeak, s.rssBytes);
    return s;
  }
}
