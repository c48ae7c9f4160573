import { UserError } from '../../common/errors.ts';
import type { HoldConstant } from '../analyses/compare/compare-schema.ts';
import { fmtNum } from '../number-format.ts';
import type { PlannedPhase, Scenario } from '../contracts/scenario-schema.ts';
import { revised } from '../scenarios/scenario-overrides.ts';

/**
 * The scenario as each point of a room-size or payload sweep runs it. Pure. A mistake (a room
 * larger than the clients, a send rate out of bounds) is a UserError naming the flag and value,
 * before anything starts.
 */
export interface SweepPoint {
  x: number;
  label: string;
  scenario: Scenario;
}

/** The largest payload a send phase takes (the scenario schema's bound: API Gateway's frame is 128 KB). */
export const MAX_PAYLOAD_BYTES = 126_000;
const MAX_POINTS = 12;

type SendPhase = Extract<PlannedPhase, { kind: 'send' }>;
type PublishPhase = Extract<PlannedPhase, { kind: 'publish' }>;

function sendPhases(s: Scenario, flag: string): SendPhase[] {
  const sends = s.phases.filter((p): p is SendPhase => p.kind === 'send');
  if (sends.length === 0) throw new UserError(`${flag}: ${s.source} has no send phase: there is nothing to sweep`);
  return sends;
}

/** Phases whose messages reach a room's members: sends, and publishes to a room (a server push). */
function roomPhases(s: Scenario): Array<SendPhase | PublishPhase> {
  const phases = s.phases.filter((p): p is SendPhase | PublishPhase => p.kind === 'send' || (p.kind === 'publish' && p.recipients !== 'everyone'));
  if (phases.length === 0) throw new UserError(`--room-size: ${s.source} has no send phase nor a publish to a room: there is nothing to sweep`);
  return phases;
}

/** A comma-separated list of whole numbers from `min` to `max`, 2 to 12 of them, none twice. */
export function numberList(flag: string, v: string, min: number, max: number, unit: string): number[] {
  const parts = v.split(',').map((p) => p.trim());
  const values = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  const bad = parts.find((p, i) => !Number.isSafeInteger(values[i]) || values[i]! < min || values[i]! > max);
  if (bad !== undefined) throw new UserError(`${flag}: each value must be a whole number from ${fmtNum(min)} to ${fmtNum(max)}${unit}, got "${bad}" in "${v}"`);
  const twice = values.find((s, i) => values.indexOf(s) !== i);
  if (twice !== undefined) throw new UserError(`${flag}: ${twice} is listed twice in "${v}"`);
  if (values.length < 2 || values.length > MAX_POINTS) throw new UserError(`${flag}: list 2 to ${MAX_POINTS} values to compare, got ${values.length} ("${v}")`);
  return values;
}

/**
 * Room size `members`: rooms = ⌊clients ÷ members⌋ of exactly `members` each (clients rounded down
 * to a multiple; uniform sizes, whatever the scenario's distribution). `deliveries` keeps the
 * scenario's deliveries per second (each send phase's rate × its members per room ÷ members),
 * `clients` keeps each send phase's rate.
 */
export function roomSizePoints(base: Scenario, sizes: readonly number[], hold: HoldConstant): SweepPoint[] {
  const sends = roomPhases(base);
  const baseMembers = base.clients / base.rooms;
  return [...sizes].sort((a, b) => a - b).map((members) => {
    const rooms = Math.floor(base.clients / members);
    if (rooms < 1) {
      throw new UserError(`--room-size: rooms of ${fmtNum(members)} members need at least ${fmtNum(members)} clients; ${base.source} has ${fmtNum(base.clients)} (raise --clients)`);
    }
    const clients = rooms * members;
    const rateOf = (p: SendPhase | PublishPhase) => (hold === 'deliveries' ? (p.rate * baseMembers) / members : p.rate);
    // the schema holds each point as it holds a file: a rate past its bound names the point
    const scenario = revised(
      base,
      (d) => {
        d.clients = clients;
        d.rooms = rooms;
        d.roomSizes = { distribution: 'uniform', exponent: 1 };
        // the phases in order, as roomPhases found them (a publish to everyone keeps its rate)
        let k = 0;
        for (const p of d.phases ?? []) {
          if (p.send) p.send.rate = rateOf(sends[k++]!);
          else if (p.publish && p.publish.recipients !== undefined && p.publish.recipients !== 'everyone') p.publish.rate = rateOf(sends[k++]!);
        }
      },
      () => ({ by: `--room-size ${members}`, own: false }),
    );
    return { x: members, label: `${fmtNum(members)} members`, scenario };
  });
}

/** Payload `bytes` in every send phase; nothing else changes. */
export function payloadPoints(base: Scenario, bytes: readonly number[]): SweepPoint[] {
  sendPhases(base, '--payload');
  return [...bytes].sort((a, b) => a - b).map((n) => {
    const scenario = revised(
      base,
      (d) => {
        for (const p of d.phases ?? []) if (p.send) p.send.payloadBytes = n;
      },
      () => ({ by: `--payload ${n}`, own: false }),
    );
    return { x: n, label: `${fmtNum(n)} B`, scenario };
  });
}

/** What a point's scenario runs, for compare.json: the first send phase's (else publish phase's) rate and payload. */
export function loadOf(s: Scenario): { clients: number; rooms: number; membersPerRoom: number; messagesPerSecond: number; deliveriesPerSecond: number; payloadBytes: number } {
  const send = s.phases.find((p): p is SendPhase => p.kind === 'send');
  const publish = s.phases.find((p): p is PublishPhase => p.kind === 'publish');
  const membersPerRoom = s.clients / s.rooms;
  const messagesPerSecond = send?.rate ?? publish?.rate ?? 0;
  // a publish to everyone reaches every client; a send or a publish to a room, its members
  const reached = !send && publish?.recipients === 'everyone' ? s.clients : membersPerRoom;
  return { clients: s.clients, rooms: s.rooms, membersPerRoom, messagesPerSecond, deliveriesPerSecond: messagesPerSecond * reached, payloadBytes: send?.payloadBytes ?? 0 };
}
