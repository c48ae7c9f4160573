import { parseArgs } from 'node:util';
import * as hdr from 'hdr-histogram-js';
import WebSocket from 'ws';

/**
 * The floor under the harness: the least a `ws` client fleet must do to measure what the harness
 * measures, written for the benchmark with no harness code. One process (or one of `--shards`:
 * below); chat protocol v1
 * (createRoom, joinRoom, sendMessage); messages sent on an open-model schedule (every slot has
 * its intended time fixed in advance and latency counts from it); every frame JSON.parse'd and
 * one HDR record per delivery. What the harness does beyond this (shards, IPC, per-message
 * ledger, order and duplicate checks, interval snapshots) is what its ratio to this floor shows.
 *
 *   node --no-allocation-site-pretenuring --import tsx bench/harness-capacity/bare-fleet.ts --url ws://127.0.0.1:PORT/
 *     --clients 2000 --rooms 20 --room-prefix P --payload 64 --phase warmup:20000:3 --phase steady:20000:20
 *
 * A phase is name:deliveries-per-second:seconds; they run back to back. Prints one JSON line
 * (BareFleetOutput) on stdout once every message is delivered or the loss wait ran out.
 *
 * `--shard i --shards n`: this process is one of n, split the way the harness splits its shards
 * (client c lives in process c mod n; room r's sender is its member r mod n, so the senders too are
 * spread over the processes). With n > 1 no room is created (the minimal server's
 * --create-on-join creates it on its first join), and the phases wait for their start: once its
 * clients have joined, the process prints {"ready":true} and reads "go <epoch ms>" on stdin
 * (bare-run.ts starts every process's first phase at one instant). Each process counts what it
 * sent and what its own clients expected and received; bare-run.ts adds them up.
 */
export interface BarePhaseResult {
  name: string;
  deliveriesPerSec: number;
  /** epoch ms: first slot's intended time, and the end of the phase's schedule */
  startedAt: number;
  endedAt: number;
  sent: number;
  /** sent × members of the sender's room */
  expected: number;
  /** deliveries of this phase's messages, whenever they arrived */
  received: number;
  lost: number;
  /** deliveries (of any phase's messages) that arrived inside [startedAt, endedAt) */
  arrivedInWindow: number;
  /** slots that fired more than MISS_TOLERANCE_MS after their intended time */
  missedSlots: number;
  /** broadcast latency of this phase's messages, intended send → arrival, µs */
  histogram: string;
  cpuUserMicros: number;
  cpuSystemMicros: number;
}

export interface BareFleetOutput {
  clients: number;
  rooms: number;
  phases: BarePhaseResult[];
}

const MISS_TOLERANCE_MS = 5;
const IN_FLIGHT = 200;
const SETUP_TIMEOUT_MS = 30_000;
/** after the last slot, how long deliveries still missing may take before they count lost */
const LOSS_WAIT_MS = 3_000;

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    clients: { type: 'string', default: '2000' },
    rooms: { type: 'string', default: '20' },
    'room-prefix': { type: 'string', default: 'bare.r' },
    payload: { type: 'string', default: '64' },
    phase: { type: 'string', multiple: true, default: [] },
    shard: { type: 'string', default: '0' },
    shards: { type: 'string', default: '1' },
  },
});
if (!values.url) fail('--url: required (ws://127.0.0.1:PORT/)');
const url = values.url!;
const clientCount = positive('clients');
const roomCount = positive('rooms');
const payloadBytes = positive('payload');
const roomPrefix = values['room-prefix']!;
if (clientCount % roomCount !== 0) fail('--clients: must be a multiple of --rooms');
const members = clientCount / roomCount;
const phases = values.phase!.map((spec) => {
  const [name, dps, seconds] = spec.split(':');
  const p = { name, deliveriesPerSec: Number(dps), seconds: Number(seconds) };
  if (!name || !(p.deliveriesPerSec > 0) || !(p.seconds > 0)) fail(`--phase: "${spec}" is not name:deliveries-per-second:seconds`);
  return p;
});
if (phases.length === 0) fail('--phase: at least one');
const shards = Number(values.shards);
const shard = Number(values.shard);
if (!Number.isInteger(shards) || shards < 1) fail('--shards: a positive integer');
if (!Number.isInteger(shard) || shard < 0 || shard >= shards) fail(`--shard: an integer from 0 to ${shards - 1}`);
/** room r's sender: its member r mod shards, so each process sends for some rooms (as the harness's shuffled senders spread) */
const senderOf = (r: number) => r * members + (r % Math.min(shards, members));
const isLocal = (client: number) => client % shards === shard;
/** this process's members of each room */
const localMembers = Array.from({ length: roomCount }, (_, r) => {
  let n = 0;
  for (let c = r * members; c < (r + 1) * members; c++) if (isLocal(c)) n++;
  return n;
});

function positive(key: 'clients' | 'rooms' | 'payload'): number {
  const n = Number(values[key]);
  if (!Number.isInteger(n) || n <= 0) fail(`--${key}: a positive integer`);
  return n;
}

function fail(why: string): never {
  process.stderr.write(`bare-fleet: ${why}\n`);
  process.exit(2);
}

const origin = performance.timeOrigin;
const now = () => origin + performance.now();

interface Client {
  ws: WebSocket;
  index: number;
  room: number;
  /** resolves the control request (createRoom, joinRoom) in flight */
  answer?: (ok: boolean) => void;
}

const roomName = (r: number) => `${roomPrefix}${r}`;
const histograms = phases.map(() => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: false }));
const received = new Float64Array(phases.length);
let arrivals = 0;
let delivered = 0;

/** Every frame is JSON; a delivery's payload is "<intended µs>|<phase>|xxx…". */
function onMessage(c: Client, data: Buffer): void {
  const t = now();
  const f = JSON.parse(data.toString('utf8')) as { type?: string; payload?: unknown };
  if (f.type === 'message' && typeof f.payload === 'string') {
    const p = f.payload;
    const a = p.indexOf('|');
    const b = p.indexOf('|', a + 1);
    const intendedUs = Number(p.slice(0, a));
    const phase = Number(p.slice(a + 1, b));
    histograms[phase].recordValue(Math.max(0, Math.round(t * 1000 - intendedUs)));
    received[phase]++;
    arrivals++;
    delivered++;
  } else if (f.type === 'roomCreated' || f.type === 'joined') {
    c.answer?.(true);
  } else if (f.type === 'error') {
    c.answer?.(false);
  }
}

function connect(index: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const c: Client = { ws, index, room: Math.floor(index / members) };
    ws.once('open', () => resolve(c));
    ws.once('error', reject);
    ws.on('message', (data: Buffer) => onMessage(c, data));
  });
}

function control(c: Client, action: 'createRoom' | 'joinRoom'): Promise<void> {
  return new Promise((resolve, reject) => {
    c.answer = (ok) => {
      c.answer = undefined;
      if (ok) resolve();
      else reject(new Error(`${action} ${roomName(c.room)} refused`));
    };
    c.ws.send(JSON.stringify({ action, room: roomName(c.room) }));
  });
}

/** Runs `task` over `items`, at most IN_FLIGHT at once. */
async function bounded<T, R>(items: T[], task: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, worker));
  return out;
}

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${SETUP_TIMEOUT_MS / 1000} s`)), SETUP_TIMEOUT_MS)));
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/**
 * One phase's open-model schedule: slot k at startAt + k·interval, sent by room (k mod rooms)'s
 * sender: by this process when the sender is one of its clients (`senders[r]`, else undefined).
 */
function runPhase(index: number, senders: Array<Client | undefined>, startAt: number): Promise<BarePhaseResult> {
  const spec = phases[index];
  const rate = spec.deliveriesPerSec / members;
  const interval = 1000 / rate;
  const count = Math.floor(spec.seconds * rate);
  const prefix = `{"action":"sendMessage","room":`;
  const roomParts = senders.map((_, r) => `${prefix}${JSON.stringify(roomName(r))},"payload":"`);
  // what this process sends, and what its clients are to receive, of the phase's slots
  let sent = 0;
  let expected = 0;
  for (let r = 0; r < roomCount; r++) {
    const slots = Math.floor(count / roomCount) + (r < count % roomCount ? 1 : 0);
    if (senders[r]) sent += slots;
    expected += slots * localMembers[r]!;
  }
  // a process that sends nothing runs no schedule: it only waits out the phase
  let k = senders.some(Boolean) ? 0 : count;
  let missed = 0;
  const cpu0 = process.cpuUsage();
  const arrivals0 = arrivals;
  return new Promise((resolve) => {
    const tick = () => {
      let t = now();
      while (k < count) {
        const intended = startAt + k * interval;
        if (intended > t) {
          t = now();
          if (intended > t) break;
        }
        const r = k % roomCount;
        const sender = senders[r];
        k++;
        if (!sender) continue;
        if (t - intended > MISS_TOLERANCE_MS) missed++;
        const head = `${Math.round(intended * 1000)}|${index}|`;
        const payload = head.length >= payloadBytes ? head : head + 'x'.repeat(payloadBytes - head.length);
        sender.ws.send(`${roomParts[r]}${payload}"}`);
      }
      if (k < count) {
        setTimeout(tick, Math.max(0, startAt + k * interval - now()));
        return;
      }
      const endAt = startAt + count * interval;
      // the phase's window ends with its schedule: wait for that instant, then read CPU and arrivals
      setTimeout(() => {
        const cpu = process.cpuUsage(cpu0);
        resolve({
          name: spec.name,
          deliveriesPerSec: spec.deliveriesPerSec,
          startedAt: startAt,
          endedAt: endAt,
          sent,
          expected,
          received: 0,
          lost: 0,
          arrivedInWindow: arrivals - arrivals0,
          missedSlots: missed,
          histogram: '',
          cpuUserMicros: cpu.user,
          cpuSystemMicros: cpu.system,
        });
      }, Math.max(0, endAt - now()));
    };
    setTimeout(tick, Math.max(0, startAt - now()));
  });
}

/** The first phase's start, from the line "go <epoch ms>" on stdin. */
function goSignal(): Promise<number> {
  return new Promise((resolve) => {
    let text = '';
    process.stdin.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      const m = /^go (\d+(?:\.\d+)?)\n/m.exec(text);
      if (m) {
        process.stdin.pause();
        resolve(Number(m[1]));
      }
    });
  });
}

async function main(): Promise<void> {
  const indexes = Array.from({ length: clientCount }, (_, i) => i).filter(isLocal);
  const clients = await within(bounded(indexes, (i) => connect(i)), 'connecting');
  const byIndex = new Map(clients.map((c) => [c.index, c]));
  const senders = Array.from({ length: roomCount }, (_, r) => byIndex.get(senderOf(r)));
  if (shards === 1) await within(bounded(senders as Client[], (c) => control(c, 'createRoom')), 'createRoom');
  await within(bounded(clients, (c) => control(c, 'joinRoom')), 'joinRoom');

  let startAt = now() + 250;
  if (shards > 1) {
    process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
    startAt = await within(goSignal(), 'waiting for go');
  }
  const results: BarePhaseResult[] = [];
  for (let i = 0; i < phases.length; i++) {
    const r = await runPhase(i, senders, startAt);
    results.push(r);
    // every process's next phase starts at the same instant
    startAt = r.endedAt + 250;
  }
  const expected = results.reduce((a, r) => a + r.expected, 0);
  const deadline = now() + LOSS_WAIT_MS;
  while (delivered < expected && now() < deadline) await new Promise((r) => setTimeout(r, 20));
  results.forEach((r, i) => {
    r.received = received[i];
    r.lost = Math.max(0, r.expected - received[i]);
    r.histogram = hdr.encodeIntoCompressedBase64(histograms[i]);
  });
  const out: BareFleetOutput = { clients: clientCount, rooms: roomCount, phases: results };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  for (const c of clients) c.ws.close(1000);
  setTimeout(() => process.exit(0), 1000).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`bare-fleet: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
