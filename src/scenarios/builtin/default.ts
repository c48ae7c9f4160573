import type { ScenarioInput } from '../../contracts/scenario-schema.ts';

/**
 * The four built-in scenarios, briefly, on one fleet: a connect storm, fan-out across zipf rooms,
 * a burst after idling past the reap time (cold vs warm), and a drop with lost $disconnects
 * (410 cleanup). Each phase is reported on its own in results.json `phases`.
 */
export const defaultScenario: ScenarioInput = {
  name: 'default',
  description: 'connect-storm, fanout, cold-start and stale-cleanup, briefly, on one fleet',
  clients: 200,
  rooms: 20,
  roomSizes: { distribution: 'zipf', exponent: 1 },
  target: { idleReapSeconds: 3, lostDisconnectShare: 1 },
  phases: [
    { connect: { name: 'storm', rate: 200, maxInFlight: 100 } },
    { join: { rate: 200, maxInFlight: 50 } },
    { send: { name: 'fanout', duration: '10s', rate: 20 } },
    { idle: { duration: '5s' } },
    { send: { name: 'burst', duration: '3s', rate: 30 } },
    { drop: { share: 0.2 } },
    { send: { name: 'stale', duration: '6s', rate: 20 } },
  ],
};
