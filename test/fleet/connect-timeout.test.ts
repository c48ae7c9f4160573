import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { now } from '../../src/clock.ts';
import { planRooms } from '../../src/fleet/room-plan.ts';
import { Shard } from '../../src/fleet/shard.ts';

// A handshake nothing answers fails on the group's own sweep (no timer per socket): a real shard's
// clients against a TCP server on 127.0.0.1 that accepts and never replies.
describe('connect timeout', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  });

  it('fails every unanswered handshake as timeout:connect after the timeout, and closes its socket', async () => {
    const closedByClient: boolean[] = [];
    server = createServer((s) => {
      sockets.push(s);
      const i = closedByClient.push(false) - 1;
      s.on('close', () => (closedByClient[i] = true));
      s.on('error', () => {});
      s.resume(); // flowing, so the client's end of the socket is read
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const port = (server.address() as { port: number }).port;
    const shard = new Shard({
      shard: 0,
      shards: 1,
      targetUrl: `ws://127.0.0.1:${port}/`,
      plan: planRooms(3, 1, { distribution: 'uniform' }, 1),
      roomPrefix: 'timeout-',
      maxSendersPerRoom: Int32Array.of(1),
      clientsPerSourceAddress: 0,
      connectTimeoutMs: 300,
      ackTimeoutMs: 1000,
    });
    try {
      const started = now();
      await shard.runPhase({ kind: 'connect', startAt: started, rate: 1000, maxInFlight: 10 });
      expect(now() - started).toBeGreaterThanOrEqual(300);
      const r = shard.report(1);
      expect(r.counts.connects).toBe(0);
      expect(r.counts.connectFailures).toBe(3);
      expect(r.errors).toEqual({ 'timeout:connect': 3 });
      for (let i = 0; i < 100 && !closedByClient.every(Boolean); i++) await new Promise((done) => setTimeout(done, 20));
      expect(closedByClient).toEqual([true, true, true]);
    } finally {
      await shard.close();
    }
  });
});
