import { now } from '../clock.ts';
import { MAX_TIMER_MS } from '../contracts/scenario-limits.ts';
import type { PlannedPhase } from '../contracts/scenario-schema.ts';
import type { RunRecorder } from '../metrics/measurement/run-recorder.ts';
import { dropPlan } from './drop-plan.ts';
import type { Fleet } from './fleet.ts';
import type { PhaseFleet } from './phase-program.ts';
import { isSender, shardOf, type RoomPlan } from './room-plan.ts';
import { interleavedLanes } from './schedule.ts';
import type { ShardPhase } from './shard-link.ts';

/** Slack on top of each phase's planned length before it is declared stuck. */
const PHASE_SLACK_MS = 30_000;
/** Lead time so every shard starts a schedule at the same intended instant. */
const START_LEAD_MS = 250;

/** The harness's own publishes (session/publish-phases.ts), played as one step of the program. */
export interface Publishing {
  run(phase: Extract<PlannedPhase, { kind: 'publish' }>, index: number, members: Int32Array, startAt: number): Promise<void>;
}

export interface ShardFleetEnv {
  plan: RoomPlan;
  shards: number;
  perRoom: Map<PlannedPhase, Int32Array>;
  maxSenders: Int32Array;
  seed: number;
  connectMs: number;
  ackMs: number;
  publishing: Publishing;
}

/**
 * The shard processes as the phase program plays them: each step split over the shards at
 * 1/shards of its rate, run to a barrier (every shard done) within a budget past which the step
 * is stuck and the run fails.
 */
export class ShardFleet implements PhaseFleet<PlannedPhase> {
  /**
   * The harness's own room membership (open, joined clients per room), taken when each connect,
   * join and drop step ends: every message of the next send phase expects at least this many
   * deliveries, whatever the target claims. Clients that close unexpectedly during a send phase
   * stay counted until the next such step: a member the target lost is a delivery lost.
   */
  members: Int32Array;

  constructor(
    private readonly fleet: Fleet,
    private readonly recorder: RunRecorder,
    readonly sync: () => Promise<void>,
    private readonly env: ShardFleetEnv,
  ) {
    this.members = new Int32Array(env.plan.rooms);
  }

  private split(p: { rate: number; maxInFlight: number }) {
    return { startAt: now() + START_LEAD_MS, rate: p.rate / this.env.shards, maxInFlight: Math.max(1, Math.ceil(p.maxInFlight / this.env.shards)) };
  }

  async connect(phase: Extract<PlannedPhase, { kind: 'connect' }>): Promise<void> {
    const ramp = this.split(phase);
    this.members = await this.fleet.runPhase(() => ({ kind: 'connect', ...ramp }), rampBudget(this.env.plan.clients, phase, this.env.connectMs));
  }

  async createRooms(phase: Extract<PlannedPhase, { kind: 'join' }>): Promise<void> {
    // createRoom once per room, by the shard holding its first client. The budget allows for one
    // shard owning every room at its 1/shards share of the rate.
    const create = this.split(phase);
    await this.fleet.runPhase(() => ({ kind: 'create', ...create }), rampBudget(this.env.plan.rooms * this.env.shards, phase, this.env.ackMs));
  }

  async joinRooms(phase: Extract<PlannedPhase, { kind: 'join' }>): Promise<void> {
    const join = this.split(phase);
    this.members = await this.fleet.runPhase(() => ({ kind: 'join', ...join }), rampBudget(this.env.plan.clients, phase, this.env.ackMs));
  }

  async send(phase: Extract<PlannedPhase, { kind: 'send' }>, index: number): Promise<void> {
    const { plan, shards } = this.env;
    const perRoom = this.env.perRoom.get(phase)!;
    const inShard = new Array<number>(shards).fill(0);
    for (let c = 0; c < plan.clients; c++) if (isSender(plan, c, perRoom)) inShard[shardOf(c, plan.clients, shards)]++;
    // each shard's share of the slots in proportion to its senders, interleaved: the phase's sends stay evenly spaced
    const lanes = interleavedLanes(inShard);
    const startAt = now() + START_LEAD_MS;
    const shardPhase = (s: number): ShardPhase => ({
      kind: 'send',
      phase: index,
      startAt,
      durationMs: phase.durationMs,
      rate: phase.rate,
      lane: lanes[s]!,
      sendersPerRoom: perRoom,
      payloadBytes: phase.payloadBytes,
    });
    await this.fleet.runPhase(shardPhase, phase.durationMs + START_LEAD_MS + PHASE_SLACK_MS);
  }

  /** publishes from the harness itself (publish-phases.ts), expected by the members counted at the last connect, join or drop step */
  async publish(phase: Extract<PlannedPhase, { kind: 'publish' }>, index: number): Promise<void> {
    await this.env.publishing.run(phase, index, this.members, now() + START_LEAD_MS);
  }

  async drop(phase: Extract<PlannedPhase, { kind: 'drop' }>): Promise<void> {
    const clients = dropPlan(this.env.plan, phase.share, this.env.maxSenders, this.env.seed);
    // from the moment the drop starts, messages on their way to these clients cannot reach them
    const at = now();
    for (const c of clients) this.recorder.drops.add(this.env.plan.roomOf[c]!, c, at);
    this.members = await this.fleet.runPhase(() => ({ kind: 'drop', clients }), PHASE_SLACK_MS);
  }

  async drain(): Promise<void> {
    const { ackMs } = this.env;
    await this.fleet.runPhase(() => ({ kind: 'drain', timeoutMs: ackMs + 1000 }), ackMs + PHASE_SLACK_MS);
  }

  unsettled(): number {
    return this.recorder.ledger.unsettled();
  }

  openClients(): number {
    return this.recorder.openClients;
  }
}

/**
 * The longest a ramp of `n` items can take: paced by its rate, or — if every item runs into its
 * timeout — by the in-flight bound. Past this, the phase is stuck and the run fails.
 */
export function rampBudget(n: number, p: { rate: number; maxInFlight: number }, timeoutMs: number): number {
  const ms = Math.max((n / p.rate) * 1000, (n * timeoutMs) / p.maxInFlight) + timeoutMs + PHASE_SLACK_MS;
  // every item timing out one by one can outlast any timer: bounded by the longest one Node can set
  return Math.min(ms, MAX_TIMER_MS);
}
