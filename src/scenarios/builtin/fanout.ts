import type { ScenarioInput } from '../../contracts/scenario-schema.ts';

/** Broadcast latency per delivery and fan-out completion per message, across zipf room sizes. */
export const fanout: ScenarioInput = {
  name: 'fanout',
  description: 'Broadcast latency (send → each member) and fan-out completion (send → last member) across room sizes',
  clients: 200,
  rooms: 20,
  roomSizes: { distribution: 'zipf', exponent: 1 },
  phases: [
    { connect: { rate: 200, maxInFlight: 50 } },
    { join: { rate: 200, maxInFlight: 50 } },
    { send: { name: 'fanout', duration: '10s', rate: 20, senders: { perRoom: 1 }, payloadBytes: 64 } },
  ],
};
