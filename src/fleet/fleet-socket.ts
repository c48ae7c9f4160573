import { createHash, randomBytes } from 'node:crypto';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Handshake } from './protocols/wire-protocol.ts';
import { clientFrame, closeFrame, OP_PONG, readFrames, type FrameSink, type FrameState } from './ws-frames.ts';

/**
 * The WebSocket client a held fleet's clients use: RFC 6455 over one net (or tls) socket, and
 * nothing else per connection. `ws`'s client keeps a WebSocket, a Receiver and a Sender per
 * connection, the Receiver a Writable stream with its own state, each an EventEmitter with its
 * own listener table: ~2.8 KB of heap a client, held for the whole run, at 100,000 clients
 * more than the shard processes themselves (bench/RESULTS.md, "Launch scale"). This one is the
 * socket, the few fields below, and listeners shared by every socket; what it tells its owner
 * goes through one events object shared by a whole group.
 *
 * What it does as `ws` does, because the fleet's error kinds rest on it: a non-101 answer is an
 * error "Unexpected server response: <status>"; a subprotocol the server picks that was not
 * offered, or none picked when some were, fails the handshake; close() before the handshake
 * completes fails it ("WebSocket was closed before the connection was established"); a close
 * event carries the server's close code, 1005 for a close frame without one, 1006 for a socket
 * that ended without one. Pings are answered. No extensions are offered.
 */
export interface FleetSocketEvents<T> {
  open(s: FleetSocket<T>): void;
  message(s: FleetSocket<T>, data: Buffer): void;
  /** the handshake failed (said once, before close); errors after it opened are said by close's code */
  error(s: FleetSocket<T>, err: Error & { code?: string }): void;
  close(s: FleetSocket<T>, code: number): void;
}

export const HANDSHAKE_ABORTED = 'WebSocket was closed before the connection was established';
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** a 101 answer's head longer than this is not one */
const MAX_HEAD_BYTES = 16 * 1024;
/** how long a close waits for the server's close frame before dropping the socket (ws's closeTimeout) */
const CLOSE_TIMEOUT_MS = 30_000;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

const OWNER = Symbol('fleetSocket');
type Tagged = Socket & { [OWNER]: FleetSocket<unknown> };

/**
 * Every socket of the process reads into this one buffer (net's `onread`) and is told the bytes
 * that came, where a stream socket would allocate 64 KB per read, make it an ArrayBuffer and push
 * it through a Readable. At 100,000 clients that malloc searched a heap fragmented by the held
 * sockets: malloc, free and V8's sweeps of those buffers were a fifth of the shards' CPU
 * (bench/RESULTS.md, "Launch scale: reads into one buffer"). Safe because a read is handled
 * before the next one starts: what outlives it (a partial frame, a fragment, an unfinished head)
 * is copied.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

// the socket's listeners: one function each for every socket, finding their FleetSocket on it
function onRead(this: Tagged, bytes: number, buffer: Uint8Array): boolean {
  this[OWNER].read((buffer as Buffer).subarray(0, bytes));
  return true; // false would pause the socket
}
function onError(this: Tagged, err: Error): void {
  this[OWNER].socketError(err);
}
function onClose(this: Tagged): void {
  this[OWNER].socketClosed();
}
function onCloseTimeout(this: Tagged): void {
  this.destroy();
}

export class FleetSocket<T> implements FrameState, FrameSink {
  /** 0 connecting, 1 open, 2 closing, 3 closed (WebSocket's readyState) */
  private state = CONNECTING;
  private readonly socket: Tagged | undefined;
  /** the handshake's key and the subprotocols it offered, until the answer is checked */
  private key: string | undefined;
  private offered: string[] | undefined;
  private head: Buffer | undefined = undefined;
  private errored = false;
  private closeSent = false;
  /** a close frame came, or a frame broke the protocol: nothing after it is read */
  private readDone = false;
  private closeCode = 1006;
  /** the subprotocol the server chose ('' for none) */
  protocol = '';
  partial: Buffer | undefined = undefined;
  fragments: Buffer[] | undefined = undefined;

  constructor(
    readonly owner: T,
    private readonly events: FleetSocketEvents<T>,
    handshake: Handshake,
    localAddress?: string,
  ) {
    this.offered = handshake.protocols;
    let request: string;
    let url: URL;
    try {
      url = new URL(handshake.url);
      if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`not a ws:// or wss:// URL: ${handshake.url}`);
      this.key = randomBytes(16).toString('base64');
      request = upgradeRequest(url, this.key, handshake);
    } catch (err) {
      process.nextTick(() => {
        this.fail(err as Error);
        this.socketClosed();
      });
      return;
    }
    const secure = url.protocol === 'wss:';
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port) || (secure ? 443 : 80);
    const onread = { buffer: READ_BUFFER, callback: onRead };
    const socket = (
      secure
        ? // tls.connect hands localAddress and onread to its socket; its type names neither
          tlsConnect({ host, port, servername: isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], ...({ localAddress, onread } as object) })
        : netConnect({ host, port, localAddress, onread })
    ) as Tagged;
    this.socket = socket;
    socket[OWNER] = this as FleetSocket<unknown>;
    socket.setNoDelay(true);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.write(request);
  }

  get closed(): boolean {
    return this.state === CLOSED;
  }

  /** Sends `data` as one message (text for a string); nothing unless open. True when it went on the wire. */
  send(data: string | Buffer): boolean {
    if (this.state !== OPEN) return false;
    this.socket!.write(clientFrame(data));
    return true;
  }

  /** The close handshake with `code`; before the handshake completes, fails it instead. */
  close(code = 1000): void {
    if (this.state === CONNECTING) {
      this.fail(new Error(HANDSHAKE_ABORTED));
      return;
    }
    if (this.state !== OPEN) return;
    this.state = CLOSING;
    this.closeSent = true;
    const socket = this.socket!;
    socket.write(closeFrame(code));
    socket.setTimeout(CLOSE_TIMEOUT_MS, onCloseTimeout);
  }

  /** Drops the socket with no close frame (a lost network); before the handshake completes, fails it. */
  terminate(): void {
    if (this.state === CONNECTING) {
      this.fail(new Error(HANDSHAKE_ABORTED));
      return;
    }
    if (this.state === CLOSED) return;
    this.state = CLOSING;
    this.socket!.destroy();
  }

  // --- the socket's events ------------------------------------------------------------------

  /** @internal */
  read(chunk: Buffer): void {
    if (this.state === CONNECTING) this.readHead(chunk);
    else if (!this.readDone && this.state !== CLOSED) readFrames(this, chunk, this);
  }

  /** @internal */
  socketError(err: Error): void {
    if (this.state === CONNECTING) this.fail(err);
  }

  /** @internal */
  socketClosed(): void {
    if (this.state === CLOSED) return;
    if (this.state === CONNECTING) this.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    this.state = CLOSED;
    this.events.close(this, this.closeCode);
  }

  // --- frames (FrameSink) -------------------------------------------------------------------

  onMessage(data: Buffer): void {
    this.events.message(this, data);
  }

  onPing(data: Buffer): void {
    if (this.state === OPEN) this.socket!.write(clientFrame(data, OP_PONG));
  }

  /** the server's close frame: answered with its code, then this side ends */
  onClose(code: number): void {
    this.finish(code);
  }

  /** a frame that breaks the protocol: reading stops, and the close says `code` */
  onViolation(code: number): void {
    this.finish(code);
    // a server that broke the protocol may not finish the close either
    this.socket!.setTimeout(CLOSE_TIMEOUT_MS, onCloseTimeout);
  }

  private finish(code: number): void {
    this.readDone = true;
    this.closeCode = code;
    const socket = this.socket!;
    if (!this.closeSent) {
      this.closeSent = true;
      socket.write(closeFrame(code));
    }
    this.state = CLOSING;
    socket.end();
  }

  // --- the handshake ------------------------------------------------------------------------

  /** Says the handshake failed (once) and drops the socket; its close follows. */
  private fail(err: Error): void {
    if (this.errored || this.state !== CONNECTING) return;
    this.errored = true;
    this.state = CLOSING;
    this.head = undefined;
    this.key = undefined;
    this.offered = undefined;
    this.events.error(this, err);
    this.socket?.destroy();
  }

  private readHead(chunk: Buffer): void {
    const buf = this.head ? Buffer.concat([this.head, chunk]) : chunk;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buf.length > MAX_HEAD_BYTES) this.fail(new Error(`Invalid HTTP response: no end of head in ${MAX_HEAD_BYTES} bytes`));
      else this.head = Buffer.from(buf);
      return;
    }
    this.head = undefined;
    const why = this.checkAnswer(buf.toString('latin1', 0, end));
    if (why) {
      this.fail(new Error(why));
      return;
    }
    this.key = undefined;
    this.offered = undefined;
    this.state = OPEN;
    this.events.open(this);
    if (end + 4 < buf.length && this.state === OPEN) readFrames(this, buf.subarray(end + 4), this);
  }

  /** Why the server's answer does not open the connection (ws's words), or undefined when it does. */
  private checkAnswer(head: string): string | undefined {
    const lines = head.split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    if (!status) return `Invalid HTTP response: ${lines[0].slice(0, 80)}`;
    if (status[1] !== '101') return `Unexpected server response: ${status[1]}`;
    const h = new Map<string, string>();
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      if (colon > 0) h.set(lines[i].slice(0, colon).trim().toLowerCase(), lines[i].slice(colon + 1).trim());
    }
    if (h.get('upgrade')?.toLowerCase() !== 'websocket') return 'Invalid Upgrade header';
    const accept = createHash('sha1').update(this.key + GUID).digest('base64');
    if (h.get('sec-websocket-accept') !== accept) return 'Invalid Sec-WebSocket-Accept header';
    const offered = this.offered ?? [];
    const chosen = h.get('sec-websocket-protocol');
    if (chosen !== undefined) {
      if (offered.length === 0) return 'Server sent a subprotocol but none was requested';
      if (!offered.includes(chosen)) return 'Server sent an invalid subprotocol';
      this.protocol = chosen;
    } else if (offered.length > 0) {
      return 'Server sent no subprotocol';
    }
    if (h.has('sec-websocket-extensions')) return 'Server sent a Sec-WebSocket-Extensions header but no extension was requested';
    return undefined;
  }
}

/** The HTTP/1.1 upgrade request; throws on a header name or value a request cannot carry. */
function upgradeRequest(url: URL, key: string, h: Handshake): string {
  const lines = [
    `GET ${url.pathname || '/'}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (h.protocols && h.protocols.length > 0) lines.push(`Sec-WebSocket-Protocol: ${h.protocols.join(', ')}`);
  for (const [name, value] of Object.entries(h.headers ?? {})) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new Error(`Invalid header name: ${JSON.stringify(name)}`);
    if (/[\r\n\0]/.test(value)) throw new Error(`Invalid value of header ${name}`);
    lines.push(`${name}: ${value}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}
