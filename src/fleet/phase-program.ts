import { now } from '../clock.ts';

/**
 * The phase program: a scenario's phases in order, each played on a fleet — the connect ramp,
 * createRoom once per room then joinRoom, open-model sends, idle, drop — then a drain and the
 * settle, until every message is settled. One program for every way the harness plays a
 * scenario: `measure` plays it on its shard processes (src/session/measure.ts), the Artillery engine
 * on one worker's in-process clients (artillery/engine/src/player.ts). What differs is the
 * fleet (a PhaseFleet) and what each records at a phase's start.
 *
 * Idle means idle and a drop comes on a quiet system: both first let the sends in flight finish
 * (the drain, bounded), so a 410 belongs to the messages sent after the drop.
 */

/** What the program needs of a phase: its kind, and a send or idle phase's length. */
export type ProgramPhase = { kind: 'connect' | 'join' | 'drop' } | { kind: 'send' | 'publish' | 'idle'; durationMs: number };

type OfKind<P, K extends string> = Extract<P, { kind: K }>;

export interface PhaseFleet<P extends ProgramPhase> {
  /** connects every client not connected yet, paced by the phase */
  connect(phase: OfKind<P, 'connect'>, index: number): Promise<void>;
  /** createRoom once per room: every create answered before any joinRoom */
  createRooms(phase: OfKind<P, 'join'>, index: number): Promise<void>;
  /** joinRoom for every open client not in its room yet */
  joinRooms(phase: OfKind<P, 'join'>, index: number): Promise<void>;
  send(phase: OfKind<P, 'send'>, index: number): Promise<void>;
  /**
   * publishes through the target's own API on the phase's schedule (publisher.ts); a fleet that
   * cannot (the Artillery engine's workers) has none, and a scenario with a publish phase is refused there first
   */
  publish?(phase: OfKind<P, 'publish'>, index: number): Promise<void>;
  /** closes the phase's clients without a close frame */
  drop(phase: OfKind<P, 'drop'>, index: number): Promise<void>;
  /** waits (bounded by the ack timeout) until no client has a send or join waiting for its answer */
  drain(): Promise<void>;
  /** brings the counts below up to date, where they are reported at intervals (a measurement's shards) */
  sync?(): Promise<void>;
  /** messages sent and not yet settled: all their deliveries in, or their loss timeout passed */
  unsettled(): number;
  openClients(): number;
}

export interface PhaseProgramOptions<P extends ProgramPhase> {
  timeouts: { graceMs: number; lossMs: number };
  /** true once the run stops early (interrupted, every connect refused, a worker failed): no further step starts */
  stopped(): boolean;
  /** pauses the stop cuts short (see Pauses) */
  pauses: Pauses;
  /** before each phase: the caller's record of where the run is */
  beginPhase?(phase: P, index: number): void | Promise<void>;
  /** after the last phase played (or the stop), before the drain */
  afterPhases?(): void | Promise<void>;
  /** before the final drain and settle, which run only when the run was not stopped */
  beginDrain?(): void;
  /** how often the settle looks at the unsettled count, ms */
  settlePollMs: number;
  /** how far the fleet's unsettled count may lag behind (its reporting interval), ms */
  settleLagMs?: number;
}

export async function playPhases<P extends ProgramPhase>(phases: readonly P[], fleet: PhaseFleet<P>, o: PhaseProgramOptions<P>): Promise<void> {
  for (let i = 0; i < phases.length; i++) {
    if (o.stopped()) break;
    await o.beginPhase?.(phases[i], i);
    if (o.stopped()) break;
    await playPhase(phases[i], i, fleet, o.pauses);
  }
  await o.afterPhases?.();
  if (o.stopped()) return;
  o.beginDrain?.();
  await fleet.drain();
  await settle(fleet, o);
}

async function playPhase<P extends ProgramPhase>(phase: P, index: number, fleet: PhaseFleet<P>, pauses: Pauses): Promise<void> {
  const p = phase as ProgramPhase;
  switch (p.kind) {
    case 'connect':
      return fleet.connect(phase as OfKind<P, 'connect'>, index);
    case 'join':
      await fleet.createRooms(phase as OfKind<P, 'join'>, index);
      return fleet.joinRooms(phase as OfKind<P, 'join'>, index);
    case 'send': {
      // a send phase lasts its duration: its last slot comes an interval before the end (a 2 s
      // phase at 1/s sends at 0 s and 1 s), and the next phase starts when the duration is up
      const endsAt = now() + p.durationMs;
      await fleet.send(phase as OfKind<P, 'send'>, index);
      const rest = endsAt - now();
      if (rest > 0) await pauses.sleep(rest);
      return;
    }
    case 'publish': {
      // as a send phase: it lasts its duration, whatever its calls take
      if (!fleet.publish) throw new Error('this fleet cannot publish: a publish phase runs in the harness (fanout-bench run)');
      const endsAt = now() + p.durationMs;
      await fleet.publish(phase as OfKind<P, 'publish'>, index);
      const rest = endsAt - now();
      if (rest > 0) await pauses.sleep(rest);
      return;
    }
    case 'idle':
      await fleet.drain();
      return pauses.sleep(p.durationMs);
    case 'drop':
      await fleet.drain();
      return fleet.drop(phase as OfKind<P, 'drop'>, index);
  }
}

/**
 * The end of the run waits until every message is settled: all its deliveries arrived, or its
 * loss timeout passed (every ack is in after the drain, so that is at most the loss timeout away;
 * a failed send settles after the grace). It ends as soon as none is left, not after a fixed
 * wait, or when no client is open any more (what is missing is then lost).
 */
async function settle<P extends ProgramPhase>(fleet: PhaseFleet<P>, o: PhaseProgramOptions<P>): Promise<void> {
  const { graceMs, lossMs } = o.timeouts;
  const deadline = now() + Math.max(lossMs, graceMs) + (o.settleLagMs ?? 0) + 1000;
  await fleet.sync?.();
  while (fleet.unsettled() > 0 && fleet.openClients() > 0 && !o.stopped() && now() < deadline) {
    await o.pauses.sleep(o.settlePollMs);
  }
}

/** Pauses that stop() cuts short; once stopped, a pause returns at once. */
export class Pauses {
  private readonly wakers = new Set<() => void>();
  private stopped = false;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
      if (this.stopped) done();
    });
  }

  stop(): void {
    this.stopped = true;
    for (const w of [...this.wakers]) w();
  }
}
