import { now } from '../clock.ts';
import { DEFAULT_MISS_TOLERANCE_MS, OpenModelTicker, scheduleFor } from './schedule.ts';

/**
 * Starts `items` at `rate` per second with at most `maxInFlight` unfinished at once: the pacing of
 * connects and joins. Each item's intended time is its slot on the open-model schedule; an item
 * held back by the in-flight bound starts late but keeps that intended time (its latency counts
 * from it). Resolves when every item has finished, or after `stop()` once those in flight finish.
 */
export interface RampOptions {
  startAt: number;
  rate: number;
  maxInFlight: number;
}

export type RampStart<T> = (item: T, intended: number) => Promise<void>;

export class Ramp<T> {
  missed = 0;
  private inFlight = 0;
  private readonly queue: { item: T; intended: number }[] = [];
  private finished = 0;
  private started = 0;
  private stopped = false;
  private readonly ticker: OpenModelTicker;
  private resolveDone!: () => void;
  readonly done: Promise<void>;

  constructor(
    private readonly items: readonly T[],
    private readonly opts: RampOptions,
    private readonly start: RampStart<T>,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.ticker = new OpenModelTicker(scheduleFor(opts.startAt, opts.rate, items.length), (k, intended) => {
      this.queue.push({ item: items[k], intended });
      this.pump();
    });
  }

  run(): Promise<void> {
    if (this.items.length === 0) this.resolveDone();
    else void this.ticker.start();
    return this.done;
  }

  stop(): void {
    this.stopped = true;
    this.ticker.stop();
    this.queue.length = 0;
    this.checkDone();
  }

  private pump(): void {
    const max = Math.max(1, this.opts.maxInFlight);
    while (!this.stopped && this.inFlight < max && this.queue.length > 0) {
      const { item, intended } = this.queue.shift()!;
      // Late = started (not just due) more than the tolerance after its slot.
      if (now() - intended > DEFAULT_MISS_TOLERANCE_MS) this.missed++;
      this.inFlight++;
      this.started++;
      this.start(item, intended).then(
        () => this.onFinish(),
        () => this.onFinish(),
      );
    }
  }

  private onFinish(): void {
    this.inFlight--;
    this.finished++;
    this.pump();
    this.checkDone();
  }

  private checkDone(): void {
    const all = this.finished === this.items.length;
    if (all || (this.stopped && this.inFlight === 0)) this.resolveDone();
  }
}
