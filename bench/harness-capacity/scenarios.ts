import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { plannedLoad } from '../../src/scenarios/planned-load.ts';
import { chooseShards } from '../../src/fleet/shard-count.ts';
import { validateScenario } from '../../src/scenarios/load-scenario.ts';
import type { ScenarioInput } from '../../src/contracts/scenario-schema.ts';

/**
 * The scenarios the benchmark runs, as ordinary user scenario files (YAML, the same schema and
 * loader a user's file goes through). Sizes shrink in --quick mode; shapes stay the same.
 */
export interface Sizes {
  /** deliveries before measuring (1 and 5), so the delivery path runs optimised code */
  warmupSeconds: number;
  /** measurement 1: seconds at 20,000 deliveries/s */
  steadySeconds: number;
  /** measurements 2–4: clients opened and held */
  heldClients: number;
  /** measurement 5: offered deliveries/s per step, and each step's length */
  deliverySteps: number[];
  stepSeconds: number;
  /** the floor: alternated rounds (bare fleet, harness on 1 shard, on the default shards) */
  floorRounds: number;
  /** seconds measured at each rate in a round */
  floorSeconds: number;
  /** deliveries/s tried, each for floorStepSeconds, for the highest rate every fleet keeps up with */
  floorSteps: number[];
  floorStepSeconds: number;
}

export const FULL: Sizes = {
  warmupSeconds: 3,
  steadySeconds: 20,
  heldClients: 40_000,
  deliverySteps: [60_000, 90_000, 120_000, 150_000, 180_000, 210_000, 240_000],
  stepSeconds: 6,
  floorRounds: 3,
  floorSeconds: 15,
  floorSteps: [40_000, 60_000, 80_000, 100_000, 120_000, 140_000],
  floorStepSeconds: 4,
};

export const QUICK: Sizes = {
  warmupSeconds: 1,
  steadySeconds: 4,
  heldClients: 6_000,
  deliverySteps: [50_000, 100_000, 150_000],
  stepSeconds: 2,
  floorRounds: 1,
  floorSeconds: 3,
  floorSteps: [40_000, 80_000],
  floorStepSeconds: 2,
};

/** Every room has this many members; each message is delivered to all of them (the sender too). */
export const ROOM_MEMBERS = 100;
export const STEADY_DELIVERIES_PER_SEC = 20_000;
export const WARMUP_PHASE = 'warmup';
export const STEADY_PHASE = 'steady';
export const BASELINE_PHASE = 'baseline';
export const RAMP_PHASE = 'ramp';
export const HOLD_PHASE = 'hold';
export const stepPhase = (deliveriesPerSec: number) => `step-${deliveriesPerSec}`;
export const ratePhase = (deliveriesPerSec: number) => `at-${deliveriesPerSec}`;
export const FLOOR_ROOMS = 20;
export const FLOOR_PAYLOAD_BYTES = 64;

/** Connect and join fast: these phases only set up rooms for the measurement that follows. */
const setup = (clients: number) => [
  { connect: { rate: Math.min(4000, clients), maxInFlight: 400 } },
  { join: { rate: 4000, maxInFlight: 400 } },
];

/** A few seconds of deliveries before measuring, so the delivery path runs optimised (JIT) code. */
const warmup = (s: Sizes, deliveriesPerSec: number) => ({
  send: { name: WARMUP_PHASE, duration: `${s.warmupSeconds}s`, rate: deliveriesPerSec / ROOM_MEMBERS, senders: { perRoom: 1 }, payloadBytes: 64 },
});

/** 1: 20 rooms × 100 members, 10 messages/s per room → 20,000 deliveries/s. */
export function steadyScenario(s: Sizes): ScenarioInput {
  const rooms = STEADY_DELIVERIES_PER_SEC / ROOM_MEMBERS / 10;
  const clients = rooms * ROOM_MEMBERS;
  return {
    name: 'capacity-steady',
    description: `${STEADY_DELIVERIES_PER_SEC} deliveries/s for ${s.steadySeconds} s: harness CPU per delivery and broadcast p99`,
    clients,
    rooms,
    seed: 1,
    timeouts: { grace: '1s' },
    phases: [
      ...setup(clients),
      warmup(s, STEADY_DELIVERIES_PER_SEC),
      {
        send: {
          name: STEADY_PHASE,
          duration: `${s.steadySeconds}s`,
          rate: STEADY_DELIVERIES_PER_SEC / ROOM_MEMBERS,
          senders: { perRoom: 1 },
          payloadBytes: 64,
        },
      },
    ],
  };
}

/**
 * 2–4: empty shards (baseline RSS), then a connect ramp offered faster than any target so the
 * harness's own ceiling shows, joins, and a quiet hold with every client open.
 */
export function heldScenario(s: Sizes): ScenarioInput {
  const clients = s.heldClients;
  return {
    name: 'capacity-held',
    description: `${clients} clients: connect ceiling, clients held, RSS per 1,000 clients`,
    clients,
    rooms: clients / ROOM_MEMBERS,
    seed: 2,
    timeouts: { connect: '20s', ack: '20s', grace: '1s' },
    phases: [
      { idle: { name: BASELINE_PHASE, duration: '3s' } },
      { connect: { name: RAMP_PHASE, rate: 20_000, maxInFlight: 1_000 } },
      { join: { rate: 10_000, maxInFlight: 1_000 } },
      { idle: { name: HOLD_PHASE, duration: '4s' } },
    ],
  };
}

/** 5: 20 rooms × 100 members, the send rate raised step by step. */
export function stepsScenario(s: Sizes): ScenarioInput {
  const rooms = 20;
  const clients = rooms * ROOM_MEMBERS;
  return {
    name: 'capacity-steps',
    description: `deliveries/s raised in steps (${s.deliverySteps.join(', ')}) until the harness stops keeping up`,
    clients,
    rooms,
    seed: 3,
    timeouts: { grace: '2s' },
    phases: [
      ...setup(clients),
      warmup(s, STEADY_DELIVERIES_PER_SEC),
      ...s.deliverySteps.map((d) => ({
        send: {
          name: stepPhase(d),
          duration: `${s.stepSeconds}s`,
          rate: d / ROOM_MEMBERS,
          senders: { perRoom: 5 },
          payloadBytes: 64,
        },
      })),
    ],
  };
}

/**
 * The floor comparison's harness side (the bare fleet runs the same phases: measure-floor.ts):
 * 20 rooms × 100 members, one sender per room, a warm-up, then each rate in `rates` for
 * floorSeconds.
 */
export function floorScenario(s: Sizes, rates: number[], protocol: BenchProtocol = 'chat-v1'): ScenarioInput {
  return withProtocol(floorShape('capacity-floor', `${rates.join(', ')} deliveries/s side by side with a bare ws fleet`, 4, [
    warmup(s, STEADY_DELIVERIES_PER_SEC),
    ...rates.map((d) => sendAt(ratePhase(d), d, s.floorSeconds)),
  ]), protocol);
}

/**
 * `--protocol`: the harness speaks chat-v1 (its own, the default) or the same wire format written
 * as a described protocol (joinRoom answered by `joined`, sendMessage acked by `sent`, matched by
 * JSON path; deliveries found by the probe's marker): the protocol layer's cost on the delivery
 * path, against the same server (it creates a room on its first join: no createRoom step).
 */
export const BENCH_PROTOCOLS = ['chat-v1', 'described'] as const;
export type BenchProtocol = (typeof BENCH_PROTOCOLS)[number];

export const DESCRIBED_CHAT = {
  name: 'chat-described',
  membership: { model: 'join', frame: { action: 'joinRoom', room: '{{room}}' }, answer: { json: '$.type', equals: 'joined' } },
  send: { frame: { action: 'sendMessage', room: '{{room}}', payload: '{{probe}}' }, ack: { json: '$.type', equals: 'sent' } },
};

function withProtocol(s: ScenarioInput, protocol: BenchProtocol): ScenarioInput {
  return protocol === 'chat-v1' ? s : { ...s, name: `${s.name}-described`, protocol: DESCRIBED_CHAT };
}

/** The same shape with the rate raised in steps (the highest rate every fleet keeps up with). */
export function floorStepsScenario(s: Sizes, protocol: BenchProtocol = 'chat-v1'): ScenarioInput {
  return withProtocol(floorShape('capacity-floor-steps', `deliveries/s raised in steps (${s.floorSteps.join(', ')}), one sender per room`, 5, [
    warmup(s, STEADY_DELIVERIES_PER_SEC),
    ...s.floorSteps.map((d) => sendAt(stepPhase(d), d, s.floorStepSeconds)),
  ]), protocol);
}

function floorShape(name: string, description: string, seed: number, phases: ScenarioInput['phases']): ScenarioInput {
  const clients = FLOOR_ROOMS * ROOM_MEMBERS;
  return { name, description, clients, rooms: FLOOR_ROOMS, seed, timeouts: { grace: '2s' }, phases: [...setup(clients), ...phases] };
}

/** One sender per room, `deliveriesPerSec` in all. */
function sendAt(name: string, deliveriesPerSec: number, seconds: number) {
  return {
    send: { name, duration: `${seconds}s`, rate: deliveriesPerSec / ROOM_MEMBERS, senders: { perRoom: 1 }, payloadBytes: FLOOR_PAYLOAD_BYTES },
  };
}

/** Writes `scenario` as `<dir>/<name>.yaml` and returns the path. */
export function writeScenario(dir: string, scenario: ScenarioInput): string {
  const file = join(dir, `${scenario.name}.yaml`);
  writeFileSync(file, YAML.stringify(scenario));
  return file;
}

/** The shards `fanout-bench run` chooses for this scenario when --shards is not given (from its clients and load). */
export function defaultShards(s: ScenarioInput): number {
  const scenario = validateScenario(s, `bench scenario ${s.name}`);
  return chooseShards(scenario.clients, undefined, undefined, plannedLoad(scenario));
}
