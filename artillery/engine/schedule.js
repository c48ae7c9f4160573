// @ts-check
import { now } from './clock.js';

/**
 * Open-model pacing, as the harness paces (src/fleet/schedule.ts, src/fleet/ramp.ts): slot k has
 * an intended time fixed in advance (startAt + k / rate) that does not move when the system or
 * the worker stalls. A slot that comes due late still fires with its original intended time
 * (latency counts from it: no coordinated omission) and is counted missed when it fires more
 * than MISS_TOLERANCE_MS after it.
 */
export const MISS_TOLERANCE_MS = 5;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Most slots fired in one turn of the event loop, so a backlog never starves socket I/O. */
const MAX_BATCH = 256;

/**
 * Slots in `durationMs` at `ratePerSec` (bounded, never negative).
 * @param {number} durationMs
 * @param {number} ratePerSec
 */
export function slotCount(durationMs, ratePerSec) {
  if (!(durationMs > 0) || !(ratePerSec > 0)) return 0;
  return Math.floor((durationMs * ratePerSec) / 1000 + 1e-9);
}

export class OpenModelTicker {
  /**
   * @param {{ startAt: number, rate: number, count: number }} spec
   * @param {(k: number, intended: number, missed: boolean) => void} onSlot
   */
  constructor(spec, onSlot) {
    this.spec = spec;
    this.intervalMs = spec.rate > 0 ? 1000 / spec.rate : 0;
    this.onSlot = onSlot;
    this.fired = 0;
    this.missed = 0;
    this.next = 0;
    this.stopped = false;
    /** @type {NodeJS.Timeout | undefined} */
    this.timer = undefined;
    /** @type {NodeJS.Immediate | undefined} */
    this.immediate = undefined;
    /** @type {() => void} */
    this.resolveDone = () => {};
    /** @type {Promise<void>} */
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** @param {number} k */
  intended(k) {
    return this.spec.startAt + k * this.intervalMs;
  }

  start() {
    this.tick();
    return this.done;
  }

  /** Stops firing; slots not yet fired are never fired. */
  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.resolveDone();
  }

  tick = () => {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.stopped) return;
    let t = now();
    let batch = 0;
    while (this.next < this.spec.count && !this.stopped) {
      const intended = this.intended(this.next);
      if (intended > t) {
        t = now();
        if (intended > t) break;
      }
      if (batch === MAX_BATCH) {
        this.immediate = setImmediate(this.tick);
        return;
      }
      const missed = t - intended > MISS_TOLERANCE_MS;
      if (missed) this.missed++;
      const k = this.next++;
      this.fired++;
      batch++;
      this.onSlot(k, intended, missed);
    }
    if (this.stopped) return;
    if (this.next >= this.spec.count) {
      this.stopped = true;
      this.resolveDone();
      return;
    }
    const wait = this.intended(this.next) - now();
    this.timer = setTimeout(this.tick, Math.min(Math.max(0, wait), MAX_TIMER_MS));
  };
}

/**
 * Starts `items` at `rate` per second with at most `maxInFlight` unfinished at once: the pacing
 * of connects and joins. An item held back by the in-flight bound starts late but keeps its
 * intended time. Resolves when every item has finished, or after stop() once those in flight
 * finish.
 * @template T
 */
export class Ramp {
  /**
   * @param {readonly T[]} items
   * @param {{ startAt: number, rate: number, maxInFlight: number }} opts
   * @param {(item: T, intended: number) => Promise<void>} start
   */
  constructor(items, opts, start) {
    this.items = items;
    this.maxInFlight = Math.max(1, opts.maxInFlight);
    this.start = start;
    this.missed = 0;
    this.inFlight = 0;
    this.finished = 0;
    this.stopped = false;
    /** @type {{ item: T, intended: number }[]} */
    this.queue = [];
    /** @type {() => void} */
    this.resolveDone = () => {};
    /** @type {Promise<void>} */
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.ticker = new OpenModelTicker({ startAt: opts.startAt, rate: opts.rate, count: items.length }, (k, intended) => {
      this.queue.push({ item: items[k], intended });
      this.pump();
    });
  }

  run() {
    if (this.items.length === 0) this.resolveDone();
    else void this.ticker.start();
    return this.done;
  }

  stop() {
    this.stopped = true;
    this.ticker.stop();
    this.queue.length = 0;
    this.checkDone();
  }

  pump() {
    while (!this.stopped && this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const { item, intended } = /** @type {{ item: T, intended: number }} */ (this.queue.shift());
      if (now() - intended > MISS_TOLERANCE_MS) this.missed++;
      this.inFlight++;
      this.start(item, intended).then(
        () => this.onFinish(),
        () => this.onFinish(),
      );
    }
  }

  onFinish() {
    this.inFlight--;
    this.finished++;
    this.pump();
    this.checkDone();
  }

  checkDone() {
    if (this.finished === this.items.length || (this.stopped && this.inFlight === 0)) this.resolveDone();
  }
}
