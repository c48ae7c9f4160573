import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Results, type IntervalRecord } from '../../src/contracts/results-schema.ts';
import { onCleanup } from './cleanup.ts';
import { IntervalTail } from './interval-tail.ts';
import { commandLine, processTree, readProc, sumProcs } from './proc-stats.ts';

/**
 * One run of the real harness, the way a user starts it: `node bin/fanout-bench.js run <file>
 * --target ws://127.0.0.1:… --shards N --out DIR`. While it runs, its shard processes are
 * sampled from /proc (CPU, RSS) so memory can be read at moments results.json does not keep;
 * afterwards results.json is read and validated against the harness's own schema.
 */
const CLI = fileURLToPath(new URL('../../bin/fanout-bench.js', import.meta.url));
const SHARD_ENTRY = 'shard-bootstrap.js';
const SAMPLE_MS = 250;

export interface TreeSample {
  /** epoch ms (the harness's clock: performance.timeOrigin + performance.now()) */
  t: number;
  shards: number;
  shardCpuSeconds: number;
  /** the system (kernel) part of shardCpuSeconds */
  shardSystemSeconds: number;
  shardRssBytes: number;
  parentCpuSeconds: number;
  /** CPU of the processes in `otherPids` (the server), seconds since they started */
  otherCpuSeconds: number;
}

export interface HarnessRun {
  results: Results;
  resultsFile: string;
  /** the exact command line */
  command: string;
  exitCode: number;
  samples: TreeSample[];
  /** stdout of the run (its summary) */
  summary: string;
  /** why the benchmark interrupted the run before its scenario ended */
  stoppedEarly?: string;
}

export interface HarnessRunOptions {
  scenarioFile: string;
  targetUrl: string;
  shards: number;
  outDir: string;
  /** hard bound: SIGINT at this point, SIGKILL 15 s later */
  timeoutMs: number;
  /** processes sampled alongside (the server), kept apart from the harness's numbers */
  otherPids?: number[];
  /** read live: a reason to interrupt the run (Ctrl-C, results kept), or undefined to go on */
  stopWhen?: (record: IntervalRecord) => string | undefined;
  /** extra environment for the harness (and, inherited, its shards) */
  env?: Record<string, string>;
  /** past the run's host check (`--ignore-host-limits`): a ceiling run finds where the host itself stops */
  ignoreHostLimits?: boolean;
}

const clock = () => performance.timeOrigin + performance.now();

export function runHarness(o: HarnessRunOptions): Promise<HarnessRun> {
  // A directory of its own, so the live tail finds this run's intervals and no other's.
  const outDir = mkdtempSync(join(o.outDir, 'run-'));
  const args = [CLI, 'run', o.scenarioFile, '--target', o.targetUrl, '--shards', String(o.shards), '--out', outDir, '--no-progress', ...(o.ignoreHostLimits ? ['--ignore-host-limits'] : [])];
  const command = `node ${args.map((a) => (a === CLI ? 'bin/fanout-bench.js' : a)).join(' ')}`;
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
  const pid = child.pid!;
  // Interrupted benchmark: the run stops the way Ctrl-C stops it (it writes what it measured).
  const forget = onCleanup(
    () =>
      new Promise<void>((done) => {
        const kill = setTimeout(() => {
          child.kill('SIGKILL');
          done();
        }, 15_000);
        child.once('exit', () => {
          clearTimeout(kill);
          done();
        });
        child.kill('SIGINT');
      }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));

  const samples: TreeSample[] = [];
  let shardPids: number[] = [];
  const tail = o.stopWhen ? new IntervalTail(outDir) : undefined;
  let stoppedEarly: string | undefined;
  const watch = () => {
    if (!tail || stoppedEarly) return;
    for (const record of tail.poll()) {
      stoppedEarly = o.stopWhen!(record);
      if (stoppedEarly) {
        child.kill('SIGINT');
        return;
      }
    }
  };
  const sample = () => {
    watch();
    if (shardPids.length < o.shards) {
      shardPids = processTree(pid).filter((p) => p !== pid && commandLine(p).includes(SHARD_ENTRY));
    }
    const s = sumProcs(shardPids);
    samples.push({
      t: clock(),
      shards: s.alive,
      shardCpuSeconds: s.cpuSeconds,
      shardSystemSeconds: s.systemSeconds,
      shardRssBytes: s.rssBytes,
      parentCpuSeconds: readProc(pid)?.cpuSeconds ?? 0,
      otherCpuSeconds: sumProcs(o.otherPids ?? []).cpuSeconds,
    });
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stoppedEarly ??= `still running after ${o.timeoutMs / 1000} s`;
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  }, o.timeoutMs);

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
      const exitCode = code ?? 128;
      const file = /^results: (.+)$/m.exec(stdout)?.[1];
      const why = timedOut ? ` (stopped after ${o.timeoutMs / 1000} s)` : '';
      if (!file) {
        reject(new Error(`harness run wrote no results (exit ${signal ?? code})${why}: ${lastLines(stderr || stdout)}\n  command: ${command}`));
        return;
      }
      const parsed = Results.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (!parsed.success) {
        reject(new Error(`${file}: not a valid results.json: ${parsed.error.issues[0].message}`));
        return;
      }
      resolve({ results: parsed.data, resultsFile: file, command, exitCode, samples, summary: stdout, ...(stoppedEarly ? { stoppedEarly } : {}) });
    });
  });
}

function lastLines(text: string, n = 5): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}
