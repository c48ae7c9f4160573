import { now as hostNow } from '../clock.ts';

/**
 * Open-model pacing: slot k has an intended time fixed in advance (startAt + k·interval) that
 * does not move when the system or the harness stalls. Slots that come due late still fire,
 * with their original intended time (latency counts from it: no coordinated omission), and are
 * counted as missed when they fire more than `missToleranceMs` after it.
 */
export interface ScheduleSpec {
  /** epoch ms of slot 0 */
  startAt: number;
  intervalMs: number;
  count: number;
  /** one shard's share of a schedule several shards split (absent: every slot is this one's) */
  lane?: Lane;
}

/**
 * A shard's lane of a schedule split between shards: the whole schedule's slots j whose j mod
 * `cycle` is one of `positions` (ascending). The shards' lanes interleave, so together they keep
 * the whole schedule's even spacing: two shards on separate schedules of half the rate each would
 * send in pairs, at the same instants, a burstier load than the rate planned.
 */
export interface Lane {
  cycle: number;
  positions: readonly number[];
}

export const DEFAULT_MISS_TOLERANCE_MS = 5;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Slots in `durationMs` at `ratePerSec` (bounded, never negative). */
export function slotCount(durationMs: number, ratePerSec: number): number {
  if (!(durationMs > 0) || !(ratePerSec > 0)) return 0;
  return Math.floor((durationMs * ratePerSec) / 1000 + 1e-9);
}

export function scheduleFor(startAt: number, ratePerSec: number, count: number): ScheduleSpec {
  return { startAt, intervalMs: ratePerSec > 0 ? 1000 / ratePerSec : 0, count };
}

/** The intended time of this schedule's k-th slot (its lane's k-th, where it has one). */
export function intendedTime(spec: ScheduleSpec, k: number): number {
  const lane = spec.lane;
  if (!lane) return spec.startAt + k * spec.intervalMs;
  const n = lane.positions.length;
  return spec.startAt + (Math.floor(k / n) * lane.cycle + lane.positions[k % n]!) * spec.intervalMs;
}

/** A lane's slots among the whole schedule's first `total`. */
export function laneCount(total: number, lane: Lane): number {
  const rest = total % lane.cycle;
  return Math.floor(total / lane.cycle) * lane.positions.length + lane.positions.filter((p) => p < rest).length;
}

/**
 * Lanes for shards with these weights (their senders), interleaved over one cycle of their sum:
 * each slot goes to the shard furthest behind its share so far, so every shard's slots are spread
 * evenly through the cycle and it gets exactly its weight of them.
 */
export function interleavedLanes(weights: readonly number[]): Lane[] {
  const cycle = weights.reduce((a, b) => a + b, 0);
  const positions = weights.map((): number[] => []);
  for (let j = 0; j < cycle; j++) {
    let best = -1;
    let deficit = -Infinity;
    for (let s = 0; s < weights.length; s++) {
      const d = (weights[s]! * (j + 1)) / cycle - positions[s]!.length;
      if (weights[s]! > 0 && d > deficit) {
        deficit = d;
        best = s;
      }
    }
    positions[best]!.push(j);
  }
  return positions.map((p) => ({ cycle, positions: p }));
}

export type SlotHandler = (k: number, intended: number, missed: boolean) => void;

/** Most slots fired in one turn of the event loop, so a backlog never starves socket I/O. */
const MAX_BATCH = 256;

export class OpenModelTicker {
  fired = 0;
  missed = 0;
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private stopped = false;
  private resolveDone: (() => void) | undefined;
  readonly done: Promise<void>;

  constructor(
    private readonly spec: ScheduleSpec,
    private readonly onSlot: SlotHandler,
    private readonly options: { clock?: () => number; missToleranceMs?: number } = {},
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  start(): Promise<void> {
    this.tick();
    return this.done;
  }

  /** Stops firing; slots not yet fired are never fired. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.resolveDone?.();
  }

  get remaining(): number {
    return this.spec.count - this.next;
  }

  private tick = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.stopped) return;
    const clock = this.options.clock ?? hostNow;
    const tolerance = this.options.missToleranceMs ?? DEFAULT_MISS_TOLERANCE_MS;
    const { count } = this.spec;
    let t = clock();
    let batch = 0;
    while (this.next < count && !this.stopped) {
      const intended = intendedTime(this.spec, this.next);
      if (intended > t) {
        t = clock();
        if (intended > t) break;
      }
      if (batch === MAX_BATCH) {
        this.immediate = setImmediate(this.tick);
        return;
      }
      const missed = t - intended > tolerance;
      if (missed) this.missed++;
      const k = this.next++;
      this.fired++;
      batch++;
      this.onSlot(k, intended, missed);
    }
    if (this.stopped) return;
    if (this.next >= count) {
      this.stopped = true;
      this.resolveDone?.();
      return;
    }
    // Node fires a timer set past 2^31 − 1 ms at once; a longer wait is taken in steps (tick re-checks)
    const wait = intendedTime(this.spec, this.next) - clock();
    this.timer = setTimeout(this.tick, Math.min(Math.max(0, wait), MAX_TIMER_MS));
  };
}
