import type { ScenarioInput } from '../../contracts/scenario-schema.ts';

/**
 * A share of clients vanish without a close frame while $disconnect events are lost, so the
 * system keeps listing them; the broadcasts after the drop hit them (410 Gone) until the fan-out
 * deletes them. Measures 410s, time until broadcasts stop hitting stale connections, wasted posts.
 */
export const staleCleanup: ScenarioInput = {
  name: 'stale-cleanup',
  description: 'Drop clients without a close frame while $disconnect is lost; measure 410s and cleanup time',
  clients: 200,
  rooms: 20,
  target: { lostDisconnectShare: 1 },
  phases: [
    { connect: { rate: 200, maxInFlight: 50 } },
    { join: { rate: 200, maxInFlight: 50 } },
    { send: { name: 'before', duration: '3s', rate: 20 } },
    { drop: { share: 0.2 } },
    { send: { name: 'after', duration: '8s', rate: 20 } },
  ],
};
