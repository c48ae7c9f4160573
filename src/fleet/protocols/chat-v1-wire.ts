import { CONNECT_SUBPROTOCOLS, createRoomFrame, joinRoomFrame, parseControl, scanDelivery, sendMessageFrame, sendMessagePrefix } from './chat-v1.ts';
import { handshakeWith, type ConnectToken } from './connect-token.ts';
import type { Handshake, WireProtocol } from './wire-protocol.ts';
import { withUserAgent } from './user-agent.ts';

export interface WireOptions {
  /** the target's WebSocket URL */
  url: string;
  token?: ConnectToken;
  /** the target answers chat-v1's cold/warm subprotocols */
  askColdFlag?: boolean;
  /** the run's id ({{run}} in a description's templates) */
  run: string;
}

/** chat-v1 (chat-v1.ts) as a WireProtocol: the harness's own protocol, unchanged on the wire. */
export function chatV1Wire(o: WireOptions): WireProtocol {
  const base = handshakeWith(o.url, o.token);
  const handshake: Handshake = { ...base, ...(o.askColdFlag ? { protocols: CONNECT_SUBPROTOCOLS } : {}) };
  const prefixes = new Map<string, string>();
  return {
    name: 'chat-v1',
    membership: 'join',
    recipients: 'room',
    createsRooms: true,
    joinAnswered: true,
    joinSettleMs: 0,
    acksSends: true,
    acksCount: true,
    coldConnects: true,
    ownCopyIds: true,
    handshake: (_room, client, connection) => withUserAgent(handshake, o.run, client, connection),
    createFrame: createRoomFrame,
    joinFrame: (room) => joinRoomFrame(room),
    sendFrame: (room, _client, probe) => {
      let prefix = prefixes.get(room);
      if (prefix === undefined) prefixes.set(room, (prefix = sendMessagePrefix(room)));
      return sendMessageFrame(prefix, probe);
    },
    // whoami: the cheapest route that answers, and it changes nothing
    keepAliveFrame: '{"action":"whoami"}',
    scan: scanDelivery,
    answer: (buf) => parseControl(buf.toString('utf8')),
  };
}
