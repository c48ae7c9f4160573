import type { ProtocolResult } from '../../contracts/results-schema.ts';
import type { ProtocolTraits } from '../../metrics/results/protocol-result.ts';
import type { WireProtocol } from './wire-protocol.ts';

/**
 * What a protocol other than chat-v1 lets the harness see, read off the WireProtocol its clients
 * speak: the same for a run's shards (src/session/measure.ts) and an Artillery run's workers
 * (src/artillery-interop/output-results.ts), so both reports describe it alike.
 */
export function protocolTraits(kind: Exclude<ProtocolResult['kind'], 'chat-v1'>, wire: WireProtocol): ProtocolTraits {
  return {
    name: wire.name,
    kind,
    membership: wire.membership,
    recipients: wire.recipients,
    sendAcks: wire.acksSends,
    joinAnswers: wire.joinAnswered,
    ackCounts: wire.acksCount,
    coldConnects: wire.coldConnects,
  };
}
