import { toMicros } from '../clock.ts';
import type { PlannedPhase } from '../contracts/scenario-schema.ts';
import type { PublishResult } from '../contracts/publish-schema.ts';
import { NO_CLAIM } from '../metrics/measurement/delivery-ledger.ts';
import { newHistogram, type Histogram } from '../metrics/measurement/histogram.ts';
import { summarize } from '../metrics/measurement/latency-summary.ts';
import type { RunRecorder } from '../metrics/measurement/run-recorder.ts';
import type { ShardCounts } from '../metrics/measurement/shard-report.ts';
import { messageKey } from '../metrics/measurement/request-trace.ts';
import { openPublishChannel } from '../fleet/publish-channel.ts';
import { fillRoom } from '../fleet/publish-payload.ts';
import { publishOrigin } from '../fleet/publish-probe.ts';
import { Publisher } from '../fleet/publisher.ts';
import type { MembershipModel } from '../fleet/protocols/wire-protocol.ts';
import { publishPermission, type PublishTargetPlan } from './publish-preflight.ts';

/**
 * A measurement's publish phases, played from the harness's own process (publisher.ts) into the
 * same books a send phase's messages go to: every publish is a message of the run's ledger under
 * its own origin (publish-probe.ts), sent at its intended time with the recipients expected of it
 * (the members open, and joined where the protocol joins, at the last connect, join or drop step:
 * every one, or one room's; with membership `all` every connection receives every message),
 * acknowledged when its API accepted it (the API says nothing of whom it reached: NO_CLAIM) or
 * failed with the API's error. The shards match each recipient's delivery to it by its probe, as
 * they do a client's message, so expected = received + lost holds for publishes exactly as for
 * sends, and latency runs from the publish's intended time. What only publishes have (the calls,
 * their answers, publish → delivery per phase) is results.publish.
 */
export interface PublishPhasesOptions {
  shards: number;
  clients: number;
  /** how long the end of a phase waits for calls in flight */
  callTimeoutMs: number;
  membership: MembershipModel;
  /** room r is named `${roomPrefix}${r}`: what `{{room}}` in a payload becomes for recipients `{ room: r }` */
  roomPrefix: string;
  /** said once per phase: its first failed call, with the permission it needs */
  warn(message: string): void;
}

interface Played {
  phase: Extract<PlannedPhase, { kind: 'publish' }>;
  index: number;
  plan: PublishTargetPlan;
  publisher: Publisher;
  firstSlot: number;
  recipients: number;
}

export class PublishPhases {
  private readonly played: Played[] = [];
  private nextSlot = 0;
  private active: Publisher | undefined;
  private stopped = false;

  constructor(
    private readonly recorder: RunRecorder,
    private readonly targets: ReadonlyMap<PlannedPhase, PublishTargetPlan>,
    private readonly o: PublishPhasesOptions,
  ) {}

  get ran(): boolean {
    return this.played.length > 0;
  }

  /** Plays publish phase `phase` (the run's phase `index`) from `startAt`; `members` is the harness's count of open, joined clients per room. */
  async run(phase: Extract<PlannedPhase, { kind: 'publish' }>, index: number, members: Int32Array, startAt: number): Promise<void> {
    const plan = this.targets.get(phase);
    if (!plan) throw new Error(`publish phase ${phase.name} was not resolved before the load`);
    const recipients = this.recipients(phase, members);
    const channel = openPublishChannel(plan.resource, plan.settings, { timeoutMs: this.o.callTimeoutMs });
    const template = phase.recipients === 'everyone' ? phase.payload : fillRoom(phase.payload, `${this.o.roomPrefix}${phase.recipients.room}`);
    const publisher = new Publisher(channel, template, { shards: this.o.shards, clients: this.o.clients, firstSlot: this.nextSlot, callTimeoutMs: this.o.callTimeoutMs });
    const played: Played = { phase, index, plan, publisher, firstSlot: this.nextSlot, recipients };
    this.played.push(played);
    this.active = publisher;
    if (this.stopped) publisher.stop();
    const rec = this.recorder;
    const origin = publishOrigin(this.o.shards);
    const room = phase.recipients === 'everyone' ? -1 : phase.recipients.room;
    const count = (k: keyof ShardCounts, n = 1) => {
      rec.counts[k] += n;
      const p = rec.phases[index];
      if (p) p.counts[k] += n;
    };
    let warned = false;
    try {
      await publisher.run(
        { startAt, durationMs: phase.durationMs, rate: phase.rate },
        {
          sent: (slot, intended) => {
            count('intended');
            count('sent');
            rec.ledger.sent(origin, slot, intended, index, recipients, room);
          },
          acked: (slot, at, intended, requestId) => {
            count('acked');
            rec.ledger.acked(origin, slot, at, NO_CLAIM, 0);
            // through a stage of the stack's own API: traced to its invocation by the stage's access log
            if (requestId !== undefined && plan.stage) rec.trace.addPublish(requestId, messageKey(origin, slot), intended, toMicros(at - intended));
          },
          failed: (slot, at, kind, message) => {
            count('failed');
            rec.errors[kind] = (rec.errors[kind] ?? 0) + 1;
            const p = rec.phases[index];
            if (p) p.errors[kind] = (p.errors[kind] ?? 0) + 1;
            rec.ledger.failed(origin, slot, at);
            if (!warned) {
              warned = true;
              const permission = publishPermission(phase.via);
              this.o.warn(`publish phase ${phase.name}: ${plan.label} refused a publish (${kind.slice('publish:'.length)}: ${message})${permission ? `; publishing needs ${permission} on it` : ''}`);
            }
          },
        },
      );
    } finally {
      // the schedule's missed slots, counted as a send phase's are
      count('missedSlots', publisher.counts.missedSlots);
      this.nextSlot = publisher.slotsEnd;
      this.active = undefined;
      channel.close();
    }
  }

  /** Interrupt: no further publish goes out. */
  stop(): void {
    this.stopped = true;
    this.active?.stop();
  }

  /** results.publish, once the run's deliveries are in (the recorder's trace holds each with its latency). */
  results(): PublishResult[] {
    const origin = publishOrigin(this.o.shards);
    const delivered = this.recorder.trace.deliveries();
    const byPhase = this.played.map(() => newHistogram());
    // a publish's deliveries, by its slot's phase: slots are dense per phase, in order
    const lo = messageKey(origin, 0);
    const hi = messageKey(origin + 1, 0);
    for (let r = 0; r < delivered.count; r++) {
      const key = delivered.messageKey[r]!;
      if (key < lo || key >= hi) continue;
      const slot = key - lo;
      const k = this.played.findIndex((p) => slot >= p.firstSlot && slot < p.publisher.slotsEnd);
      if (k >= 0) byPhase[k]!.recordValue(Math.max(1, delivered.latencyUs[r]!));
    }
    return this.played.map((p, k) => this.result(p, byPhase[k]!));
  }

  private result(p: Played, delivery: Histogram): PublishResult {
    const t = this.recorder.ledger.byPhase[p.index];
    const state = this.recorder.phases[p.index];
    const { counts, callLatency, errors, firstFailure } = p.publisher;
    return {
      phase: p.phase.name,
      via: p.phase.via,
      to: p.phase.to,
      resource: p.plan.resource.id,
      recipients: p.phase.recipients,
      recipientsPerPublish: p.recipients,
      calls: { ...counts },
      ...(callLatency.totalCount > 0 ? { call: summarize(callLatency) } : {}),
      ...(delivery.totalCount > 0 ? { delivery: summarize(delivery) } : {}),
      deliveries: { expected: t?.expected ?? 0, received: t?.received ?? 0, lost: t?.lost ?? 0, duplicates: state?.counts.duplicates ?? 0 },
      errors: { ...errors },
      ...(firstFailure ? { firstFailure } : {}),
    };
  }

  /** The deliveries one publish expects: every open member, or one room's (every connection's where every connection receives every message). */
  private recipients(phase: Extract<PlannedPhase, { kind: 'publish' }>, members: Int32Array): number {
    let all = 0;
    for (const n of members) all += n;
    if (phase.recipients === 'everyone' || this.o.membership === 'all') return all;
    return members[phase.recipients.room] ?? 0;
  }
}
