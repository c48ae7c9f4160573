// @ts-check
/**
 * The plan one worker plays, as `fanout-bench artillery export` writes it under
 * `config.engines.fanout` (its schema on the harness's side: src/artillery/plan-schema.ts). Every
 * worker of a distributed run gets the same script, so this is one worker's share: its rooms
 * (sizes), its rates, and per room how many members send in each send phase and how many a drop
 * phase drops.
 *
 * @typedef {{ kind: 'connect', name: string, rate: number, maxInFlight: number }
 *   | { kind: 'join', name: string, rate: number, maxInFlight: number }
 *   | { kind: 'send', name: string, durationMs: number, rate: number, payloadBytes: number, senders: number[] }
 *   | { kind: 'idle', name: string, durationMs: number }
 *   | { kind: 'drop', name: string, members: number[] }} PlanPhase
 * @typedef {{ version: 1, workers: number, tokenIn: 'header' | 'query', rooms: number[],
 *   timeouts: { connectMs: number, ackMs: number, graceMs: number, lossMs: number },
 *   phases: PlanPhase[] }} Plan
 * (The plan also carries `seed`, `total` and `scenario`, for the report; the engine needs none.)
 */

export const PLAN_VERSION = 1;
/** No timer the engine sets may exceed what Node's timers hold. */
const MAX_MS = 24 * 3_600_000;

/**
 * The plan, checked; a mistake is one line naming the field.
 * @param {unknown} raw
 * @returns {{ plan: Plan } | { problem: string }}
 */
export function readPlan(raw) {
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
    if (!isNumberIn(t[k], k === 'graceMs' ? 0 : 1, MAX_MS)) return { problem: `${at}.timeouts.${k}: must be a number of ms from ${k === 'graceMs' ? 0 : 1} to ${MAX_MS}` };
  }
  if (!Array.isArray(raw.phases) || raw.phases.length === 0) return { problem: `${at}.phases: must be a non-empty list` };
  for (let i = 0; i < raw.phases.length; i++) {
    const problem = phaseProblem(raw.phases[i], rooms);
    if (problem) return { problem: `${at}.phases[${i}]${problem}` };
  }
  return { plan: /** @type {Plan} */ (raw) };
}

/**
 * @param {unknown} p
 * @param {number[]} rooms
 * @returns {string | undefined}
 */
function phaseProblem(p, rooms) {
  if (!isObject(p)) return ': must be an object';
  if (typeof p.name !== 'string') return '.name: must be a string';
  /** @param {string} key @param {number} min @param {number} max */
  const num = (key, min, max) => (isNumberIn(p[key], min, max) ? undefined : `.${key}: must be a number from ${min} to ${max}`);
  /** @param {string} key */
  const perRoom = (key) => {
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

/**
 * @param {unknown} v
 * @returns {v is Record<string, any>}
 */
function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * @param {unknown} v
 * @param {number} min
 * @param {number} max
 */
function isNumberIn(v, min, max) {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
}
