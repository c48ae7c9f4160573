import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import type { BareFleetOutput, BarePhaseResult } from './bare-fleet.ts';
import { onCleanup } from './cleanup.ts';
import { readProc } from './proc-stats.ts';

/**
 * One run of the bare `ws` fleet (bare-fleet.ts) as processes of its own (one, or `processes` split
 * the way the harness splits its shards), their CPU sampled from /proc the way the harness's
 * processes are (harness-run.ts), so both are read by one instrument. Several processes start
 * their first phase at one instant (each says it is ready, then all are told when to go), and
 * their phases are added up: sends, expected and received deliveries, late slots, CPU, and the
 * latency histograms.
 */
const BARE_FLEET = fileURLToPath(new URL('./bare-fleet.ts', import.meta.url));
const SAMPLE_MS = 250;
/** from the last process ready to the first slot: time for every process to read its go */
const GO_LEAD_MS = 500;

export interface BareSample {
  /** epoch ms */
  t: number;
  /** every process of the fleet */
  cpuSeconds: number;
}

export interface BareRun {
  output: BareFleetOutput;
  samples: BareSample[];
  command: string;
}

export interface BareRunOptions {
  targetUrl: string;
  clients: number;
  rooms: number;
  roomPrefix: string;
  payloadBytes: number;
  /** name:deliveries-per-second:seconds, run back to back */
  phases: string[];
  timeoutMs: number;
  /** processes the fleet is split over (default 1) */
  processes?: number;
  /** extra environment for the fleet's process */
  env?: Record<string, string>;
}

const clock = () => performance.timeOrigin + performance.now();

interface Proc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
}

export async function runBareFleet(o: BareRunOptions): Promise<BareRun> {
  const n = o.processes ?? 1;
  const args = (shard: number) => [
    // The harness's shards run with it (src/fleet/fleet.ts); without it V8's pretenuring sends this
    // fleet's per-frame garbage to the old generation too, and the floor measures that GC pathology
    // (p99 ×1.3–1.9, CPU +10 % on this machine: bench/RESULTS.md) rather than what a ws fleet must do.
    '--no-allocation-site-pretenuring',
    '--import',
    'tsx',
    BARE_FLEET,
    '--url',
    o.targetUrl,
    '--clients',
    String(o.clients),
    '--rooms',
    String(o.rooms),
    '--room-prefix',
    o.roomPrefix,
    '--payload',
    String(o.payloadBytes),
    ...o.phases.flatMap((p) => ['--phase', p]),
    ...(n > 1 ? ['--shard', String(shard), '--shards', String(n)] : []),
  ];
  const command = `node ${args(0)
    .map((a) => (a === BARE_FLEET ? 'bench/harness-capacity/bare-fleet.ts' : a))
    .join(' ')}${n > 1 ? ` (and --shard 1 … ${n - 1}, released together)` : ''}`;
  const procs: Proc[] = [];
  for (let shard = 0; shard < n; shard++) {
    const child = spawn(process.execPath, args(shard), { stdio: [n > 1 ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
    const p: Proc = { child, stdout: '', stderr: '' };
    child.stdout!.on('data', (d: Buffer) => (p.stdout += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (p.stderr += d.toString('utf8')));
    procs.push(p);
  }
  const forget = onCleanup(() => Promise.all(procs.map((p) => killed(p.child))).then(() => undefined));
  const samples: BareSample[] = [];
  const sample = () => {
    let cpu = 0;
    for (const p of procs) {
      const s = readProc(p.child.pid!);
      if (!s) return;
      cpu += s.cpuSeconds;
    }
    samples.push({ t: clock(), cpuSeconds: cpu });
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  const timer = setTimeout(() => procs.forEach((p) => p.child.kill('SIGKILL')), o.timeoutMs);
  try {
    if (n > 1) {
      await Promise.all(procs.map((p) => readyLine(p)));
      const go = `go ${clock() + GO_LEAD_MS}\n`;
      for (const p of procs) p.child.stdin!.end(go);
    }
    const outputs = await Promise.all(procs.map((p) => finished(p, command)));
    return { output: n > 1 ? merged(outputs) : outputs[0]!, samples, command };
  } finally {
    forget();
    clearInterval(sampler);
    clearTimeout(timer);
    await Promise.all(procs.map((p) => killed(p.child)));
  }
}

function readyLine(p: Proc): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (p.stdout.includes('{"ready":true}\n')) {
        p.child.stdout!.off('data', check);
        p.child.off('exit', early);
        resolve();
      }
    };
    const early = () => reject(new Error(`bare fleet exited before it was ready: ${p.stderr.trim().split('\n').slice(-3).join(' | ')}`));
    p.child.stdout!.on('data', check);
    p.child.once('exit', early);
    check();
  });
}

function finished(p: Proc, command: string): Promise<BareFleetOutput> {
  return new Promise((resolve, reject) => {
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      const line = p.stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{"clients"')) {
        reject(new Error(`bare fleet failed (exit ${signal ?? code}): ${p.stderr.trim().split('\n').slice(-3).join(' | ')}\n  command: ${command}`));
        return;
      }
      resolve(JSON.parse(line) as BareFleetOutput);
    };
    if (p.child.exitCode !== null || p.child.signalCode !== null) done(p.child.exitCode, p.child.signalCode);
    else p.child.once('exit', done);
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

/** The processes' phases as one fleet's: counts added, histograms added, the window the same. */
function merged(outputs: BareFleetOutput[]): BareFleetOutput {
  const first = outputs[0]!;
  const phases = first.phases.map((p, i): BarePhaseResult => {
    const all = outputs.map((o) => o.phases[i]!);
    const add = (key: 'sent' | 'expected' | 'received' | 'lost' | 'arrivedInWindow' | 'missedSlots' | 'cpuUserMicros' | 'cpuSystemMicros') => all.reduce((a, x) => a + x[key], 0);
    const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: false });
    for (const x of all) {
      const part = hdr.decodeFromCompressedBase64(x.histogram, 32, false);
      h.add(part);
      part.destroy();
    }
    const histogram = hdr.encodeIntoCompressedBase64(h);
    h.destroy();
    return {
      ...p,
      startedAt: Math.min(...all.map((x) => x.startedAt)),
      endedAt: Math.max(...all.map((x) => x.endedAt)),
      sent: add('sent'),
      expected: add('expected'),
      received: add('received'),
      lost: add('lost'),
      arrivedInWindow: add('arrivedInWindow'),
      missedSlots: add('missedSlots'),
      histogram,
      cpuUserMicros: add('cpuUserMicros'),
      cpuSystemMicros: add('cpuSystemMicros'),
    };
  });
  return { clients: first.clients, rooms: first.rooms, phases };
}
