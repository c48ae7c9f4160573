import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chooseShards } from '../../src/fleet/shard-count.ts';
import { parseDuration } from '../../src/contracts/duration.ts';
import { cleanupAll } from '../harness-capacity/cleanup.ts';
import { runHarness } from '../harness-capacity/harness-run.ts';
import { describeMachine, loadAverage } from '../harness-capacity/machine.ts';
import { writeScenario } from '../harness-capacity/scenarios.ts';
import { startServer } from '../harness-capacity/server-process.ts';
import { analyze, criteria } from './analyze.ts';
import { DEFAULT_RATE, FULL, makePlan, QUICK, SOAK_PHASE, soakScenario, type SoakPlan } from './plan.ts';
import { probedPids, readProbes } from './probe-log.ts';
import { consoleReport, passed, writeResultsMd, type SoakSummary } from './report.ts';

/**
 * `npx tsx bench/soak/main.ts [--quick] [--duration 60s --clients 2000] [--rate 100] [--write]
 *  [--keep] [--heap-snapshots]`
 *
 * A long run stays flat: 10,000 clients against the minimal fan-out server for 30 minutes
 * (--quick: 5) with steady sends, through the real CLI. PASS/FAIL per criterion: RSS and heap of
 * every harness process (shards and parent) grow ≤ 5 % after warm-up, nothing is lost, the
 * interval file gets one line per interval and its lines do not grow. --write records the result
 * in bench/RESULTS.md. --duration/--clients make a smaller check (a smoke test, mode "custom").
 * --heap-snapshots writes heap snapshots of every harness process at the start of the baseline
 * window and the end of the final one (implies --keep). Exit 0 when every criterion passed, 1
 * when one failed or could not be measured, 2 for a bad flag, 130 when interrupted.
 */
function refuse(message: string): never {
  process.stderr.write(`soak: ${message}\n`);
  process.exit(2);
}

const OPTIONS = {
  quick: { type: 'boolean', default: false },
  duration: { type: 'string' },
  clients: { type: 'string' },
  rate: { type: 'string' },
  write: { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  'heap-snapshots': { type: 'boolean', default: false },
} as const;

function flags() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (err) {
    return refuse((err as Error).message.split('\n')[0]!);
  }
}
const values = flags();

function positiveInt(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max) refuse(`${flag}: must be an integer from ${min} to ${max}, got ${text}`);
  return v;
}

const base = values.quick ? QUICK : FULL;
const custom = values.duration !== undefined || values.clients !== undefined;
let durationMs: number = base.durationMs;
if (values.duration !== undefined) {
  const d = parseDuration(values.duration);
  if (d === undefined || d < 60_000 || d > 24 * 3_600_000) refuse(`--duration: must be a duration from 60s to 24h, like "60s" or "30m", got ${values.duration}`);
  durationMs = d;
}
const clients = positiveInt('--clients', values.clients, base.clients, 100, 36_000);
const rate = positiveInt('--rate', values.rate, DEFAULT_RATE, 1, 1_000);
const plan: SoakPlan = makePlan(custom ? 'custom' : values.quick ? 'quick' : 'full', clients, durationMs, rate);
const keep = values.keep || values['heap-snapshots'];
if (values.write && values['heap-snapshots']) refuse('--write: not with --heap-snapshots (writing a snapshot grows RSS, so that run is not a measurement)');

const machine = describeMachine();
const dir = mkdtempSync(join(tmpdir(), 'fb-soak-'));
const probeDir = join(dir, 'probe');
mkdirSync(probeDir);
const started = performance.now();
const loadBefore = loadAverage();
let interrupted = false;

const onSignal = () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write('soak: interrupted: stopping the server and the harness run\n');
  void cleanupAll().then(() => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const summary: SoakSummary = {
  date: new Date().toISOString(),
  command: `npx tsx bench/soak/main.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
  plan,
  machine,
  loadBefore,
  loadAfter: '',
  wallSeconds: 0,
  criteria: [],
  snapshots: [],
};

/** Heap snapshots at two moments of the send phase, for finding what grew (--heap-snapshots). */
function snapshotTimer(): (phase: string, t: number) => void {
  let phaseStart: number | undefined;
  const taken = new Set<string>();
  const take = (label: string) => {
    if (taken.has(label)) return;
    taken.add(label);
    for (const pid of probedPids(probeDir)) {
      try {
        process.kill(pid, 'SIGUSR2');
      } catch {
        // gone
      }
    }
    process.stderr.write(`soak: heap snapshots requested (${label})\n`);
  };
  return (phase, t) => {
    if (!values['heap-snapshots'] || phase !== SOAK_PHASE) return;
    phaseStart ??= t;
    const at = t - phaseStart;
    if (at >= plan.warmupMs) take('baseline');
    if (at >= plan.durationMs - 5_000) take('final');
  };
}

try {
  const scenario = soakScenario(plan);
  const shards = chooseShards(plan.clients);
  const server = await startServer(Math.max(2, Math.ceil(plan.clients / 10_000)));
  try {
    process.stderr.write(`soak: ${plan.mode} mode, ${plan.clients} clients over ${shards} shards, ${plan.durationMs / 1000} s of sends (load average ${loadBefore}) …\n`);
    const onRecord = snapshotTimer();
    const probe = fileURLToPath(new URL('./memory-probe.cjs', import.meta.url));
    const run = await runHarness({
      scenarioFile: writeScenario(dir, scenario),
      targetUrl: server.url,
      shards,
      outDir: dir,
      // connect + join take seconds; the drain and writing results a few more
      timeoutMs: plan.durationMs + 180_000,
      otherPids: server.pids,
      env: {
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require "${probe}"`.trim(),
        FANOUT_SOAK_PROBE_DIR: probeDir,
        FANOUT_SOAK_GC_MS: String(plan.gcEveryMs),
      },
      stopWhen: (record) => {
        onRecord(record.phase, record.t);
        return undefined;
      },
    });
    summary.harnessCommand = run.command;
    const analysis = analyze(plan, run.results, join(dirname(run.resultsFile), 'intervals.ndjson'), readProbes(probeDir));
    summary.analysis = analysis;
    summary.criteria = criteria(analysis, { snapshots: values['heap-snapshots'] });
  } finally {
    await server.stop();
  }
} catch (err) {
  summary.error = err instanceof Error ? err.message : String(err);
} finally {
  await cleanupAll();
}

summary.loadAfter = loadAverage();
summary.wallSeconds = (performance.now() - started) / 1000;
if (values['heap-snapshots']) summary.snapshots = readProbesSnapshots();
process.stdout.write(consoleReport(summary));
if (values.write) {
  const file = fileURLToPath(new URL('../RESULTS.md', import.meta.url));
  writeResultsMd(file, summary);
  process.stdout.write(`wrote ${file}\n`);
}
if (keep) process.stdout.write(`run directory, scenario and probe files kept in ${dir}\n`);
else rmSync(dir, { recursive: true, force: true });
process.exitCode = interrupted ? 130 : passed(summary) ? 0 : 1;

function readProbesSnapshots(): string[] {
  return readdirSync(probeDir)
    .filter((f) => f.endsWith('.heapsnapshot'))
    .map((f) => join(probeDir, f));
}
