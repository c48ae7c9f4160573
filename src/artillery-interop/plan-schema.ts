import * as z from 'zod';
import { MAX_PHASE_MS, MAX_RATE } from '../contracts/scenario-limits.ts';
import { TOKEN_PLACEMENTS } from '../contracts/token-placement.ts';
import { DescribedProtocol, descriptionIssues } from '../contracts/protocol-schema.ts';

/**
 * The plan one Artillery worker plays, as `artillery export` writes it under
 * `config.engines.fanout`. Every worker of a distributed run gets the same script, so this is one
 * worker's share: its rooms (sizes), its rates, and per room how many members send in each send
 * phase and how many a drop phase drops. `workers`, `seed`, `scenario` and `total` are for
 * `report --artillery --script`.
 *
 * The one schema of the plan, with one set of bounds: the engine (artillery/engine/src/plan.ts)
 * checks the part it plays (WorkerPlan) with it, the report the whole plan (Plan). The bounds
 * keep every timer the engine sets within what Node's timers hold, and every per-room list the
 * length of the rooms.
 */
export const PLAN_VERSION = 1;

const msIn = (min: number) => {
  const error = `must be a number of ms from ${min} to ${MAX_PHASE_MS}`;
  return z.number({ error }).min(min, { error }).max(MAX_PHASE_MS, { error });
};
const rate = () => {
  const error = `must be a number > 0 and at most ${MAX_RATE}`;
  return z.number({ error }).positive({ error }).max(MAX_RATE, { error });
};
const intIn = (min: number, max: number) => {
  const error = `must be an integer from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
};
/** per room, a count from 0 to the room's size (checked against the rooms by perRoomLists) */
const PerRoom = z.array(z.int().nonnegative());
/** A message's payload: what one API Gateway WebSocket frame holds, less the envelope (as a scenario's payloadBytes). */
const MAX_PAYLOAD_BYTES = 126_000;
const MAX_IN_FLIGHT = 1e9;

export const PlanPhase = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('connect'), name: z.string(), rate: rate(), maxInFlight: intIn(1, MAX_IN_FLIGHT) }),
    z.object({ kind: z.literal('join'), name: z.string(), rate: rate(), maxInFlight: intIn(1, MAX_IN_FLIGHT) }),
    z.object({
      kind: z.literal('send'),
      name: z.string(),
      durationMs: msIn(0),
      rate: rate(),
      payloadBytes: intIn(0, MAX_PAYLOAD_BYTES),
      /** per room: members that send (the room's first ones) */
      senders: PerRoom,
    }),
    z.object({ kind: z.literal('idle'), name: z.string(), durationMs: msIn(0) }),
    /** per room: members dropped without a close frame (the room's last ones: quiet members first) */
    z.object({ kind: z.literal('drop'), name: z.string(), members: PerRoom }),
  ],
  { error: 'must be connect, join, send, idle or drop' },
);
export type PlanPhase = z.infer<typeof PlanPhase>;

const Version = z.literal(PLAN_VERSION, { error: (issue) => `must be ${PLAN_VERSION}, got ${JSON.stringify(issue.input)}` });
const TokenIn = z.enum(TOKEN_PLACEMENTS, { error: `must be ${TOKEN_PLACEMENTS.join(' or ')}` });
/** this worker's rooms: their sizes */
const Rooms = z.array(z.int().positive(), { error: 'must be a non-empty list of room sizes (integers > 0)' }).min(1, { error: 'must be a non-empty list of room sizes (integers > 0)' });
const Timeouts = z.object({ connectMs: msIn(1), ackMs: msIn(1), graceMs: msIn(0), lossMs: msIn(1) });
/**
 * The protocol the worker's clients speak: `chat-v1`, or a described protocol written out whole
 * (a `file:` read, `sendmessage` expanded) and checked as a scenario's is. Absent: chat-v1 (scripts
 * exported before protocols). A module protocol is not carried (export refuses it).
 */
export const PlanProtocol = z.unknown().transform((v, ctx): 'chat-v1' | DescribedProtocol => {
  if (v === 'chat-v1') return v;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    ctx.addIssue({ code: 'custom', message: 'must be chat-v1 or a described protocol (as fanout-bench artillery export writes it)' });
    return z.NEVER;
  }
  const parsed = DescribedProtocol.safeParse(v);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const path = i.code === 'unrecognized_keys' ? [...i.path, i.keys[0]!] : i.path;
    ctx.addIssue({ code: 'custom', path, message: i.code === 'unrecognized_keys' ? 'unknown key' : i.message });
    return z.NEVER;
  }
  const own = descriptionIssues(parsed.data)[0];
  if (own) {
    ctx.addIssue({ code: 'custom', path: own.path, message: own.message });
    return z.NEVER;
  }
  return parsed.data;
});
export type PlanProtocol = z.output<typeof PlanProtocol>;

const Phases = z.array(PlanPhase, { error: 'must be a non-empty list' }).min(1, { error: 'must be a non-empty list' });

/** Every per-room list (a send phase's senders, a drop phase's members) has one count per room, at most its size. */
function perRoomLists(plan: { rooms: number[]; phases: PlanPhase[] }, ctx: z.RefinementCtx): void {
  plan.phases.forEach((p, i) => {
    const key = p.kind === 'send' ? 'senders' : p.kind === 'drop' ? 'members' : undefined;
    if (!key) return;
    const list = (p as Record<string, unknown>)[key] as number[];
    if (list.length !== plan.rooms.length || !list.every((n, r) => n <= plan.rooms[r])) {
      ctx.addIssue({ code: 'custom', path: ['phases', i, key], message: `must list, for each of the ${plan.rooms.length} rooms, an integer from 0 to the room's size` });
    }
  });
}

/** The part of the plan a worker plays: what the engine reads (the rest of the plan it leaves alone). */
export const WorkerPlan = z
  .looseObject({ version: Version, tokenIn: TokenIn, rooms: Rooms, timeouts: Timeouts, phases: Phases, protocol: PlanProtocol.optional() })
  .superRefine(perRoomLists);

export const Plan = z
  .object({
    version: Version,
    /** how many workers the load was split over: run the script with `--count` this */
    workers: z.int().positive(),
    tokenIn: TokenIn,
    /** the seed that planned the rooms and drops */
    seed: z.int().nonnegative(),
    rooms: Rooms,
    timeouts: Timeouts,
    phases: Phases,
    /** the protocol the clients speak (absent: chat-v1) */
    protocol: PlanProtocol.optional(),
    /** the whole load, every worker together */
    total: z.object({ clients: z.int().positive(), rooms: z.int().positive() }),
    scenario: z.object({
      name: z.string(),
      description: z.string().optional(),
      /** the validated scenario with the flags applied, as results.json records it */
      definition: z.record(z.string(), z.unknown()),
      thresholds: z.array(z.string()),
    }),
  })
  .superRefine(perRoomLists);
export type Plan = z.infer<typeof Plan>;
export type WorkerPlan = Pick<Plan, 'version' | 'tokenIn' | 'rooms' | 'timeouts' | 'phases' | 'protocol'>;

/**
 * The part of an exported Artillery script `report --artillery --script` reads: the plan, and the
 * protocol the workers spoke, which export writes into the scenario (export-script.ts says why).
 */
export const ExportedScript = z.object({
  config: z.object({
    target: z.string(),
    engines: z.object({ fanout: Plan }),
  }),
  scenarios: z.array(z.looseObject({ protocol: PlanProtocol.optional() })).optional(),
});
export type ExportedScript = z.infer<typeof ExportedScript>;
