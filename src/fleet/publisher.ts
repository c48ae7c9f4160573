import { now, toMicros } from '../clock.ts';
import { newHistogram, type Histogram } from '../metrics/measurement/histogram.ts';
import { PublishError, type PublishChannel } from './publish-channel.ts';
import { fillProbe } from './publish-payload.ts';
import { publishProbe } from './publish-probe.ts';
import { OpenModelTicker, scheduleFor, slotCount } from './schedule.ts';

/**
 * The executor of a publish phase: in the harness's own process (one process owns the AWS SDK
 * clients, not a shard), open model from intended times as a send phase's schedule is (slot k at
 * startAt + k/rate, fired late rather than never, a late one counted missed; latency runs from the
 * intended time, so a stalled API cannot hide its stall). Each slot makes its probe, fills the
 * payload template and calls the channel (publish-channel.ts) without waiting for the one before.
 * What happens to each publish goes to `hooks` (the session's ledger): sent before the call, then
 * acknowledged when the API accepted it, or failed with the error's kind.
 */
export interface PublishHooks {
  /** publish `slot`, intended at `intended` (epoch ms), is going out */
  sent(slot: number, intended: number): void;
  /** the API accepted it at `at`; an HTTP API's or REST API's answer names its request ID */
  acked(slot: number, at: number, intended: number, requestId: string | undefined): void;
  /** the API refused it, or the call failed, at `at` */
  failed(slot: number, at: number, kind: string, message: string): void;
}

export interface PublishCounts {
  /** slots the schedule asked for */
  intended: number;
  /** calls made */
  sent: number;
  /** calls fired more than the schedule's tolerance after their slot (still made) */
  missedSlots: number;
  /** calls the API accepted */
  acked: number;
  /** calls refused or failed */
  failed: number;
}

export interface PublishSpec {
  /** epoch ms of the first slot */
  startAt: number;
  durationMs: number;
  /** publishes per second */
  rate: number;
}

export interface PublisherOptions {
  /** the run's shards and clients: the probe's origin and sender are one past each (publish-probe.ts) */
  shards: number;
  clients: number;
  /** the first slot number this publisher uses (slots are dense over a run's publish phases) */
  firstSlot: number;
  /** how long a call may take at most before the phase's end stops waiting for it */
  callTimeoutMs: number;
}

export class Publisher {
  readonly counts: PublishCounts = { intended: 0, sent: 0, missedSlots: 0, acked: 0, failed: 0 };
  /** intended time → the API's answer, µs, of accepted calls */
  readonly callLatency: Histogram = newHistogram();
  /** calls failed, by kind ("publish:AccessDeniedException") */
  readonly errors: Record<string, number> = {};
  /** the first failure's message, said once */
  firstFailure: string | undefined;
  private nextSlot: number;
  private ticker: OpenModelTicker | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly channel: PublishChannel,
    private readonly template: unknown,
    private readonly o: PublisherOptions,
  ) {
    this.nextSlot = o.firstSlot;
  }

  /** The slot after the last one used: where the run's next publish phase starts. */
  get slotsEnd(): number {
    return this.nextSlot;
  }

  /** Runs the schedule; resolves when its last slot fired and every call it made answered (or timed out). */
  async run(spec: PublishSpec, hooks: PublishHooks): Promise<void> {
    const count = slotCount(spec.durationMs, spec.rate);
    this.ticker = new OpenModelTicker(scheduleFor(spec.startAt, spec.rate, count), (_k, intended, missed) => {
      this.counts.intended++;
      if (missed) this.counts.missedSlots++;
      this.fire(this.nextSlot++, intended, hooks);
    });
    await this.ticker.start();
    await this.settle();
  }

  /** Interrupt: no further slot fires (calls in flight finish on their own). */
  stop(): void {
    this.ticker?.stop();
  }

  private fire(slot: number, intended: number, hooks: PublishHooks): void {
    const probe = publishProbe(slot, intended, this.o.shards, this.o.clients);
    const payload = fillProbe(this.template, probe);
    hooks.sent(slot, intended);
    this.counts.sent++;
    const call = this.channel.publish(payload, probe).then(
      (requestId) => {
        const at = now();
        this.counts.acked++;
        this.callLatency.recordValue(Math.max(1, toMicros(at - intended)));
        hooks.acked(slot, at, intended, requestId || undefined);
      },
      (err: unknown) => this.fail(slot, hooks, err),
    );
    this.inFlight.add(call);
    void call.finally(() => this.inFlight.delete(call));
  }

  private fail(slot: number, hooks: PublishHooks, err: unknown): void {
    const kind = err instanceof PublishError ? err.kind : 'publish:Error';
    const message = err instanceof Error ? err.message : String(err);
    this.counts.failed++;
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
    this.firstFailure ??= `${kind.slice('publish:'.length)}: ${message}`;
    hooks.failed(slot, now(), kind, message);
  }

  /** Waits for the calls in flight, at most the call timeout. */
  private async settle(): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.o.callTimeoutMs)));
    await Promise.race([Promise.allSettled([...this.inFlight]).then(() => undefined), timeout]);
    clearTimeout(timer);
  }
}
