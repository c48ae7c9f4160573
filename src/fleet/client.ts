import { NO_WINDOW } from './order-windows.ts';
import type { ConnectToken } from './protocols/connect-token.ts';
import type { Handshake } from './protocols/wire-protocol.ts';
import { PendingSends } from './pending-sends.ts';
import { FleetSocket, type FleetSocketEvents } from './fleet-socket.ts';
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
  ws: FleetSocket<SimClient> | undefined = undefined;
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
  /** where its deliveries' order bookkeeping is in its group's OrderWindows (taken on the first delivery) */
  order = NO_WINDOW;
  /** the same for the harness's publishes (publish-probe.ts), taken on the first one it receives */
  publishOrder = NO_WINDOW;
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
  /**
   * Which of its connections is the latest: 0 its first handshake, one more for each after it
   * (reconnects, retries). Its User-Agent names it (src/contracts/client-user-agent.ts); -1 before any.
   */
  connection = -1;
  /** frames written on that connection: the last one's number (the trace numbers them from 1) */
  frames = 0;

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
  /** c's handshake for its connection c.connection */
  handshake: (c: SimClient) => Handshake;
}

export interface Connector {
  /** opens c's socket: exactly one of onOpen / onConnectFailed follows, then maybe onClose */
  connect(c: SimClient): void;
  /** fails c's handshake ('timeout:connect') if it has run the timeout by `t`; its owner calls it on its sweep */
  expire(c: SimClient, t: number): void;
}

/**
 * The connector of a group's clients: one events object for every socket (fleet-socket.ts), each
 * socket naming its client as its owner. The handshake's timeout is the owner's sweep, not a
 * timer per socket.
 */
export function makeConnector(events: ClientEvents, opts: ConnectorSpec): Connector {
  const socketEvents: FleetSocketEvents<SimClient> = {
    open(ws) {
      const c = ws.owner;
      c.state = OPEN;
      events.onOpen(c);
    },
    message(ws, data) {
      events.onFrame(ws.owner, data);
    },
    error(ws, err) {
      const c = ws.owner;
      if (c.ws !== ws || c.state !== CONNECTING) return;
      c.state = CLOSED;
      c.failure = connectErrorKind(err);
      events.onConnectFailed(c, c.failure);
    },
    close(ws, code) {
      const c = ws.owner;
      if (c.ws !== ws) return;
      if (c.state === CONNECTING) {
        c.state = CLOSED;
        c.failure = `close:${code}`;
        events.onConnectFailed(c, c.failure);
        return;
      }
      if (c.state === CLOSED) return; // the connect already failed on 'error'
      if (c.state === OPEN) c.state = CLOSED;
      events.onClose(c, code);
    },
  };
  return {
    connect(c: SimClient) {
      c.state = CONNECTING;
      c.connectStartedAt = now();
      c.connection++;
      c.frames = 0;
      c.ws = new FleetSocket(c, socketEvents, opts.handshake(c), opts.localAddress(c));
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
