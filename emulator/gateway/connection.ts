import type { WebSocket } from 'ws';
import type { ClientInfo } from './events.ts';

/**
 * One client connection. 'connecting' while $connect runs: the id exists but is not ready, so
 * @connections answers 410 for it, as AWS does.
 */
export type ConnectionState = 'connecting' | 'open' | 'closed';

const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

export class Connection implements ClientInfo {
  state: ConnectionState = 'connecting';
  ws: WebSocket | undefined;
  /** Last message in or out (GET @connections lastActiveAt; the idle timeout under the `either` rule). */
  lastActiveAt: number;
  /** Last message from the client, or the socket's opening (the idle timeout under the `client` rule). */
  lastClientMessageAt: number;
  /** Set when the gateway closes the socket: what $disconnect reports. */
  serverClose: { code: number; reason: string } | undefined;
  /** What the $connect authorizer allowed this connection with (requestContext.authorizer). */
  authorizer: Record<string, unknown> | undefined;

  constructor(
    readonly connectionId: string,
    readonly connectedAt: number,
    readonly sourceIp: string,
    readonly userAgent: string,
  ) {
    this.lastActiveAt = connectedAt;
    this.lastClientMessageAt = connectedAt;
  }

  /** Send a frame if the socket is open; text unless `binary`. */
  send(data: string | Buffer, binary = false): boolean {
    const ws = this.ws;
    if (this.state !== 'open' || !ws || ws.readyState !== ws.OPEN) return false;
    ws.send(data, binary ? BINARY : TEXT);
    return true;
  }

  /** Close from the gateway's side (idle, max duration, DELETE, shutdown). */
  close(code: number, reason: string): void {
    if (this.state !== 'open' || !this.ws) return;
    this.serverClose ??= { code, reason };
    this.ws.close(code, reason);
  }
}

export class ConnectionRegistry {
  private readonly byId = new Map<string, Connection>();

  add(conn: Connection): void {
    this.byId.set(conn.connectionId, conn);
  }

  get(id: string): Connection | undefined {
    return this.byId.get(id);
  }

  /** Remove `conn` (only that object: an id is never reused, but be exact). */
  remove(conn: Connection): void {
    if (this.byId.get(conn.connectionId) === conn) this.byId.delete(conn.connectionId);
  }

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<Connection> {
    return this.byId.values();
  }
}
