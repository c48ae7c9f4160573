import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { FleetSocket } from '../../src/fleet/fleet-socket.ts';

/**
 * A wss:// server on 127.0.0.1 with the fixture certificate, and one FleetSocket to it by the name
 * `localhost`; prints what the socket saw as JSON. Its parent (fleet-socket-tls.test.ts) runs it
 * with or without NODE_EXTRA_CA_CERTS naming that certificate: Node reads the trusted CAs once,
 * at start, so trusting it takes a process of its own.
 */
const dir = new URL('../fixtures/tls/', import.meta.url);
const server = createServer({ key: readFileSync(new URL('localhost-key.pem', dir)), cert: readFileSync(new URL('localhost-cert.pem', dir)) });
const wss = new WebSocketServer({ server });
wss.on('connection', (ws) => ws.on('message', (d) => ws.send(Buffer.concat([Buffer.from('echo:'), d as Buffer]))));
server.listen(0, '127.0.0.1', () => {
  const seen = { messages: [] as string[], errors: [] as string[], code: 0 };
  const done = () => {
    wss.close();
    server.close();
    process.stdout.write(JSON.stringify(seen));
  };
  new FleetSocket(seen, {
    open: (s) => {
      s.send('hi');
      s.send('z'.repeat(200_000)); // the echo spans TLS records and reads
    },
    message: (s, data) => {
      const text = data.toString();
      seen.messages.push(text.length > 20 ? `${text.slice(0, 6)}…${text.length}` : text);
      if (seen.messages.length === 2) s.close(4000);
    },
    error: (_s, err) => seen.errors.push((err as { code?: string }).code ?? err.message),
    close: (_s, code) => {
      seen.code = code;
      done();
    },
  }, { url: `wss://localhost:${(server.address() as AddressInfo).port}/` });
});
