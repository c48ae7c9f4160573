import type { ScenarioInput } from '../../contracts/scenario-schema.ts';

/**
 * A server push on the reference stack: every client joins one room, then the harness puts push
 * events on the stack's bus (PushBus: the logical id the CDK app and the emulator pin) and
 * measures publish → each member's delivery. `target: { pushFanout: queued }` (or a compare
 * variant's knobs) measures the queued path instead of the direct one; `--clients` sets the room's size.
 */
export const push: ScenarioInput = {
  name: 'push',
  description: "Server push latency (PutEvents on the reference stack's bus → each member of the room) through its direct or queued fan-out",
  clients: 100,
  rooms: 1,
  phases: [
    { connect: { rate: 200, maxInFlight: 50 } },
    { join: { rate: 200, maxInFlight: 50 } },
    {
      publish: {
        name: 'push',
        via: 'eventbridge',
        to: 'PushBus',
        rate: 2,
        duration: '10s',
        payload: { source: 'fanout-bench.push', detailType: 'push', detail: { room: '{{room}}', payload: '{{probe}}' } },
        recipients: { room: 0 },
      },
    },
  ],
};
