import type { ScenarioInput } from '../../contracts/scenario-schema.ts';

/** Connect latency (intended connect time → `open`) under a ramp, the $connect cold starts included. */
export const connectStorm: ScenarioInput = {
  name: 'connect-storm',
  description: 'Connect latency to open under a ramp, including the $connect Lambda cold starts',
  clients: 400,
  rooms: 20,
  phases: [{ connect: { name: 'storm', rate: 200, maxInFlight: 100 } }],
};
