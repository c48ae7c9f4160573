import { z } from 'zod';
import { TOKEN_PLACEMENTS } from '../targets/connect-token.ts';

/**
 * The plan one Artillery worker plays, as `artillery export` writes it under
 * `config.engines.fanout` and the engine (artillery/engine/src/plan.ts) reads it. Every worker of a
 * distributed run gets the same script, so this is one worker's share: its rooms (sizes), its
 * rates, and per room how many members send in each send phase and how many a drop phase drops.
 * `scenario` and `total` are for `report --artillery --script`: the engine ignores them.
 */
export const PLAN_VERSION = 1;

const PerRoom = z.array(z.int().nonnegative());
const Ms = z.number().nonnegative();

export const PlanPhase = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('connect'), name: z.string(), rate: z.number().positive(), maxInFlight: z.int().positive() }),
  z.object({ kind: z.literal('join'), name: z.string(), rate: z.number().positive(), maxInFlight: z.int().positive() }),
  z.object({
    kind: z.literal('send'),
    name: z.string(),
    durationMs: Ms,
    rate: z.number().positive(),
    payloadBytes: z.int().nonnegative(),
    /** per room: members that send (the room's first ones) */
    senders: PerRoom,
  }),
  z.object({ kind: z.literal('idle'), name: z.string(), durationMs: Ms }),
  /** per room: members dropped without a close frame (the room's last ones: quiet members first) */
  z.object({ kind: z.literal('drop'), name: z.string(), members: PerRoom }),
]);
export type PlanPhase = z.infer<typeof PlanPhase>;

export const Plan = z.object({
  version: z.literal(PLAN_VERSION),
  /** how many workers the load was split over: run the script with `--count` this */
  workers: z.int().positive(),
  tokenIn: z.enum(TOKEN_PLACEMENTS),
  /** the seed that planned the rooms and drops */
  seed: z.int().nonnegative(),
  /** this worker's rooms: their sizes */
  rooms: z.array(z.int().positive()).min(1),
  timeouts: z.object({ connectMs: Ms, ackMs: Ms, graceMs: Ms, lossMs: Ms }),
  phases: z.array(PlanPhase).min(1),
  /** the whole load, every worker together */
  total: z.object({ clients: z.int().positive(), rooms: z.int().positive() }),
  scenario: z.object({
    name: z.string(),
    description: z.string().optional(),
    /** the validated scenario with the flags applied, as results.json records it */
    definition: z.record(z.string(), z.unknown()),
    thresholds: z.array(z.string()),
  }),
});
export type Plan = z.infer<typeof Plan>;

/** The part of an exported Artillery script `report --artillery --script` reads. */
export const ExportedScript = z.object({
  config: z.object({
    target: z.string(),
    engines: z.object({ fanout: Plan }),
  }),
});
export type ExportedScript = z.infer<typeof ExportedScript>;
