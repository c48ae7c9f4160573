import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { parseArgs } from 'node:util';
import { now } from '../../src/clock.ts';
import { Shard } from '../../src/fleet/shard.ts';
import { planRooms } from '../../src/fleet/room-plan.ts';
import { cleanupAll } from './cleanup.ts';
import { SERVER_SOCKETS_PER_WORKER } from './measure-held.ts';
import { ROOM_MEMBERS } from './scenarios.ts';
import { startServer } from './server-process.ts';

/**
 * `node --expose-gc --no-allocation-site-pretenuring --max-semi-space-size=4 --import tsx bench/harness-capacity/shard-memory.ts [--clients 10000] [--rate 10000]`
 *
 * Where one shard's memory goes: a Shard in this process (as shard-main.ts runs it) connects
 * `--clients` clients to the minimal server in rooms of 100, joins them and sends for 5 s at
 * `--rate` deliveries/s; after each step (and a full GC, as the shard does between phases) it
 * prints RSS, the V8 heap by space, external memory and /proc smaps_rollup, and the growth per
 * 1,000 clients over the empty shard, and after the join the V8 heap by space (committed/used).
 * SHARD_MEMORY_SNAPSHOT=<file> also writes a heap snapshot there after the join. Run it with the
 * shards' own V8 flags (fleet.ts) to see what a shard sees. Profiling aid for the launch-scale
 * memory target (bench/RESULTS.md, "Launch scale").
 */
const { values } = parseArgs({ options: { clients: { type: 'string', default: '10000' }, rate: { type: 'string', default: '10000' } } });
const clients = Number(values.clients);
const rate = Number(values.rate);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

interface Snap {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  anon: number;
  spaces: Record<string, number>;
}
const MB = (b: number) => b / 2 ** 20;
function snap(): Snap {
  gc();
  const m = process.memoryUsage();
  const anon = /^Anonymous:\s+(\d+)/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'));
  const spaces: Record<string, number> = {};
  for (const s of getHeapSpaceStatistics()) spaces[s.space_name.replace(/_space$/, '')] = s.space_used_size;
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, anon: anon ? Number(anon[1]) * 1024 : 0, spaces };
}
function show(label: string, s: Snap, base: Snap | undefined, n: number): void {
  const per = (a: number, b: number) => (base && n > 0 ? ` (${((MB(a - b) / n) * 1000).toFixed(2)} per 1,000)` : '');
  console.log(
    `${label}: rss ${MB(s.rss).toFixed(1)} MB${per(s.rss, base?.rss ?? 0)}, anon ${MB(s.anon).toFixed(1)}${per(s.anon, base?.anon ?? 0)}, ` +
      `heap used ${MB(s.heapUsed).toFixed(1)}/${MB(s.heapTotal).toFixed(1)}${per(s.heapUsed, base?.heapUsed ?? 0)}, external ${MB(s.external).toFixed(1)} (array buffers ${MB(s.arrayBuffers).toFixed(1)})`,
  );
  if (base) {
    const parts = Object.entries(s.spaces)
      .map(([k, v]) => [k, v - (base.spaces[k] ?? 0)] as const)
      .filter(([, d]) => Math.abs(d) > 2 ** 18)
      .map(([k, d]) => `${k} ${MB(d).toFixed(1)}`);
    console.log(`  heap growth by space (MB): ${parts.join(', ')}`);
  }
}

const server = await startServer(Math.max(2, Math.ceil(clients / SERVER_SOCKETS_PER_WORKER)));
try {
  const rooms = clients / ROOM_MEMBERS;
  const plan = planRooms(clients, rooms, { distribution: 'uniform' }, 52);
  const base = snap();
  show('empty shard', base, undefined, 0);
  const shard = new Shard({
    shard: 0,
    shards: 1,
    targetUrl: server.url,
    plan,
    roomPrefix: 'mem-',
    maxSendersPerRoom: new Int32Array(rooms).fill(1),
    clientsPerSourceAddress: 0,
    connectTimeoutMs: 30_000,
    ackTimeoutMs: 30_000,
  });
  show('clients made', snap(), base, clients);
  await shard.runPhase({ kind: 'connect', startAt: now() + 100, rate: 4000, maxInFlight: 400 });
  show('connected', snap(), base, clients);
  await shard.runPhase({ kind: 'join', startAt: now() + 100, rate: 4000, maxInFlight: 400 });
  show('joined', snap(), base, clients);
  console.log(
    '  heap by space (MB, committed/used): ' +
      getHeapSpaceStatistics()
        .map((x) => `${x.space_name.replace(/_space$/, '')} ${MB(x.space_size).toFixed(1)}/${MB(x.space_used_size).toFixed(1)}`)
        .join(', '),
  );
  if (process.env.SHARD_MEMORY_SNAPSHOT) console.log('heap snapshot:', writeHeapSnapshot(process.env.SHARD_MEMORY_SNAPSHOT));
  // what holding costs with nothing sent: the shard's own timers and GC over its clients
  const idle0 = process.cpuUsage();
  await new Promise((done) => setTimeout(done, 5000));
  const idle = process.cpuUsage(idle0);
  console.log(`held idle: ${((idle.user + idle.system) / 5000).toFixed(1)} ms CPU per second (user ${(idle.user / 5000).toFixed(1)}, system ${(idle.system / 5000).toFixed(1)})`);
  const cpu0 = process.cpuUsage();
  await shard.runPhase({
    kind: 'send',
    phase: 0,
    startAt: now() + 100,
    durationMs: 5000,
    rate: rate / ROOM_MEMBERS,
    lane: { cycle: 1, positions: [0] },
    sendersPerRoom: new Int32Array(rooms).fill(1),
    payloadBytes: 64,
  });
  const cpu = process.cpuUsage(cpu0);
  const r = shard.report(1);
  show('after 5 s of sends', snap(), base, clients);
  console.log(`delivered ${r.counts.delivered}, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (user ${(cpu.user / 1e6).toFixed(2)}, system ${(cpu.system / 1e6).toFixed(2)})`);
  await shard.close();
} finally {
  await cleanupAll();
  await server.stop();
}
