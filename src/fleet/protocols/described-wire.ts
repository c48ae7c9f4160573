import { parseDuration } from '../../contracts/duration.ts';
import type { DescribedProtocol } from '../../contracts/protocol-schema.ts';
import { parseTemplate, renderTemplate, usesVariable, type ParsedTemplate } from '../../contracts/protocol-template.ts';
import { compileMatcher, gatewayError, lazyJson } from './answer-matcher.ts';
import type { WireOptions } from './chat-v1-wire.ts';
import { handshakeWith } from './connect-token.ts';
import { scanProbe } from './probe-scan.ts';
import type { Answer, Handshake, WireProtocol } from './wire-protocol.ts';
import { withUserAgent } from './user-agent.ts';

const ALL_VARS = ['room', 'client', 'token', 'run', 'probe'] as const;

/**
 * A described protocol (contracts/protocol-schema.ts, already checked) as a WireProtocol: its
 * templates parsed once, its matchers compiled once. Deliveries are found by the probe's marker
 * in the bytes (probe-scan.ts), wherever the stack put it.
 */
export function describedWire(d: DescribedProtocol, o: WireOptions): WireProtocol {
  const t = (v: unknown): ParsedTemplate => parseTemplate(v, ALL_VARS);
  const query = Object.entries(d.connect?.query ?? {}).map(([k, v]) => [k, t(v)] as const);
  const headers = Object.entries(d.connect?.headers ?? {}).map(([k, v]) => [k, t(v)] as const);
  const subprotocols = (d.connect?.subprotocols ?? []).map(t);
  const usesToken = [...query, ...headers].some(([, p]) => usesVariable(p, 'token')) || subprotocols.some((p) => usesVariable(p, 'token'));
  // the token goes where the run says (x-api-key or ?token=) unless the description places it itself
  const base = usesToken ? { url: o.url } : handshakeWith(o.url, o.token);
  const token = o.token?.token ?? '';
  const perClient = query.length > 0 || headers.some(([, p]) => p.vars.length > 0) || subprotocols.some((p) => p.vars.length > 0);
  const build = (room: string, client: number): Handshake => {
    const values = { room, client: String(client), token, run: o.run };
    let url = base.url;
    if (query.length > 0) {
      const u = new URL(base.url);
      for (const [k, p] of query) u.searchParams.set(k, renderTemplate(p, values));
      url = u.toString();
    }
    const h: Record<string, string> = { ...base.headers };
    for (const [k, p] of headers) h[k] = renderTemplate(p, values);
    return {
      url,
      ...(Object.keys(h).length > 0 ? { headers: h } : {}),
      ...(subprotocols.length > 0 ? { protocols: subprotocols.map((p) => renderTemplate(p, values)) } : {}),
    };
  };
  const fixed = perClient ? undefined : build('', 0);
  const m = d.membership;
  const join = m.model === 'join' ? t(m.frame) : undefined;
  const joinAnswer = m.model === 'join' && m.answer ? compileMatcher(m.answer) : undefined;
  const send = t(d.send.frame);
  const ack = d.send.ack ? compileMatcher(d.send.ack) : undefined;
  const run = o.run;
  return {
    name: d.name,
    membership: m.model,
    recipients: d.recipients,
    createsRooms: false,
    joinAnswered: joinAnswer !== undefined,
    joinSettleMs: m.model === 'join' ? parseDuration(m.settle)! : 0,
    acksSends: ack !== undefined,
    acksCount: false,
    coldConnects: false,
    ownCopyIds: false,
    handshake: (room, client, connection) => withUserAgent(fixed ?? build(room, client), run, client, connection),
    createFrame: () => '',
    joinFrame: (room, client) => (join ? renderTemplate(join, { room, client: String(client), run }) : ''),
    sendFrame: (room, client, probe) => renderTemplate(send, { probe, room, client: String(client), run }),
    scan: scanProbe,
    answer: (buf, awaiting): Answer => {
      const text = buf.toString('utf8');
      const json = lazyJson(text);
      if (awaiting.join && joinAnswer?.(text, json)) return { kind: 'joined' };
      if (awaiting.ack && ack?.(text, json)) return { kind: 'sent', messageId: '', recipients: -1, gone: 0 };
      const error = gatewayError(json());
      return error ? { kind: 'error', errorKind: error } : { kind: 'other' };
    },
  };
}
