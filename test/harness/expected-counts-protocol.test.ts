import { describe, expect, it } from 'vitest';
import { expectedCounts } from '../../src/session/expected-counts.ts';
import { buildResults } from '../report/fixtures.ts';

/**
 * What the CloudWatch wait expects from a run: chat-v1's joins and sends invoke joinRoom and
 * sendMessage; another protocol's do not (its own routes, or no join at all), so the wait must not
 * hold out for invocations that never come. Its connects pass $connect whatever the protocol.
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
    // FanoutDeliveries is the reference stack's EMF metric: another protocol's stack publishes none
    expect(expectedCounts(chat).fanoutDeliveries).toBe(chat.deliveries.received);
    expect(chat.deliveries.received).toBeGreaterThan(0);
    expect(expectedCounts(described).fanoutDeliveries).toBeUndefined();
  });
});
