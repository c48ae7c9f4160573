/**
 * The queued fan-out benchmark's clients (main.ts), on a thread of their own so the emulator's
 * main thread does none of their work: one WebSocket per room member (`?room=<name>`), the first
 * member of each room also its sender. A send phase offers `count` messages at `rate` a second
 * (open model: message i is due at t0 + i/rate and its latency counts from then), round the
 * rooms; every frame that arrives is parsed and timed from the due time in its payload.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { threadCpuClock } from '../../emulator/lambda/environments/cpu-share.ts';
import { encodeHistogram, newHistogram } from '../../src/metrics/measurement/histogram.ts';

export interface ClientsInit {
  /** the stage's WebSocket URL, ws://127.0.0.1:P/{stage} */
  url: string;
  rooms: string[];
  perRoom: number;
  /** handshakes in flight at once while opening */
  openConcurrency: number;
}
/** Phases are numbered from 0 by the caller, each sent and then collected once, in order. */
export type ToClients =
  | { t: 'send'; phase: number; route: string; rate: number; count: number }
  | { t: 'collect'; phase: number; expected: number; timeoutMs: number };
/** Each answer but a failure carries this thread's own CPU so far, ms (0 where unreadable), so the stack's share can be told apart. */
export type FromClients =
  | { t: 'open'; opened: number; ms: number; cpuMs: number }
  | { t: 'sent'; sent: number; t0: number; wallMs: number; cpuMs: number }
  | {
      t: 'collected';
      received: number;
      /** deliveries of earlier phases that arrived after those were collected */
      late: number;
      others: number;
      firstOther: string | undefined;
      lastArrival: number;
      histogram: string | null;
      cpuMs: number;
    }
  | { t: 'failed'; message: string };

const init = workerData as ClientsInit;
const port = parentPort!;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cpu = threadCpuClock();
const cpuMs = () => cpu?.() ?? 0;
const fail = (message: string) => port.postMessage({ t: 'failed', message } satisfies FromClients);

/** deliveries of each phase not yet collected */
interface Tally {
  received: number;
  lastArrival: number;
  latency: ReturnType<typeof newHistogram>;
}
const tallies = new Map<number, Tally>();
/** phases already collected: what arrives for them after counts as late (lost to that phase) */
let collectedUpTo = -1;
let late = 0;
/** frames that are no delivery: API Gateway's own (throttled, Internal server error…) */
let others = 0;
let firstOther: string | undefined;
const senders: WebSocket[] = [];
const all: WebSocket[] = [];

function onFrame(data: WebSocket.RawData): void {
  const frame = JSON.parse(String(data)) as { payload?: { t?: number; p?: number } };
  const { t, p } = frame.payload ?? {};
  if (typeof t !== 'number' || typeof p !== 'number') {
    others++;
    firstOther ??= String(data).slice(0, 200);
    return;
  }
  if (p <= collectedUpTo) return void late++;
  const tally = tallies.get(p) ?? { received: 0, lastArrival: 0, latency: newHistogram() };
  tallies.set(p, tally);
  tally.received++;
  tally.lastArrival = now();
  tally.latency.recordValue(Math.max(1, Math.round((tally.lastArrival - t) * 1000)));
}

function open(room: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${init.url}?room=${encodeURIComponent(room)}`);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`connect to room ${room}: handshake answered ${res.statusCode}`)));
    ws.once('error', reject);
    ws.on('message', onFrame);
    all.push(ws);
  });
}

async function openAll(): Promise<void> {
  const t0 = now();
  const wanted = init.rooms.flatMap((room) => Array.from({ length: init.perRoom }, () => room));
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(init.openConcurrency, wanted.length) }, async () => {
      while (next < wanted.length) {
        const i = next++;
        const ws = await open(wanted[i]!);
        if (i % init.perRoom === 0) senders[i / init.perRoom] = ws;
      }
    }),
  );
  port.postMessage({ t: 'open', opened: wanted.length, ms: now() - t0, cpuMs: cpuMs() } satisfies FromClients);
}

async function send(phase: number, route: string, rate: number, count: number): Promise<void> {
  const t0 = now();
  for (let i = 0; i < count; ) {
    const due = Math.min(count, Math.floor(((now() - t0) / 1000) * rate) + 1);
    for (; i < due; i++) {
      const r = i % init.rooms.length;
      const intended = t0 + (i / rate) * 1000;
      senders[r]!.send(JSON.stringify({ action: route, room: init.rooms[r], payload: { t: intended, p: phase, i, pad: 'x'.repeat(40) } }));
    }
    if (i < count) await sleep(2);
  }
  port.postMessage({ t: 'sent', sent: count, t0, wallMs: now() - t0, cpuMs: cpuMs() } satisfies FromClients);
}

/** Waits for `expected` deliveries of `phase` (or the timeout), then hands back what arrived; the phase is closed. */
async function collect(phase: number, expected: number, timeoutMs: number): Promise<void> {
  const deadline = now() + timeoutMs;
  const received = () => tallies.get(phase)?.received ?? 0;
  while (received() < expected && now() < deadline) await sleep(10);
  // a moment for duplicates past the expected count
  await sleep(200);
  const tally = tallies.get(phase);
  tallies.delete(phase);
  collectedUpTo = phase;
  port.postMessage({
    t: 'collected',
    received: tally?.received ?? 0,
    late,
    others,
    firstOther,
    lastArrival: tally?.lastArrival ?? 0,
    histogram: tally ? encodeHistogram(tally.latency) : null,
    cpuMs: cpuMs(),
  } satisfies FromClients);
  tally?.latency.destroy();
  late = 0;
  others = 0;
  firstOther = undefined;
}

port.on('message', (m: ToClients) => {
  const done = m.t === 'send' ? send(m.phase, m.route, m.rate, m.count) : collect(m.phase, m.expected, m.timeoutMs);
  done.catch((err: unknown) => fail(String(err)));
});
openAll().catch((err: unknown) => fail(String(err)));
process.on('exit', () => {
  for (const ws of all) ws.terminate();
});
