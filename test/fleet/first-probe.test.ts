import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { DescribedProtocol } from '../../src/contracts/protocol-schema.ts';
import { describedWire } from '../../src/fleet/protocols/described-wire.ts';
import { firstProbe } from '../../src/fleet/protocols/first-probe.ts';

// The protocol's pre-flight probe against a real WebSocket server on 127.0.0.1: a matcher that
// does not recognise the stack's answer is the user's mistake; an error the stack answers in its
// place (API Gateway's "Internal server error" when the route's integration fails) is the stack's,
// and the matcher is not blamed for it.

let server: WebSocketServer | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server answering every frame with `answer`. */
async function answering(answer: string): Promise<string> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (ws) => ws.on('message', () => ws.send(answer)));
  await new Promise((resolve) => server!.once('listening', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const PROTOCOL = DescribedProtocol.parse({
  membership: { model: 'join', frame: { action: 'join', room: '{{room}}' }, answer: { json: '$.joined' } },
  send: { frame: { action: 'send', data: '{{probe}}' } },
});
const probe = (url: string) => firstProbe(describedWire(PROTOCOL, { url, run: 'r1' }), { room: 'probe', client: 0, timeoutMs: 1_000, fields: { join: 'protocol.membership.answer', ack: 'protocol.send.ack' } });

describe("the protocol's first probe", () => {
  it("an integration's error in place of the join's answer: the stack refused, the matcher not tried", async () => {
    const frame = '{"message": "Internal server error", "connectionId":"abc=", "requestId":"req-1"}';
    const url = await answering(frame);
    expect(await probe(url)).toEqual({
      stackRefused: `the stack answered the first join with an error, ${JSON.stringify(frame)}: API Gateway's answer when the route's integration fails (its function threw or timed out, or the service it calls refused the request) (protocol.membership.answer was not tried)`,
    });
  });

  it("an answer the matcher does not recognise: the user's field, with the frame heard", async () => {
    const url = await answering('{"result":{"ok":1}}');
    expect(await probe(url)).toEqual({ mistake: 'protocol.membership.answer: no answer matched the first join within 1s (the first other frame was "{\\"result\\":{\\"ok\\":1}}")' });
  });
});
