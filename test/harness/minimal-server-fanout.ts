import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntervalRecord } from '../../src/contracts/results-schema.ts';

/**
 * What fleet-minimal-server.test.ts (run on every Node in CI: the fleet's sockets and processes)
 * and fleet-minimal-server-runs.test.ts (the machine's Node only) share: the minimal fan-out
 * server's scenario, and a run's intervals read back.
 */
export const FANOUT_SCENARIO = `name: mini-fanout
clients: 60
rooms: 6
roomSizes: { distribution: zipf, exponent: 1 }
phases:
  - connect: { rate: 300, maxInFlight: 30 }
  - join: { rate: 300, maxInFlight: 30 }
  - send: { duration: 2s, rate: 40, senders: { share: 0.5 }, payloadBytes: 120 }
timeouts: { grace: 500ms }
`;

export function readIntervals(runDir: string): IntervalRecord[] {
  return readFileSync(join(runDir, 'intervals.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => IntervalRecord.parse(JSON.parse(l)));
}
