import type { Plan } from '../../../src/artillery-interop/plan-schema.ts';

/**
 * The plan one worker plays, as `fanout-bench artillery export` writes it under
 * `config.engines.fanout` (its schema: src/artillery-interop/plan-schema.ts). Every worker of a
 * distributed run gets the same script, so this is one worker's share: its rooms (sizes), its
 * rates, and per room how many members send in each send phase and how many a drop phase drops.
 * The plan also carries `workers`, `seed`, `total` and `scenario`, for the report; the engine
 * needs none of them and does not ask for them.
 */
export type WorkerPlan = Pick<Plan, 'version' | 'tokenIn' | 'rooms' | 'timeouts' | 'phases'>;
export type WorkerPhase = WorkerPlan['phases'][number];

/**
 * The schema's version, typed by it (a new version fails the typecheck here); not imported, so
 * the bundle leaves zod out.
 */
const PLAN_VERSION: Plan['version'] = 1;
/** No timer the engine sets may exceed what Node's timers hold. */
const MAX_MS = 24 * 3_600_000;

/**
 * The plan, checked with the bounds the engine needs (timers, per-room lists the length of the
 * rooms); a mistake is one line naming the field.
 */
export function readPlan(raw: unknown): { plan: WorkerPlan } | { problem: string } {
  const at = 'config.engines.fanout';
  if (!isObject(raw)) return { problem: `${at}: missing (write the script with fanout-bench artillery export)` };
  if (raw.version !== PLAN_VERSION) return { problem: `${at}.version: must be ${PLAN_VERSION}, got ${JSON.stringify(raw.version)}` };
  if (raw.tokenIn !== 'header' && raw.tokenIn !== 'query') return { problem: `${at}.tokenIn: must be header or query` };
  const rooms = raw.rooms;
  if (!Array.isArray(rooms) || rooms.length === 0 || !rooms.every((n) => Number.isSafeInteger(n) && n > 0)) {
    return { problem: `${at}.rooms: must be a non-empty list of room sizes (integers > 0)` };
  }
  const t = raw.timeouts;
  if (!isObject(t)) return { problem: `${at}.timeouts: missing` };
  for (const k of ['connectMs', 'ackMs', 'graceMs', 'lossMs']) {
    const min = k === 'graceMs' ? 0 : 1;
    if (!isNumberIn(t[k], min, MAX_MS)) return { problem: `${at}.timeouts.${k}: must be a number of ms from ${min} to ${MAX_MS}` };
  }
  if (!Array.isArray(raw.phases) || raw.phases.length === 0) return { problem: `${at}.phases: must be a non-empty list` };
  for (let i = 0; i < raw.phases.length; i++) {
    const problem = phaseProblem(raw.phases[i], rooms);
    if (problem) return { problem: `${at}.phases[${i}]${problem}` };
  }
  return { plan: raw as WorkerPlan };
}

function phaseProblem(p: unknown, rooms: number[]): string | undefined {
  if (!isObject(p)) return ': must be an object';
  if (typeof p.name !== 'string') return '.name: must be a string';
  const num = (key: string, min: number, max: number) => (isNumberIn(p[key], min, max) ? undefined : `.${key}: must be a number from ${min} to ${max}`);
  const perRoom = (key: string) => {
    const v = p[key];
    if (!Array.isArray(v) || v.length !== rooms.length || !v.every((n, r) => Number.isSafeInteger(n) && n >= 0 && n <= rooms[r])) {
      return `.${key}: must list, for each of the ${rooms.length} rooms, an integer from 0 to the room's size`;
    }
    return undefined;
  };
  switch (p.kind) {
    case 'connect':
    case 'join':
      return num('rate', Number.MIN_VALUE, 1e6) ?? num('maxInFlight', 1, 1e9);
    case 'send':
      return num('durationMs', 0, MAX_MS) ?? num('rate', Number.MIN_VALUE, 1e6) ?? num('payloadBytes', 0, 126_000) ?? perRoom('senders');
    case 'idle':
      return num('durationMs', 0, MAX_MS);
    case 'drop':
      return perRoom('members');
    default:
      return '.kind: must be connect, join, send, idle or drop';
  }
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNumberIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
}
