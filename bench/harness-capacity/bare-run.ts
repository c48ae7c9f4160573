import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BareFleetOutput } from './bare-fleet.ts';
import { onCleanup } from './cleanup.ts';
import { readProc } from './proc-stats.ts';

/**
 * One run of the bare `ws` fleet (bare-fleet.ts) as a process of its own, its CPU sampled from
 * /proc the way the harness's processes are (harness-run.ts), so both are read by one instrument.
 */
const BARE_FLEET = fileURLToPath(new URL('./bare-fleet.ts', import.meta.url));
const SAMPLE_MS = 250;

export interface BareSample {
  /** epoch ms */
  t: number;
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
  /** extra environment for the fleet's process */
  env?: Record<string, string>;
}

const clock = () => performance.timeOrigin + performance.now();

export function runBareFleet(o: BareRunOptions): Promise<BareRun> {
  const args = [
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
  ];
  const command = `node ${args.map((a) => (a === BARE_FLEET ? 'bench/harness-capacity/bare-fleet.ts' : a)).join(' ')}`;
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
  const pid = child.pid!;
  const forget = onCleanup(
    () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGKILL');
      }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const samples: BareSample[] = [];
  const sample = () => {
    const s = readProc(pid);
    if (s) samples.push({ t: clock(), cpuSeconds: s.cpuSeconds });
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      clearInterval(sampler);
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      forget();
      clearInterval(sampler);
      clearTimeout(timer);
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`bare fleet failed (exit ${signal ?? code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}\n  command: ${command}`));
        return;
      }
      resolve({ output: JSON.parse(line) as BareFleetOutput, samples, command });
    });
  });
}
