import { UserError } from '../../../common/errors.ts';
import { handshakeWith } from './connect-token.ts';
import type { WireOptions } from './chat-v1-wire.ts';
import { scanProbe } from './probe-scan.ts';
import type { Answer, Handshake, WireProtocol } from './wire-protocol.ts';
import { withUserAgent } from './user-agent.ts';

/**
 * A protocol written as a TypeScript (or JavaScript) module, for what a description cannot say
 * (docs/measuring-your-own-stack.md, "A protocol module"): the scenario names it
 * (`protocol: { module: ./my-protocol.ts }`, relative to the scenario) and it exports, as
 * `default` or as `protocol`, an object of this shape. Deliveries are still found by the probe in
 * the frame's bytes: the module only says how to connect, join and send, and what an answer is.
 */
export interface ProtocolModule {
  /** shown in results and reports (default: the file's name) */
  name?: string;
  /** join: each client sends joinFrame; connect: the handshake names the room; all: everyone gets everything */
  membership: 'join' | 'connect' | 'all';
  /** who receives a message: the room with the sender (default) or without it */
  recipients?: 'room' | 'others';
  /** the handshake of one client: query parameters added to the target's URL, headers, subprotocols */
  connect?(c: ClientInfo & { token?: string }): { query?: Record<string, string>; headers?: Record<string, string>; subprotocols?: string[] };
  /** membership join: the frame that joins `c.room` */
  joinFrame?(c: ClientInfo): string;
  /** membership join without answers: how long the join step waits after the last join (default 500 ms) */
  joinSettleMs?: number;
  /** the frame that sends one message; `probe` is ASCII without quotes or backslashes: put it anywhere, once */
  sendFrame(c: ClientInfo & { probe: string }): string;
  /**
   * What a received frame without a probe means: `joined` (a join's answer), `acked` (a send's,
   * matched to the client's oldest unanswered send), an error, or undefined (nothing). Without
   * it, joins and sends are fire-and-forget.
   */
  readAnswer?(frame: string): 'joined' | 'acked' | { error: string } | undefined;
  /** readAnswer says `joined` for joins (default: true when readAnswer is given and membership is join) */
  joinAnswers?: boolean;
  /** readAnswer says `acked` for sends (default: true when readAnswer is given) */
  sendAcks?: boolean;
}

export interface ClientInfo {
  /** the room's name */
  room: string;
  /** the client's number in the run (0 … clients−1) */
  client: number;
}

const PROBE_SAMPLE = 'fb1|0|0|0|0|0|xxxx';

/** Imports the module at `path` and checks it; every mistake is one line naming the module and its export. */
export async function loadProtocolModule(path: string): Promise<ProtocolModule> {
  let ns: Record<string, unknown>;
  try {
    // tsx's scoped import: a .ts module loads as ESM whatever package.json sits beside it (tsx
    // loaded here, not at start: a compiled CLI with no protocol module never needs it)
    const { tsImport } = await import('tsx/esm/api');
    ns = (await tsImport(path, import.meta.url)) as Record<string, unknown>;
  } catch (err) {
    throw new UserError(`protocol.module: ${path}: cannot be loaded (${((err as Error).message ?? String(err)).split('\n')[0]})`);
  }
  // a module read as CommonJS wraps its exports in `default`
  const inner = ns.default as Record<string, unknown> | undefined;
  const m = (ns.protocol ?? inner?.protocol ?? (inner && 'default' in inner ? inner.default : inner)) as Partial<ProtocolModule> | undefined;
  const at = (field: string, what: string) => new UserError(`protocol.module: ${path}: ${field}: ${what}`);
  if (typeof m !== 'object' || m === null) throw at('export', 'must export a protocol object as `default` or `protocol`');
  if (m.membership !== 'join' && m.membership !== 'connect' && m.membership !== 'all') throw at('membership', 'must be join, connect or all');
  if (m.recipients !== undefined && m.recipients !== 'room' && m.recipients !== 'others') throw at('recipients', 'must be room or others');
  if (typeof m.sendFrame !== 'function') throw at('sendFrame', 'must be a function returning the frame that carries the probe');
  let sample: unknown;
  try {
    sample = m.sendFrame({ room: 'room', client: 0, probe: PROBE_SAMPLE });
  } catch (err) {
    throw at('sendFrame', `threw ${(err as Error).message}`);
  }
  if (typeof sample !== 'string' || !sample.includes(PROBE_SAMPLE)) throw at('sendFrame', 'must return a string that carries the probe it is given');
  if (m.membership === 'join' && typeof m.joinFrame !== 'function') throw at('joinFrame', 'membership join needs a joinFrame function');
  for (const f of ['connect', 'readAnswer'] as const) if (m[f] !== undefined && typeof m[f] !== 'function') throw at(f, 'must be a function');
  if (m.joinSettleMs !== undefined && !(Number.isFinite(m.joinSettleMs) && m.joinSettleMs >= 0 && m.joinSettleMs <= 60_000)) throw at('joinSettleMs', 'must be a number of ms from 0 to 60000');
  return m as ProtocolModule;
}

/** A checked module as a WireProtocol. */
export function moduleWire(m: ProtocolModule, name: string, o: WireOptions): WireProtocol {
  const answers = typeof m.readAnswer === 'function';
  const joinAnswered = m.membership === 'join' && answers && m.joinAnswers !== false;
  const acksSends = answers && m.sendAcks !== false;
  const base = handshakeWith(o.url, o.token);
  const handshake = (room: string, client: number): Handshake => {
    const c = m.connect?.({ room, client, token: o.token?.token });
    if (!c) return base;
    let url = base.url;
    if (c.query && Object.keys(c.query).length > 0) {
      const u = new URL(base.url);
      for (const [k, v] of Object.entries(c.query)) u.searchParams.set(k, v);
      url = u.toString();
    }
    const headers = { ...base.headers, ...c.headers };
    return { url, ...(Object.keys(headers).length > 0 ? { headers } : {}), ...(c.subprotocols?.length ? { protocols: c.subprotocols } : {}) };
  };
  return {
    name: m.name ?? name,
    membership: m.membership,
    recipients: m.recipients ?? 'room',
    createsRooms: false,
    joinAnswered,
    joinSettleMs: m.membership === 'join' ? (m.joinSettleMs ?? 500) : 0,
    acksSends,
    acksCount: false,
    coldConnects: false,
    ownCopyIds: false,
    handshake: (room, client, connection) => withUserAgent(handshake(room, client), o.run, client, connection),
    createFrame: () => '',
    joinFrame: (room, client) => m.joinFrame?.({ room, client }) ?? '',
    sendFrame: (room, client, probe) => m.sendFrame({ room, client, probe }),
    scan: scanProbe,
    answer: (buf, awaiting): Answer => {
      if (!answers) return { kind: 'other' };
      const a = m.readAnswer!(buf.toString('utf8'));
      if (a === 'joined') return awaiting.join ? { kind: 'joined' } : { kind: 'other' };
      if (a === 'acked') return awaiting.ack ? { kind: 'sent', messageId: '', recipients: -1, gone: 0 } : { kind: 'other' };
      if (a && typeof a === 'object' && typeof a.error === 'string') return { kind: 'error', errorKind: `frame:${a.error}` };
      return { kind: 'other' };
    },
  };
}
