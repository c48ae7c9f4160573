import type { ScenarioInput } from '../../contracts/scenario-schema.ts';

/**
 * The four built-in scenarios, briefly, on one fleet: a connect storm, fan-out across zipf rooms,
 * a burst after idling past the reap time (cold vs warm), and a drop with lost $disconnects
 * (410 cleanup). Each phase is reported on its own in results.json `phases`.
 *
 * Paced for the host it runs on by default, the local emulator sharing the harness's cores: at
 * 20 connects and joins a second and 10 messages a second, a 2-core host holds back about 6 % of
 * the invocations (bench/RESULTS.md, "The default run, paced"), where 200 a second held back
 * nearly all of them and the first figures a user read were the host's queue. The burst after
 * the idle still meets every function reaped: its cold-start wave, and the connects' and joins'
 * first cold starts, give the cold/warm split (docs/run.md).
 */
export const defaultScenario: ScenarioInput = {
  name: 'default',
  description: 'connect-storm, fanout, cold-start and stale-cleanup, briefly, on one fleet',
  clients: 200,
  rooms: 20,
  roomSizes: { distribution: 'zipf', exponent: 1 },
  target: { idleReapSeconds: 3, lostDisconnectShare: 1 },
  phases: [
    { connect: { name: 'storm', rate: 20, maxInFlight: 20 } },
    { join: { rate: 20, maxInFlight: 20 } },
    { send: { name: 'fanout', duration: '10s', rate: 10 } },
    { idle: { duration: '5s' } },
    { send: { name: 'burst', duration: '4s', rate: 10 } },
    { drop: { share: 0.2 } },
    { send: { name: 'stale', duration: '6s', rate: 10 } },
  ],
};
