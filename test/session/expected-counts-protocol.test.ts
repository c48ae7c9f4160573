import { describe, expect, it } from 'vitest';
import { expectedCounts } from '../../src/session/expected-counts.ts';
import { buildResults } from '../report/fixtures.ts';

/**
 * What the CloudWatch wait expects from a run: chat-v1's joins and sends invoke joinRoom and
 * sendMessage; another protocol's do not (its own routes, or no join at all), so the wait must not
 * hold out for invocations (or the reference stack's FanoutDeliveries) that never come. Its connects pass $connect whatever the protocol.
 */
describe('expected CloudWatch counts by protocol', () => {
  it('chat-v1 expects joinRoom and sendMessage; a described protocol expects only $connect', () => {
    const chat = buildResults();
    const names = Object.keys(expectedCounts(chat).invocations);
    expect(names.length).toBeGreaterThanOrEqual(3);
    const described = buildResults();
    described.protocol = { name: 'sendmessage', kind: 'described', membership: 'all', recipients: 'room', sendAcks: false, notObservable: {} };
    const only = expectedCounts(described).invocations;
    expect(Object.keys(only)).toHaveLength(1);
    expect(Object.values(only)[0]).toBe(described.connections!.opened);
    // FanoutDeliveries is the reference stack's own metric: another stack publishes none
    expect(chat.deliveries.received).toBeGreaterThan(0);
    expect(expectedCounts(chat).fanoutDeliveries).toBe(chat.deliveries.received);
    expect(expectedCounts(described).fanoutDeliveries).toBeUndefined();
    // a stack of another's speaking chat-v1, its functions publishing under their own namespace: none either
    const own = buildResults();
    own.config.target.functions = {
      source: 'lambda-api',
      functions: [{ name: 'chat-send', route: 'sendMessage', memoryMB: 512, emf: { namespace: 'ChatApp', service: 'chat' } }],
    };
    expect(expectedCounts(own).invocations).toEqual({ 'chat-send': own.sends.acked });
    expect(expectedCounts(own).fanoutDeliveries).toBeUndefined();
    own.config.target.functions.functions[0]!.emf = { namespace: 'FanoutBench', service: 'fanout-chat' };
    expect(expectedCounts(own).fanoutDeliveries).toBe(own.deliveries.received);
  });

  it('a publish acknowledged by its AWS API ran no sendMessage: the acknowledged sends less the publishes', () => {
    const chat = buildResults();
    const sendMessage = (r: typeof chat) => Object.entries(expectedCounts(r).invocations).find(([fn]) => fn.includes('send-message'))?.[1];
    const before = sendMessage(chat)!;
    expect(before).toBe(chat.sends.acked);
    chat.sends.acked += 20;
    chat.publish = [
      {
        phase: 'push',
        via: 'eventbridge',
        to: 'PushBus',
        resource: 'fanout-push',
        recipients: { room: 0 },
        recipientsPerPublish: 10,
        calls: { intended: 20, sent: 20, missedSlots: 0, acked: 20, failed: 0 },
        deliveries: { expected: 200, received: 200, lost: 0, duplicates: 0 },
        errors: {},
      },
    ];
    expect(sendMessage(chat)).toBe(before);
  });
});
