import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { FleetSocket, HANDSHAKE_ABORTED, type FleetSocketEvents } from '../../src/fleet/fleet-socket.ts';
import { connectErrorKind } from '../../src/fleet/client.ts';

/** What one FleetSocket told its owner, in order. */
interface Seen {
  log: string[];
  messages: Buffer[];
  errors: Error[];
  closed: Promise<number>;
  opened: Promise<void>;
}

function watch(url: string, o: { protocols?: string[]; headers?: Record<string, string> } = {}): { s: FleetSocket<Seen>; seen: Seen } {
  let open!: () => void;
  let close!: (code: number) => void;
  const seen: Seen = {
    log: [],
    messages: [],
    errors: [],
    opened: new Promise<void>((r) => (open = r)),
    closed: new Promise<number>((r) => (close = r)),
  };
  const events: FleetSocketEvents<Seen> = {
    open: (s) => {
      s.owner.log.push('open');
      open();
    },
    message: (s, data) => {
      s.owner.log.push('message');
      s.owner.messages.push(Buffer.from(data));
    },
    error: (s, err) => {
      s.owner.log.push('error');
      s.owner.errors.push(err);
    },
    close: (s, code) => {
      s.owner.log.push(`close:${code}`);
      close(code);
    },
  };
  return { s: new FleetSocket(seen, events, { url, ...o }), seen };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function wsServer(opts: ConstructorParameters<typeof WebSocketServer>[0] = {}): Promise<{ url: string; wss: WebSocketServer; next: Promise<ServerSocket> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...opts });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  cleanups.push(() => {
    for (const c of wss.clients) c.terminate();
    return new Promise<void>((r) => wss.close(() => r()));
  });
  const next = new Promise<ServerSocket>((r) => wss.once('connection', (ws) => r(ws)));
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, wss, next };
}

/** A TCP server that answers the upgrade itself (accept key right or wrong) and then runs `then` on the raw socket. */
async function rawServer(then: (socket: Socket) => void, wrongAccept = false): Promise<string> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let head = '';
    socket.on('data', function onHead(d: Buffer) {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onHead);
      const key = /sec-websocket-key: (.+)\r\n/i.exec(head)![1];
      const accept = createHash('sha1')
        .update(key + (wrongAccept ? 'x' : '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'))
        .digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      then(socket);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FleetSocket against a real ws server', () => {
  it('opens with the chosen subprotocol, sends and reads every frame length (7-bit, 16-bit, 64-bit), and closes with a code', async () => {
    const { url, next } = await wsServer({ handleProtocols: (p) => (p.has('b') ? 'b' : false) });
    next.then((ws) => ws.on('message', (d, isBinary) => ws.send(d, { binary: isBinary })));
    const { s, seen } = watch(url, { protocols: ['a', 'b'] });
    const server = await next;
    await seen.opened;
    expect(s.protocol).toBe('b');
    const sizes = [5, 300, 70_000];
    for (const n of sizes) s.send('x'.repeat(n));
    s.send(Buffer.from([1, 2, 3]));
    while (seen.messages.length < sizes.length + 1) await sleep(5);
    expect(seen.messages.map((m) => m.length)).toEqual([...sizes, 3]);
    expect(seen.messages[1].toString()).toBe('x'.repeat(300));
    const serverClose = new Promise<number>((r) => server.once('close', (code) => r(code)));
    s.close(4000);
    expect(await seen.closed).toBe(4000);
    expect(await serverClose).toBe(4000);
    expect(s.closed).toBe(true);
  });

  it('sends the handshake the server reads: path, query, headers', async () => {
    const seenReq: { url?: string; apiKey?: string; protocol?: string } = {};
    const { url, wss } = await wsServer();
    wss.on('connection', (_ws, req) => Object.assign(seenReq, { url: req.url, apiKey: req.headers['x-api-key'], protocol: req.headers['sec-websocket-protocol'] }));
    const { s, seen } = watch(`${url}/dev?room=r1&token=abc`, { headers: { 'x-api-key': 'key-1' } });
    await seen.opened;
    expect(seenReq).toEqual({ url: '/dev?room=r1&token=abc', apiKey: 'key-1', protocol: undefined });
    expect(s.protocol).toBe('');
    s.terminate();
    expect(await seen.closed).toBe(1006);
  });

  it('joins a fragmented message, answers a ping between its fragments, and reports the server close code', async () => {
    const { url, next } = await wsServer();
    const { seen } = watch(url);
    const server = await next;
    await seen.opened;
    const pong = new Promise<string>((r) => server.once('pong', (d) => r(d.toString())));
    server.send('hel', { fin: false });
    server.ping('are you there');
    server.send('lo', { fin: true });
    expect(await pong).toBe('are you there');
    while (seen.messages.length < 1) await sleep(5);
    expect(seen.messages[0].toString()).toBe('hello');
    server.close(4001, 'bye');
    expect(await seen.closed).toBe(4001);
    expect(seen.log).toEqual(['open', 'message', 'close:4001']);
  });

  it('many sockets reading at once each get their own bytes whole, though every read lands in one shared buffer', async () => {
    const { url, wss } = await wsServer();
    const sizes = [10, 300, 70_000, 200_000, 5];
    // each client's messages are filled with its own byte; the server interleaves them across clients
    wss.on('connection', (ws) => ws.once('message', (d) => {
      const fill = (d as Buffer)[0];
      for (const n of sizes) ws.send(Buffer.alloc(n, fill));
    }));
    const clients = Array.from({ length: 30 }, (_, i) => ({ i, ...watch(url) }));
    await Promise.all(clients.map((c) => c.seen.opened));
    for (const c of clients) c.s.send(Buffer.from([c.i]));
    const deadline = Date.now() + 10_000; // a corrupted stream never completes its frames: fail, not hang
    while (clients.some((c) => c.seen.messages.length < sizes.length) && Date.now() < deadline) await sleep(5);
    for (const c of clients) {
      expect(c.seen.messages.map((m) => m.length)).toEqual(sizes);
      expect(c.seen.messages.every((m) => m.every((b) => b === c.i))).toBe(true);
    }
  });

  it('a server that drops the socket: close 1006', async () => {
    const { url, next } = await wsServer();
    const { seen } = watch(url);
    (await next).terminate();
    expect(await seen.closed).toBe(1006);
    expect(seen.errors).toEqual([]);
  });
});

describe('FleetSocket handshakes that fail, in ws words the fleet classifies', () => {
  it('a refused upgrade (429), a subprotocol not offered, none chosen when offered, a closed port', async () => {
    const refusing = await wsServer({ verifyClient: (_i, cb) => cb(false, 429) });
    const a = watch(refusing.url);
    expect(await a.seen.closed).toBe(1006);
    expect(a.seen.log).toEqual(['error', 'close:1006']);
    expect(connectErrorKind(a.seen.errors[0])).toBe('handshake:429');

    const choosy = await wsServer({ handleProtocols: () => 'z' });
    const b = watch(choosy.url, { protocols: ['a'] });
    await b.seen.closed;
    expect(b.seen.errors[0].message).toBe('Server sent an invalid subprotocol');

    const silent = await wsServer({ handleProtocols: () => false });
    const c = watch(silent.url, { protocols: ['a'] });
    await c.seen.closed;
    expect(c.seen.errors[0].message).toBe('Server sent no subprotocol');

    const closedPort = (silent.wss.address() as AddressInfo).port;
    await new Promise<void>((r) => silent.wss.close(() => r()));
    const d = watch(`ws://127.0.0.1:${closedPort}`);
    await d.seen.closed;
    expect(connectErrorKind(d.seen.errors[0])).toBe('connect:ECONNREFUSED');
  });

  it('close() or terminate() while connecting fails the handshake once, then closes', async () => {
    const { url } = await wsServer();
    const a = watch(url);
    a.s.close(1000);
    expect(await a.seen.closed).toBe(1006);
    expect(a.seen.log).toEqual(['error', 'close:1006']);
    expect(a.seen.errors[0].message).toBe(HANDSHAKE_ABORTED);
    const b = watch(url);
    b.s.terminate();
    b.s.terminate();
    await b.seen.closed;
    expect(b.seen.log).toEqual(['error', 'close:1006']);
  });

  it('a wrong Sec-WebSocket-Accept, and a header value that cannot be sent', async () => {
    const url = await rawServer(() => {}, true);
    const a = watch(url);
    await a.seen.closed;
    expect(a.seen.errors[0].message).toBe('Invalid Sec-WebSocket-Accept header');
    const b = watch(url, { headers: { 'x-api-key': 'a\r\nInjected: 1' } });
    await b.seen.closed;
    expect(b.seen.errors[0].message).toBe('Invalid value of header x-api-key');
  });
});

describe('FleetSocket reading raw frames', () => {
  it('a frame split over many reads, right after the 101 in the same write, arrives whole', async () => {
    const payload = Buffer.from('y'.repeat(200));
    const frame = Buffer.concat([Buffer.from([0x81, 126, 0, 200]), payload]);
    const url = await rawServer(async (socket) => {
      for (let i = 0; i < frame.length; i += 7) {
        socket.write(frame.subarray(i, i + 7));
        await sleep(2);
      }
      socket.write(Buffer.from([0x82, 2, 9, 9])); // and a binary one after it
    });
    const { seen } = watch(url);
    while (seen.messages.length < 2) await sleep(5);
    expect(seen.messages[0].equals(payload)).toBe(true);
    expect([...seen.messages[1]]).toEqual([9, 9]);
  });

  it('a masked frame from the server is a protocol error: the client sends close 1002 and reports it', async () => {
    let clientSaid: Buffer | undefined;
    const url = await rawServer((socket) => {
      socket.on('data', (d: Buffer) => (clientSaid = d));
      socket.write(Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x61]));
    });
    const { seen } = watch(url);
    expect(await seen.closed).toBe(1002);
    expect(seen.messages).toEqual([]);
    // the client's close frame: FIN + close opcode, masked, 2 bytes of code
    expect(clientSaid && [clientSaid[0], clientSaid[1]]).toEqual([0x88, 0x82]);
    const code = ((clientSaid![6] ^ clientSaid![2]) << 8) | (clientSaid![7] ^ clientSaid![3]);
    expect(code).toBe(1002);
  });
});
