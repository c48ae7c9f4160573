import type { ProtocolModule } from '../../src/fleet/protocols/protocol-module.ts';

/**
 * A protocol module (docs/measuring-your-own-stack.md, "A protocol module"): a stack whose clients
 * subscribe to a channel and publish to it, answering both, and delivering each message as a
 * binary frame `MSG <data>`. A description could say most of this; a module is for what it
 * cannot (here: the channel name derived from the room, an answer read by code).
 * Use it with `protocol: { module: ./subscribe-protocol.ts }` in a scenario next to it.
 */
const protocol: ProtocolModule = {
  name: 'subscribe',
  membership: 'join',
  recipients: 'room',
  joinFrame: ({ room }) => JSON.stringify({ op: 'subscribe', channel: `chan-${room}` }),
  sendFrame: ({ room, probe }) => JSON.stringify({ op: 'publish', channel: `chan-${room}`, data: probe }),
  readAnswer(frame) {
    let f: { result?: { subscribed?: string; published?: boolean }; message?: string };
    try {
      f = JSON.parse(frame);
    } catch {
      return undefined;
    }
    if (f.result?.subscribed) return 'joined';
    if (f.result?.published === true) return 'acked';
    if (typeof f.message === 'string') return { error: f.message };
    return undefined;
  },
};

export default protocol;
