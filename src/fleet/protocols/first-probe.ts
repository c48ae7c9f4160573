import WebSocket from 'ws';
import { encodeProbe } from '../../../common/probe-text.ts';
import { newProbe } from './chat-v1.ts';
import type { WireProtocol } from './wire-protocol.ts';

/**
 * An answer matcher that never matches shows only at run time. Before the fleet starts, one
 * client of the protocol's own joins (waiting for the join's answer) and sends one probe
 * (waiting for its ack), each within the ack timeout; an answer that does not come is a protocol
 * mistake, returned as one line naming the field, before any load. A connect that fails is not
 * the protocol's to judge: the fleet meets it and reports it as it does any refused connect. Nor
 * is an error the stack answers in place of the answer (API Gateway's `{"message": "Internal
 * server error"}` when the route's integration failed, its `Forbidden`, a module's own error):
 * the matcher was never tried, so it is not blamed; the stack's refusal is returned as such, for
 * the run to say and go on to meet (its errors then say why).
 */
export interface FirstProbeOptions {
  room: string;
  client: number;
  timeoutMs: number;
  /** the fields named when the join's answer or the send's ack never matched */
  fields: { join: string; ack: string };
}

const SHOWN = 160;

export type FirstProbeOutcome =
  /** the user's matcher (or module) did not recognise the stack's answer: one line naming the field */
  | { mistake: string }
  /** the stack answered the probe's frame with an error: said as the stack's, not the matcher's */
  | { stackRefused: string };

export async function firstProbe(wire: WireProtocol, o: FirstProbeOptions): Promise<FirstProbeOutcome | undefined> {
  if (!wire.joinAnswered && !wire.acksSends) return undefined;
  const h = wire.handshake(o.room, o.client);
  const ws = new WebSocket(h.url, h.protocols, { headers: h.headers, perMessageDeflate: false, handshakeTimeout: o.timeoutMs });
  let seen: string | undefined;
  let refused: { frame: string; kind: string } | undefined;
  let waiting: { join: boolean; ack: boolean; done: (ok: boolean) => void } | undefined;
  const delivery = newProbe();
  ws.on('message', (data: Buffer) => {
    // the probe's own delivery (membership all, or the sender's copy) is not an answer
    if (!waiting || wire.scan(data, delivery)) return;
    const a = wire.answer(data, { join: waiting.join, ack: waiting.ack });
    if ((waiting.join && a.kind === 'joined') || (waiting.ack && a.kind === 'sent')) waiting.done(true);
    else if (a.kind === 'error') {
      // the stack's error in place of an answer: no matcher could have matched it
      refused = { frame: data.toString('utf8').slice(0, SHOWN), kind: a.errorKind };
      waiting.done(false);
    } else seen ??= data.toString('utf8').slice(0, SHOWN);
  });
  const answered = (what: 'join' | 'ack', frame: string) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), o.timeoutMs);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        waiting = undefined;
        ws.off('close', onClose);
        resolve(ok);
      };
      const onClose = () => finish(true); // closed: not the matcher's fault (the fleet will see why)
      ws.once('close', onClose);
      waiting = { join: what === 'join', ack: what === 'ack', done: finish };
      ws.send(frame);
    });
  try {
    const opened = await new Promise<boolean>((resolve) => {
      ws.once('open', () => resolve(true));
      ws.once('error', () => resolve(false));
      ws.once('close', () => resolve(false));
    });
    if (!opened) return undefined;
    const secs = `${Math.round(o.timeoutMs / 100) / 10}s`;
    const heard = () => (seen === undefined ? 'no other frame arrived' : `the first other frame was ${JSON.stringify(seen)}`);
    const failed = (what: 'join' | 'send', field: string): FirstProbeOutcome =>
      refused !== undefined
        ? { stackRefused: `the stack answered the first ${what} with an error, ${JSON.stringify(refused.frame)}: ${stackErrorWords(refused.kind)} (${field} was not tried)` }
        : { mistake: `${field}: no answer matched the first ${what} within ${secs} (${heard()})` };
    if (wire.membership === 'join') {
      if (wire.joinAnswered) {
        if (!(await answered('join', wire.joinFrame(o.room, o.client)))) return failed('join', o.fields.join);
      } else {
        ws.send(wire.joinFrame(o.room, o.client));
        await new Promise((r) => setTimeout(r, wire.joinSettleMs));
      }
    }
    seen = undefined;
    refused = undefined;
    if (wire.acksSends) {
      const probe = encodeProbe({ origin: 0, slot: 0, sender: o.client, seq: 0, intended: Date.now() }, 0);
      if (ws.readyState === ws.OPEN && !(await answered('ack', wire.sendFrame(o.room, o.client, probe)))) {
        return failed('send', o.fields.ack);
      }
    }
    return undefined;
  } finally {
    ws.terminate();
  }
}

/** What an error frame (its kind, as the wire read it) says of the stack, in API Gateway's terms where it is API Gateway's own. */
function stackErrorWords(kind: string): string {
  if (kind === 'frame:Internal server error') return "API Gateway's answer when the route's integration fails (its function threw or timed out, or the service it calls refused the request)";
  if (kind === 'frame:Forbidden') return "API Gateway's answer when the route's authorization refuses the request";
  return "the stack's own error";
}
