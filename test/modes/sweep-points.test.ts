import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { loadScenario, validateScenario } from '../../src/scenarios/load-scenario.ts';
import { loadOf, numberList, payloadPoints, roomSizePoints } from '../../src/modes/sweep-points.ts';

/** The scenario as each point of a room-size or payload sweep runs it, and the value lists' bad-input lines. */

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message.includes('\n')).toBe(false);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('roomSizePoints', () => {
  const fanout = loadScenario('fanout');

  it('keeps the deliveries per second by default: rooms of exactly N, the send rate divided as rooms grow', () => {
    const points = roomSizePoints(fanout, [200, 10, 50], 'deliveries');
    expect(points.map((p) => [p.x, p.label, loadOf(p.scenario)])).toEqual([
      [10, '10 members', { clients: 200, rooms: 20, membersPerRoom: 10, messagesPerSecond: 20, deliveriesPerSecond: 200, payloadBytes: 64 }],
      [50, '50 members', { clients: 200, rooms: 4, membersPerRoom: 50, messagesPerSecond: 4, deliveriesPerSecond: 200, payloadBytes: 64 }],
      [200, '200 members', { clients: 200, rooms: 1, membersPerRoom: 200, messagesPerSecond: 1, deliveriesPerSecond: 200, payloadBytes: 64 }],
    ]);
    for (const p of points) {
      // uniform sizes whatever the scenario's distribution (fanout's is zipf), and its definition says the same
      expect(p.scenario.roomSizes.distribution).toBe('uniform');
      expect(p.scenario.definition).toMatchObject({ clients: p.scenario.clients, rooms: p.scenario.rooms, roomSizes: { distribution: 'uniform' } });
    }
    // the scenario itself is left as it was
    expect([fanout.rooms, fanout.roomSizes.distribution]).toEqual([20, 'zipf']);
  });

  it('keeps the clients and the send rate with clients, rounding the clients down to whole rooms', () => {
    const points = roomSizePoints(fanout, [30, 200], 'clients');
    expect(points.map((p) => loadOf(p.scenario))).toEqual([
      { clients: 180, rooms: 6, membersPerRoom: 30, messagesPerSecond: 20, deliveriesPerSecond: 600, payloadBytes: 64 },
      { clients: 200, rooms: 1, membersPerRoom: 200, messagesPerSecond: 20, deliveriesPerSecond: 4000, payloadBytes: 64 },
    ]);
  });

  it('refuses a room larger than the clients and a scenario with nothing to send', () => {
    expect(refusal(() => roomSizePoints(fanout, [10, 5000], 'deliveries'))).toBe('--room-size: rooms of 5,000 members need at least 5,000 clients; built-in scenario fanout has 200 (raise --clients)');
    const quiet = validateScenario({ name: 'quiet', clients: 10, rooms: 1, phases: [{ connect: { rate: 10 } }, { join: { rate: 10 } }] }, 'quiet.yaml');
    expect(refusal(() => roomSizePoints(quiet, [5, 10], 'deliveries'))).toBe('--room-size: quiet.yaml has no send phase nor a publish to a room: there is nothing to sweep');
    expect(refusal(() => payloadPoints(quiet, [64, 128]))).toBe('--payload: quiet.yaml has no send phase: there is nothing to sweep');
  });

  it('a server push (a publish to room 0, as the built-in push): rooms of N, the publish rate divided as rooms grow', () => {
    const publish = { via: 'eventbridge', to: 'PushBus', rate: 2, duration: '10s', payload: { source: 's', detailType: 'push', detail: { room: '{{room}}', payload: '{{probe}}' } }, recipients: { room: 0 } };
    const push = validateScenario({ name: 'push', clients: 1000, rooms: 10, phases: [{ connect: { rate: 200 } }, { join: { rate: 200 } }, { publish }] }, 'push.yaml');
    const points = roomSizePoints(push, [10, 100, 1000], 'deliveries');
    expect(points.map((p) => loadOf(p.scenario))).toEqual([
      { clients: 1000, rooms: 100, membersPerRoom: 10, messagesPerSecond: 20, deliveriesPerSecond: 200, payloadBytes: 0 },
      { clients: 1000, rooms: 10, membersPerRoom: 100, messagesPerSecond: 2, deliveriesPerSecond: 200, payloadBytes: 0 },
      { clients: 1000, rooms: 1, membersPerRoom: 1000, messagesPerSecond: 0.2, deliveriesPerSecond: 200, payloadBytes: 0 },
    ]);
  });

  it('holds each point to the scenario schema, as a file is held, naming the point', () => {
    // rooms of 1 at the deliveries of rooms of 100: 100 times the send rate, past the schema's bound
    const fast = validateScenario(
      { name: 'fast', clients: 1000, rooms: 10, phases: [{ connect: { rate: 1000 } }, { join: { rate: 1000 } }, { send: { duration: '1s', rate: 20_000 } }] },
      'fast.yaml',
    );
    expect(refusal(() => roomSizePoints(fast, [1, 100], 'deliveries'))).toBe('--room-size 1: phases[2].send.rate: must be a number > 0 and at most 1000000');
    expect(refusal(() => payloadPoints(fast, [64, 200_000]))).toMatch(/^--payload 200000: phases\[2\]\.send\.payloadBytes: /);
  });
});

describe('payloadPoints', () => {
  it('sets every send phase\'s payload and nothing else, in ascending order', () => {
    const fanout = loadScenario('fanout');
    const points = payloadPoints(fanout, [32_600, 128]);
    expect(points.map((p) => [p.label, loadOf(p.scenario).payloadBytes, p.scenario.rooms, p.scenario.clients])).toEqual([
      ['128 B', 128, 20, 200],
      ['32,600 B', 32_600, 20, 200],
    ]);
  });
});

describe('numberList', () => {
  it('reads 2 to 12 whole numbers within bounds, none twice, and names the flag and value otherwise', () => {
    expect(numberList('--room-size', ' 10, 100 ,1000', 1, 18_000, ' members')).toEqual([10, 100, 1000]);
    expect(refusal(() => numberList('--payload', '64,1.5', 0, 126_000, ' bytes'))).toBe('--payload: each value must be a whole number from 0 to 126,000 bytes, got "1.5" in "64,1.5"');
    expect(refusal(() => numberList('--room-size', '0,10', 1, 18_000, ' members'))).toBe('--room-size: each value must be a whole number from 1 to 18,000 members, got "0" in "0,10"');
    expect(refusal(() => numberList('--room-size', '10,,20', 1, 18_000, ' members'))).toBe('--room-size: each value must be a whole number from 1 to 18,000 members, got "" in "10,,20"');
    expect(refusal(() => numberList('--room-size', '10,20,10', 1, 18_000, ' members'))).toBe('--room-size: 10 is listed twice in "10,20,10"');
    expect(refusal(() => numberList('--room-size', '10', 1, 18_000, ' members'))).toBe('--room-size: list 2 to 12 values to compare, got 1 ("10")');
  });
});
