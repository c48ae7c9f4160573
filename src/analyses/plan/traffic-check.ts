import { UserError } from '../../../common/errors.ts';
import type { TrafficInput } from './monthly-cost.ts';

/**
 * What a planned traffic must be, given by flags or by a traffic file (traffic-file.ts): said
 * once, so that both refuse the same traffic. Each mistake is one line naming the flag, or the
 * file and its field.
 */
export type TrafficField = 'connections' | 'roomSize' | 'messagesPerS' | 'connectsPerS' | 'session';

/** How long a connection lasts when neither --session nor the file's `session` says. */
export const DEFAULT_SESSION = '30m';

export interface TrafficNames {
  /** before every message: the file (absent for flags, whose names say where) */
  where?: string;
  /** how each field is named: the flag (--room-size) or the file's field (roomSize) */
  names: Readonly<Record<TrafficField, string>>;
  /** how a refused value is shown: as given on the command line ("-3"), or as the file has it */
  got: (field: TrafficField, value: number) => string;
}

export interface GivenTraffic {
  connections: number;
  roomSize: number;
  messagesPerS: number;
  connectsPerS?: number;
  sessionSec: number;
}

export function checkTraffic(t: GivenTraffic, o: TrafficNames): TrafficInput {
  const fail = (field: TrafficField, what: string) => new UserError(`${o.where ? `${o.where}: ` : ''}${o.names[field]}: ${what}`);
  const wholeAtLeast1 = (field: 'connections' | 'roomSize', n: number) => {
    if (!Number.isSafeInteger(n) || n < 1) throw fail(field, `must be an integer >= 1, got ${o.got(field, n)}`);
  };
  const positive = (field: 'messagesPerS' | 'connectsPerS', n: number) => {
    if (!(Number.isFinite(n) && n > 0)) throw fail(field, `must be more than 0, got ${o.got(field, n)}`);
  };
  wholeAtLeast1('connections', t.connections);
  wholeAtLeast1('roomSize', t.roomSize);
  // a room is members of the traffic: one larger than all the connections cannot be filled
  if (t.roomSize > t.connections) throw fail('roomSize', `${t.roomSize} is more than ${o.names.connections} (${t.connections})`);
  positive('messagesPerS', t.messagesPerS);
  if (t.connectsPerS !== undefined) positive('connectsPerS', t.connectsPerS);
  if (!(Number.isFinite(t.sessionSec) && t.sessionSec > 0)) throw fail('session', `must be longer than 0s, got ${o.got('session', t.sessionSec)}`);
  return {
    connections: t.connections,
    roomSize: t.roomSize,
    messagesPerS: t.messagesPerS,
    sessionSec: t.sessionSec,
    ...(t.connectsPerS !== undefined ? { connectsPerS: t.connectsPerS } : {}),
  };
}
