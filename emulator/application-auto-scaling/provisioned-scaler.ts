import type { LambdaRuntime } from '../lambda/types.ts';
import type { ProvisionedScaling, ScheduledScaling } from '../stack-model/stack-description.ts';
import { registeredCapacity } from '../stack-model/scalable-target-reader.ts';
import { parseSchedule, type Schedule } from './schedule.ts';

/** Target tracking's alarms, as Application Auto Scaling creates them: data points of one minute. */
export const SCALE_OUT_DATA_POINTS = 3;
export const SCALE_IN_DATA_POINTS = 15;
/** the scale-in alarm's threshold, a share of the target */
export const SCALE_IN_SHARE = 0.9;
/** how often utilization is sampled within a minute */
const SAMPLE_MS = 1_000;
const MINUTE_MS = 60_000;
/** the longest a timer waits at once (Node's limit is 2^31 − 1 ms): a later fire re-arms */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ScalerClock {
  now(): number;
}

/**
 * Application Auto Scaling of one alias's or version's provisioned concurrency, over the Lambda
 * runtime, as AWS runs it:
 * - target tracking samples ProvisionedConcurrencyUtilization (busy ÷ allocated, at most 1) and
 *   makes one data point a minute (its statistic: Average, or Maximum where the policy says so);
 *   3 data points in a row above the target scale out, 15 below 90 % of it scale in (unless
 *   DisableScaleIn), each to ceil(capacity × data point ÷ target) within [min, max], no sooner than
 *   the cooldown after the last change the same way;
 * - a scheduled action, at its schedule, sets the target's minimum and/or maximum and brings the
 *   capacity into them.
 * A change Lambda refuses (above the function's reserved concurrency, say) is said on the stack's
 * log, as a failed scaling activity, and nothing changes. `start()` runs it on timers; the tests
 * drive `sample()`, `minute()` and `runScheduled()` themselves.
 */
export class ProvisionedScaler {
  private readonly bounds: { min: number; max: number };
  private samples: number[] = [];
  private readonly points: number[] = [];
  private lastOut = Number.NEGATIVE_INFINITY;
  private lastIn = Number.NEGATIVE_INFINITY;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly schedules: Array<{ action: ScheduledScaling; schedule: Schedule }>;

  constructor(
    private readonly runtime: LambdaRuntime,
    private readonly target: ProvisionedScaling,
    private readonly log: (line: string) => void,
    private readonly clock: ScalerClock = { now: () => Date.now() },
  ) {
    this.bounds = { min: target.min, max: target.max };
    const created = clock.now();
    // (each schedule was read when the template was: scalable-target-reader.ts)
    this.schedules = target.scheduled.map((action) => ({ action, schedule: parseSchedule(action.schedule, created) }));
  }

  /** The provisioned environments configured now (0: none). */
  capacity(): number {
    try {
      return this.runtime.provisionedConcurrency(this.target.function, this.target.qualifier).requested;
    } catch {
      return 0;
    }
  }

  /** One utilization sample: busy ÷ allocated (none allocated: no sample, as the metric has no data). */
  sample(): void {
    let state;
    try {
      state = this.runtime.provisionedConcurrency(this.target.function, this.target.qualifier);
    } catch {
      return;
    }
    if (state.allocated > 0) this.samples.push((state.allocated - state.available) / state.allocated);
  }

  /** A minute ends: its data point, then the alarms. */
  minute(): void {
    const tracking = this.target.targetTracking;
    const samples = this.samples;
    this.samples = [];
    if (!tracking || samples.length === 0) return;
    const point = tracking.statistic === 'Maximum' ? Math.max(...samples) : samples.reduce((a, b) => a + b, 0) / samples.length;
    this.points.push(point);
    if (this.points.length > SCALE_IN_DATA_POINTS) this.points.shift();
    const now = this.clock.now();
    const current = this.capacity();
    const desired = Math.ceil(current * (point / tracking.targetValue) - 1e-9);
    const last = (n: number) => this.points.length >= n && this.points.slice(-n);
    const high = last(SCALE_OUT_DATA_POINTS);
    if (high && high.every((p) => p > tracking.targetValue) && !this.target.suspended.scaleOut && now - this.lastOut >= tracking.scaleOutCooldownSeconds * 1000) {
      const to = Math.min(this.bounds.max, Math.max(desired, current + 1));
      if (to > current && this.set(to, `target tracking: ProvisionedConcurrencyUtilization ${tracking.statistic} ${point.toFixed(2)} above ${tracking.targetValue} for ${SCALE_OUT_DATA_POINTS} minutes`)) this.lastOut = now;
      return;
    }
    const low = last(SCALE_IN_DATA_POINTS);
    if (low && low.every((p) => p < tracking.targetValue * SCALE_IN_SHARE) && !tracking.disableScaleIn && !this.target.suspended.scaleIn && now - this.lastIn >= tracking.scaleInCooldownSeconds * 1000) {
      const to = Math.max(this.bounds.min, desired);
      if (to < current && this.set(to, `target tracking: ProvisionedConcurrencyUtilization ${tracking.statistic} ${point.toFixed(2)} below ${(tracking.targetValue * SCALE_IN_SHARE).toFixed(2)} for ${SCALE_IN_DATA_POINTS} minutes`)) this.lastIn = now;
    }
  }

  /** A scheduled action runs: the target's new bounds, the capacity brought into them. */
  runScheduled(action: ScheduledScaling): void {
    if (this.target.suspended.scheduled) return;
    if (action.min !== undefined) this.bounds.min = action.min;
    if (action.max !== undefined) this.bounds.max = action.max;
    const current = this.capacity();
    const to = registeredCapacity(current, this.bounds);
    const why = `scheduled action ${action.name}: min ${this.bounds.min}, max ${this.bounds.max}`;
    if (to !== current) this.set(to, why);
    else this.log(`stack: Application Auto Scaling: ${this.where()} stays at ${current} (${why})`);
  }

  /** Runs on timers until close(). */
  start(): void {
    let tick = 0;
    const sampler = setInterval(() => {
      this.sample();
      if (++tick % (MINUTE_MS / SAMPLE_MS) === 0) this.minute();
    }, SAMPLE_MS);
    sampler.unref();
    this.timers.add(sampler);
    for (const s of this.schedules) this.arm(s, this.clock.now());
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private arm(s: { action: ScheduledScaling; schedule: Schedule }, from: number): void {
    const start = s.action.startTime === undefined ? from : Math.max(from, Date.parse(s.action.startTime));
    const at = s.schedule.next(start);
    const end = s.action.endTime === undefined ? Infinity : Date.parse(s.action.endTime);
    if (at === undefined || at > end) return;
    const wait = Math.max(0, at - this.clock.now());
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (wait <= MAX_TIMER_MS) this.runScheduled(s.action);
      this.arm(s, wait <= MAX_TIMER_MS ? at + 1 : from);
    }, Math.min(wait, MAX_TIMER_MS));
    timer.unref();
    this.timers.add(timer);
  }

  private set(to: number, why: string): boolean {
    const from = this.capacity();
    try {
      if (to > 0) this.runtime.putProvisionedConcurrency(this.target.function, this.target.qualifier, to);
      else this.runtime.deleteProvisionedConcurrency(this.target.function, this.target.qualifier);
    } catch (err) {
      this.log(`stack: Application Auto Scaling: ${this.where()} could not go from ${from} to ${to} (${why}): ${(err as Error).message}`);
      return false;
    }
    this.log(`stack: Application Auto Scaling: ${this.where()} ${from} → ${to} provisioned environments (${why})`);
    return true;
  }

  private where(): string {
    return `${this.target.function}:${this.target.qualifier}`;
  }
}
