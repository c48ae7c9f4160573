import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chooseShards } from '../../src/fleet/shard-count.ts';
import { runBareFleet } from './bare-run.ts';
import { cleanupAll } from './cleanup.ts';
import { runHarness } from './harness-run.ts';
import { loadAverage } from './machine.ts';
import { bareOptions, histogramSummary } from './measure-floor.ts';
import { phaseEnd, phaseNamed } from './run-math.ts';
import { FULL, STEADY_DELIVERIES_PER_SEC, WARMUP_PHASE, floorScenario, ratePhase, writeScenario } from './scenarios.ts';
import { startServer } from './server-process.ts';

/**
 * `npx tsx bench/harness-capacity/tail-sources.ts [--rate 20000] [--seconds 20] [--shards 1,2]
 *  [--stretch-ms 5] [--only bare,1,2] [--keep]`
 *
 * Where a fleet's tail comes from. The bare `ws` fleet and the harness (each shard count) run the
 * floor comparison's load one after another against one minimal server, every fleet process
 * watched from inside by tail-probe.cjs (CPU profile, GC, IPC handling, run-queue wait). For the
 * measured phase it prints, per process: CPU, time spent runnable but waiting for a core, what
 * the CPU went to, and what the event loop was doing in every stretch it stayed busy for at
 * least --stretch-ms (a delivery arriving then waits for the stretch to end: the stuff of the
 * tail), with the GC pauses and IPC handling on their own. Diagnosis only: nothing is recorded.
 */
const PROBE = fileURLToPath(new URL('./tail-probe.cjs', import.meta.url));

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: String(STEADY_DELIVERIES_PER_SEC) },
    seconds: { type: 'string', default: '20' },
    shards: { type: 'string' },
    'stretch-ms': { type: 'string', default: '5' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const stretchMs = Number(values['stretch-ms']);
const shardCounts = values.shards ? values.shards.split(',').map(Number) : [...new Set([1, chooseShards(2000)])];
for (const [name, v] of [['--rate', rate], ['--seconds', seconds], ['--stretch-ms', stretchMs], ...shardCounts.map((n) => ['--shards', n] as const)] as const) {
  if (!(Number(v) > 0)) {
    process.stderr.write(`tail-sources: ${name}: a positive number\n`);
    process.exit(2);
  }
}
const fleets = (values.only?.split(',') ?? ['bare', ...shardCounts.map(String)]).map((x) => (x === 'bare' ? 'bare' : Number(x)));

// --- the probe's files ---------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface ProbeFile {
  role: 'parent' | 'shard' | 'bare';
  pid: number;
  clock: { epochOriginMs: number; monotonicAtPerfZeroUs: number };
  gc: [number, number, number][];
  messages: [number, number, string][];
  sched: [number, number, number][];
  profile: { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] } | null;
}

/**
 * What a sample was doing, from its stack. The first rule that names any frame of the stack
 * wins, so a flush that triggers an IPC write counts as the flush.
 */
const RULES: [RegExp, string][] = [
  [/^\(garbage collector\)/, 'GC'],
  [/@.*\/(run-recorder|delivery-ledger|stale-report)\.ts$/, 'parent: merge and ledger'],
  [/@.*\/(interval-file|measure|progress-[a-z]+)\.ts$/, 'parent: interval records'],
  [/@.*\/shard-main\.ts$|^report@.*\/shard\.ts$|^(drain|take|sample)@.*\/(recorder|receipt-tally|packed-records|self-watch)\.ts$/, 'interval snapshot (flush)'],
  [/^sweep@/, 'timeout sweep (250 ms)'],
  [/^tick@.*\/(schedule|bare-fleet)\.ts$|^sendPhase@/, 'sends (schedule, ws.send)'],
  [/@.*(child_process|serdes|serialization)/, 'IPC'],
  [/@.*\/(websocket\.js|receiver\.js|client-group\.ts|shard\.ts|bare-fleet\.ts|chat-protocol\.ts|order-tracker\.ts)$|^onStreamRead@/, 'deliveries (read, parse, record)'],
  [/^(processTimers|listOnTimeout)@/, 'other timers'],
  [/^\(program\)/, 'V8/native (program)'],
];

interface Breakdown {
  [category: string]: number;
}

interface ProcessFindings {
  role: string;
  pid: number;
  cpuMs: number;
  runnableWaitMs: number;
  busy: Breakdown;
  stretches: { count: number; ms: number; maxMs: number; by: Breakdown };
  gc: { scavenges: [number, number, number]; markCompacts: [number, number, number]; other: [number, number, number] };
  messages: Record<string, [number, number, number]>;
}

function analyse(p: ProbeFile, from: number, to: number): ProcessFindings {
  const toEpoch = (perfMs: number) => p.clock.epochOriginMs + perfMs;
  const inWindow = (perfMs: number) => toEpoch(perfMs) >= from && toEpoch(perfMs) < to;
  const add = (a: [number, number, number], d: number) => {
    a[0]++;
    a[1] += d;
    a[2] = Math.max(a[2], d);
  };
  const gc = { scavenges: [0, 0, 0] as [number, number, number], markCompacts: [0, 0, 0] as [number, number, number], other: [0, 0, 0] as [number, number, number] };
  // perf_hooks kinds: 1 minor (scavenge), 4 major (mark-compact), 8 incremental, 16 weak callbacks
  for (const [t, d, kind] of p.gc) if (inWindow(t)) add(kind === 1 ? gc.scavenges : kind === 4 ? gc.markCompacts : gc.other, d);
  const messages: Record<string, [number, number, number]> = {};
  for (const [t, d, type] of p.messages) if (inWindow(t)) add((messages[type || '?'] ??= [0, 0, 0]), d);
  const schedAt = (epoch: number, i: 1 | 2) => {
    const s = p.sched.map((x) => ({ t: toEpoch(x[0]), v: x[i] }));
    if (s.length === 0) return Number.NaN;
    if (epoch <= s[0].t) return s[0].v;
    for (let k = 1; k < s.length; k++) if (epoch <= s[k].t) return s[k - 1].v + ((s[k].v - s[k - 1].v) * (epoch - s[k - 1].t)) / Math.max(1e-9, s[k].t - s[k - 1].t);
    return s[s.length - 1].v;
  };
  const busy: Breakdown = {};
  const stretches = { count: 0, ms: 0, maxMs: 0, by: {} as Breakdown };
  if (p.profile) {
    const { nodes, samples, timeDeltas, startTime } = p.profile;
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const category = new Map<number, string>();
    const categoryOf = (id: number): string => {
      const known = category.get(id);
      if (known) return known;
      const frames: string[] = [];
      for (let j: number | undefined = id; j !== undefined; j = parent.get(j)) {
        const f = byId.get(j)!.callFrame;
        frames.push(`${f.functionName}@${f.url}`);
      }
      let c = frames[0].startsWith('(idle)') ? 'idle' : 'other';
      if (c !== 'idle') {
        for (const [re, name] of RULES) {
          if (frames.some((f) => re.test(f))) {
            c = name;
            break;
          }
        }
      }
      category.set(id, c);
      return c;
    };
    let tUs = startTime;
    let run: { ms: number; by: Breakdown } | undefined;
    const endRun = () => {
      if (run && run.ms >= stretchMs) {
        stretches.count++;
        stretches.ms += run.ms;
        stretches.maxMs = Math.max(stretches.maxMs, run.ms);
        for (const [k, v] of Object.entries(run.by)) stretches.by[k] = (stretches.by[k] ?? 0) + v;
      }
      run = undefined;
    };
    for (let i = 0; i < samples.length; i++) {
      tUs += timeDeltas[i];
      const epoch = p.clock.epochOriginMs + (tUs - p.clock.monotonicAtPerfZeroUs) / 1000;
      if (epoch < from || epoch >= to) continue;
      // a sample stands for the interval up to the next one
      const ms = (timeDeltas[i + 1] ?? 0) / 1000;
      const c = categoryOf(samples[i]);
      if (c === 'idle') {
        endRun();
        continue;
      }
      busy[c] = (busy[c] ?? 0) + ms;
      run ??= { ms: 0, by: {} };
      run.ms += ms;
      run.by[c] = (run.by[c] ?? 0) + ms;
    }
    endRun();
  }
  return {
    role: p.role,
    pid: p.pid,
    cpuMs: schedAt(to, 1) - schedAt(from, 1),
    runnableWaitMs: schedAt(to, 2) - schedAt(from, 2),
    busy,
    stretches,
    gc,
    messages,
  };
}

function readProbes(dir: string): ProbeFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ProbeFile);
}

// --- report ----------------------------------------------------------------------------------

const pct = (part: number, whole: number) => `${whole > 0 ? ((part / whole) * 100).toFixed(0) : '0'} %`;
const ms = (x: number) => `${x.toFixed(0)} ms`;
const top = (b: Breakdown, whole: number) =>
  Object.entries(b)
    .sort((a, c) => c[1] - a[1])
    .map(([k, v]) => `${k} ${pct(v, whole)}`)
    .join(', ');

function report(label: string, windowSec: number, delivered: number, found: ProcessFindings[], figures: string): string[] {
  const out = [`${label}: ${figures}; ${delivered.toLocaleString('en-US')} deliveries in ${windowSec.toFixed(1)} s`];
  for (const f of found.sort((a, b) => a.role.localeCompare(b.role) || a.pid - b.pid)) {
    const busyMs = Object.values(f.busy).reduce((a, b) => a + b, 0);
    const [sn, st, sm] = f.gc.scavenges;
    const [mn, mt, mm] = f.gc.markCompacts;
    out.push(`  ${f.role} ${f.pid}: CPU ${ms(f.cpuMs)} (${((f.cpuMs / 1000 / windowSec) * 100).toFixed(0)} % of a core), runnable but waiting for a core ${ms(f.runnableWaitMs)}`);
    out.push(`    CPU went to: ${top(f.busy, busyMs)}`);
    out.push(`    busy stretches ≥ ${stretchMs} ms: ${f.stretches.count} (${ms(f.stretches.ms)} in all, longest ${f.stretches.maxMs.toFixed(1)} ms): ${top(f.stretches.by, f.stretches.ms)}`);
    out.push(`    GC: ${sn} scavenges ${ms(st)} (longest ${sm.toFixed(1)} ms), ${mn} mark-compacts ${ms(mt)} (longest ${mm.toFixed(1)} ms), other ${f.gc.other[0]} ${ms(f.gc.other[1])}`);
    const msgs = Object.entries(f.messages).map(([k, [n, t, m]]) => `${k} ×${n} ${ms(t)} (longest ${m.toFixed(1)} ms)`);
    if (msgs.length > 0) out.push(`    IPC messages handled: ${msgs.join(', ')}`);
  }
  return out;
}

// --- runs ------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'fb-tail-'));
const sizes = { ...FULL, floorSeconds: seconds };
const phase = ratePhase(rate);
process.on('SIGINT', () => void cleanupAll().then(() => process.exit(130)));
const server = await startServer(2);
const lines: string[] = [`load average ${loadAverage()} at the start; measured phase: ${rate.toLocaleString('en-US')} deliveries/s for ${seconds} s after a ${sizes.warmupSeconds} s warm-up`];
try {
  const scenarioFile = writeScenario(dir, floorScenario(sizes, [rate]));
  for (const fleet of fleets) {
    const probeDir = join(dir, `probe-${fleet}`);
    mkdirSync(probeDir);
    const env = { FANOUT_TAIL_PROBE_DIR: probeDir, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${PROBE}`.trim() };
    process.stderr.write(`tail-sources: ${fleet === 'bare' ? 'bare ws fleet' : `harness, ${fleet} shard(s)`} (load average ${loadAverage()}) …\n`);
    if (fleet === 'bare') {
      const run = await runBareFleet({ ...bareOptions(sizes, server, [`${WARMUP_PHASE}:${STEADY_DELIVERIES_PER_SEC}:${sizes.warmupSeconds}`, `${phase}:${rate}:${seconds}`]), env });
      const p = run.output.phases.find((x) => x.name === phase)!;
      const found = readProbes(probeDir).map((f) => analyse(f, p.startedAt, p.endedAt));
      const h = histogramSummary(p.histogram);
      const figures = `broadcast p50 ${h.p50Ms} ms, p99 ${h.p99Ms} ms, p99.9 ${h.p999Ms} ms, max ${h.maxMs} ms, lost ${p.lost}`;
      lines.push(...report('bare ws fleet', (p.endedAt - p.startedAt) / 1000, p.arrivedInWindow, found, figures), `  command: FANOUT_TAIL_PROBE_DIR=… NODE_OPTIONS="--require bench/harness-capacity/tail-probe.cjs" ${run.command}`);
    } else {
      const run = await runHarness({ scenarioFile, targetUrl: server.url, shards: fleet, outDir: dir, timeoutMs: (seconds + 90) * 1000, env });
      const p = phaseNamed(run.results, phase);
      const b = p.broadcast;
      const found = readProbes(probeDir).map((f) => analyse(f, p.startedAt, phaseEnd(p)));
      const figures = `broadcast p50 ${b?.p50} ms, p99 ${b?.p99} ms, p99.9 ${b?.p999} ms, max ${b?.max} ms, lost ${p.deliveries.lost}`;
      lines.push(...report(`harness, ${fleet} shard(s)`, p.durationMs / 1000, p.deliveries.received, found, figures), `  command: FANOUT_TAIL_PROBE_DIR=… NODE_OPTIONS="--require bench/harness-capacity/tail-probe.cjs" ${run.command}`);
    }
  }
} finally {
  await server.stop();
  await cleanupAll();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${lines.join('\n')}\n`);
if (values.keep) process.stdout.write(`kept: ${dir}\n`);
