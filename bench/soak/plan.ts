import type { ScenarioInput } from '../../src/contracts/scenario-schema.ts';

/**
 * What one soak run does, and how its measurement windows are cut. The scenario is an ordinary
 * user scenario file (the same schema and loader a user's file goes through): connect and join
 * everyone, then one long send phase at a steady rate into rooms of 100.
 */
export const ROOM_MEMBERS = 100;
export const SOAK_PHASE = 'soak';

export interface SoakPlan {
  mode: 'full' | 'quick' | 'custom';
  clients: number;
  /** messages per second over all rooms (each delivered to 100 members) */
  rate: number;
  /** the send phase's length */
  durationMs: number;
  /** from the send phase's start: memory before this is still settling */
  warmupMs: number;
  /** length of the baseline window (right after warm-up) and of the final window (the last of the phase) */
  windowMs: number;
  /** the probe's forced-GC heap samples, this often */
  gcEveryMs: number;
}

export const FULL = { clients: 10_000, durationMs: 30 * 60_000 } as const;
export const QUICK = { clients: 10_000, durationMs: 5 * 60_000 } as const;
/** 100 messages/s into rooms of 100: 10,000 deliveries/s, a steady load far from the harness's ceiling */
export const DEFAULT_RATE = 100;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function makePlan(mode: SoakPlan['mode'], clients: number, durationMs: number, rate: number): SoakPlan {
  return {
    mode,
    clients,
    rate,
    durationMs,
    // A fifth of the run (20 s to 5 min): connections' buffers, JIT and V8's heap sizing settle.
    warmupMs: clamp(durationMs * 0.2, 20_000, 5 * 60_000),
    windowMs: Math.max(10_000, durationMs * 0.1),
    gcEveryMs: clamp(durationMs / 60, 2_000, 30_000),
  };
}

export function soakScenario(p: SoakPlan): ScenarioInput {
  const rooms = Math.max(1, Math.round(p.clients / ROOM_MEMBERS));
  return {
    name: 'soak',
    description: `${p.clients} clients in ${rooms} rooms, ${p.rate} messages/s for ${p.durationMs / 1000} s: memory stays flat, nothing is lost`,
    clients: p.clients,
    rooms,
    seed: 7,
    timeouts: { grace: '2s' },
    phases: [
      { connect: { rate: Math.min(2_000, p.clients), maxInFlight: 400 } },
      { join: { rate: 2_000, maxInFlight: 400 } },
      { send: { name: SOAK_PHASE, duration: `${p.durationMs / 1000}s`, rate: p.rate, senders: { perRoom: 1 }, payloadBytes: 64 } },
    ],
  };
}
