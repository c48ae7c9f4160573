import WebSocket from 'ws';
import type { ReceiverOrder } from '../metrics/measurement/order-tracker.ts';
import type { ConnectToken } from './protocols/connect-token.ts';
import type { Handshake } from './protocols/wire-protocol.ts';
import { PendingSends } from './pending-sends.ts';
import { now } from '../clock.ts';

/**
 * One simulated chat client: its socket, its room, and what it is waiting for. Tens of thousands
 * live in one shard, so a client holds numbers and references only (room names are per room, in
 * the shard) and its socket's listeners are shared functions, not closures per client.
 */
export const IDLE = 0;
export const CONNECTING = 1;
export const OPEN = 2;
export const CLOSED = 3;
export const DROPPED = 4;

export type ControlKind = 'create' | 'join';

export interface PendingControl {
  kind: ControlKind;
  intended: number;
  startedAt: number;
  done: (ok: boolean) => void;
}

export class SimClient {
  ws: WebSocket | undefined = undefined;
  state = IDLE;
  joined = false;
  /** next sequence number of this client's messages */
  seq = 0;
  /** intended time of the connect in progress */
  connectIntended = 0;
  /** epoch ms its handshake began (the connect timeout's clock) */
  connectStartedAt = 0;
  /** settles the connect in progress (ramp bookkeeping) */
  connectDone: (() => void) | undefined = undefined;
  /** deliveries' order bookkeeping, made on the first delivery */
  order: ReceiverOrder | undefined = undefined;
  pending: PendingSends | undefined = undefined;
  control: PendingControl | undefined = undefined;
  /**
   * Why its socket is not open: the error kind of its last failed connect ("handshake:500") or of
   * its socket's unexpected close ("close:1006"); undefined while it has never failed. Said when
   * a send phase stands a member in for it (client-group.ts).
   */
  failure: string | undefined = undefined;
  /**
   * Epoch ms the server closed it while it reconnects (a scenario's `reconnect`): from then until
   * it is a member again it is away, 0 otherwise.
   */
  awaySince = 0;
  /** reconnect attempts since the close that sent it away */
  attempts = 0;
  /** epoch ms of the last frame it sent (the keep-alive's clock) */
  lastSentAt = 0;

  constructor(
    readonly id: number,
    readonly room: number,
  ) {}

  get sends(): PendingSends {
    return (this.pending ??= new PendingSends());
  }
}

export interface ClientEvents {
  onOpen(c: SimClient): void;
  /** a connect that never opened: `kind` is the error kind, e.g. "handshake:429" */
  onConnectFailed(c: SimClient, kind: string): void;
  onFrame(c: SimClient, data: Buffer): void;
  onClose(c: SimClient, code: number): void;
}

export interface ConnectorOptions {
  url: string;
  timeoutMs: number;
  /** source address per client, or undefined to let the kernel choose */
  localAddress: (c: SimClient) => string | undefined;
  /** a $connect authorizer's token: an x-api-key header or a token query parameter on every handshake */
  token?: ConnectToken;
  /** offer the cold/warm subprotocols (the target answers them): `ws.protocol` then says which */
  askColdFlag?: boolean;
}

/** What makeConnector needs: the handshake of each client (its protocol's), the timeout, the source address. */
export interface ConnectorSpec {
  timeoutMs: number;
  localAddress: (c: SimClient) => string | undefined;
  handshake: (c: SimClient) => Handshake;
}

const CLIENT = Symbol('client');
type Tagged = WebSocket & { [CLIENT]: SimClient };

export interface Connector {
  /** opens c's socket: exactly one of onOpen / onConnectFailed follows, then maybe onClose */
  connect(c: SimClient): void;
  /** fails c's handshake ('timeout:connect') if it has run the timeout by `t`; its owner calls it on its sweep */
  expire(c: SimClient, t: number): void;
}

/**
 * The connector of a group's clients. The four listeners are shared by every socket and find
 * their client on it. The handshake's timeout is the owner's sweep, not ws's handshakeTimeout:
 * that one leaves a Timer and a bound function on every socket for its whole life (~200 bytes a
 * client, bench/RESULTS.md "Launch scale").
 */
export function makeConnector(events: ClientEvents, opts: ConnectorSpec): Connector {
  function onOpen(this: Tagged) {
    const c = this[CLIENT];
    c.state = OPEN;
    events.onOpen(c);
  }
  function onMessage(this: Tagged, data: Buffer) {
    events.onFrame(this[CLIENT], data);
  }
  function onError(this: Tagged, err: Error & { code?: string }) {
    const c = this[CLIENT];
    if (c.ws !== this || c.state !== CONNECTING) return;
    c.state = CLOSED;
    c.failure = connectErrorKind(err);
    events.onConnectFailed(c, c.failure);
  }
  function onClose(this: Tagged, code: number) {
    const c = this[CLIENT];
    if (c.ws !== this) return;
    if (c.state === CONNECTING) {
      c.state = CLOSED;
      c.failure = `close:${code}`;
      events.onConnectFailed(c, c.failure);
      return;
    }
    if (c.state === CLOSED) return; // the connect already failed on 'error'
    if (c.state === OPEN) c.state = CLOSED;
    events.onClose(c, code);
  }
  return {
    connect(c: SimClient) {
      c.state = CONNECTING;
      c.connectStartedAt = now();
      const handshake = opts.handshake(c);
      const ws = new WebSocket(handshake.url, handshake.protocols, {
        headers: handshake.headers,
        perMessageDeflate: false,
        skipUTF8Validation: true,
        localAddress: opts.localAddress(c),
      }) as Tagged;
      ws[CLIENT] = c;
      c.ws = ws;
      ws.on('open', onOpen as (this: WebSocket) => void);
      ws.on('message', onMessage as (this: WebSocket, data: Buffer) => void);
      ws.on('error', onError as (this: WebSocket, err: Error) => void);
      ws.on('close', onClose as (this: WebSocket, code: number) => void);
    },
    expire(c: SimClient, t: number) {
      if (c.state !== CONNECTING || t - c.connectStartedAt < opts.timeoutMs) return;
      // CLOSED first: the socket's own error and close after terminate() are then ignored
      c.state = CLOSED;
      c.failure = 'timeout:connect';
      events.onConnectFailed(c, c.failure);
      c.ws?.terminate();
    },
  };
}

export function connectErrorKind(err: Error & { code?: string }): string {
  const status = /Unexpected server response: (\d+)/.exec(err.message);
  if (status) return `handshake:${status[1]}`;
  if (/handshake has timed out/i.test(err.message)) return 'timeout:connect';
  return `connect:${err.code ?? err.message}`;
}
