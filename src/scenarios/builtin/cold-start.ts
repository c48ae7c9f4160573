import type { ScenarioInput } from '../../contracts/scenario-schema.ts';

/**
 * Warm traffic, then idle past the emulator's reap time (3 s here; on AWS reaping takes minutes:
 * use a scenario file with a longer idle), then a burst: deliveries split cold vs warm by the
 * `cold` flag of the message frame.
 */
export const coldStart: ScenarioInput = {
  name: 'cold-start',
  description: 'Idle past the reap time, then a burst: broadcast latency split cold vs warm',
  clients: 100,
  rooms: 10,
  target: { idleReapSeconds: 3 },
  phases: [
    { connect: { rate: 200, maxInFlight: 50 } },
    { join: { rate: 200, maxInFlight: 50 } },
    { send: { name: 'warm', duration: '3s', rate: 10 } },
    { idle: { duration: '6s' } },
    { send: { name: 'burst', duration: '3s', rate: 30 } },
  ],
};
