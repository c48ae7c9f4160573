import { describe, expect, it } from 'vitest';
import { protocolResult, withPublishAcks, type ProtocolTraits } from '../../src/metrics/results/protocol-result.ts';
import type { Results } from '../../src/contracts/results-schema.ts';

const fireAndForget: ProtocolTraits = { name: 'push', kind: 'described', membership: 'all', recipients: 'room', sendAcks: false, joinAnswers: false, ackCounts: false, coldConnects: false };
const sends: Results['sends'] = { intended: 5, sent: 5, missedSlots: 0, acked: 0, failed: 0, skipped: 0 };
const publish = [{ calls: { intended: 2, sent: 2, missedSlots: 0, acked: 2, failed: 0 } }, { calls: { intended: 1, sent: 1, missedSlots: 0, acked: 0, failed: 1 } }];

describe("a run's publishes, acknowledged by their API whatever the clients' protocol", () => {
  it('a run that only publishes: sends.acked is the publishes the API accepted, and observable', () => {
    const { sends: s, protocol } = withPublishAcks(sends, protocolResult(fireAndForget, false), publish, false);
    expect(s.acked).toBe(2);
    expect(protocol.notObservable['sends.acked']).toBeUndefined();
    // what else the protocol cannot show is kept
    expect(protocol.notObservable['metrics.ack']).toMatch(/^not observable with protocol push/);
  });

  it('publishes beside fire-and-forget client sends: the publishes counted, and said to be all it counts', () => {
    const { sends: s, protocol } = withPublishAcks(sends, protocolResult(fireAndForget, false), publish, true);
    expect(s.acked).toBe(2);
    expect(protocol.notObservable['sends.acked']).toBe('counts the publishes the API accepted alone: client sends are fire-and-forget with protocol push');
  });

  it('a protocol that acknowledges sends, or a run without publishes: left as built', () => {
    const acking = protocolResult({ ...fireAndForget, sendAcks: true }, false);
    expect(withPublishAcks({ ...sends, acked: 7 }, acking, publish, true)).toEqual({ sends: { ...sends, acked: 7 }, protocol: acking });
    const none = protocolResult(fireAndForget, false);
    expect(withPublishAcks(sends, none, [], false)).toEqual({ sends, protocol: none });
  });
});
