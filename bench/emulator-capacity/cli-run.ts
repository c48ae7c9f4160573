import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Results } from '../../src/contracts/results-schema.ts';
import type { HostCpuReport } from '../../emulator/host-cpu.ts';

/**
 * One run of the real CLI against the local stack, the way a user starts it:
 * `node bin/fanout-bench.js run <scenario> … --out DIR`. Returns results.json (validated against
 * the harness's schema), the stack's host CPU line from stack.log, and the wall time.
 */
const CLI = fileURLToPath(new URL('../../bin/fanout-bench.js', import.meta.url));

export interface CliRun {
  command: string;
  exitCode: number;
  wallSeconds: number;
  results: Results;
  hostCpu: HostCpuReport | undefined;
  stdout: string;
}

export interface CliRunOptions {
  args: string[];
  outDir: string;
  /** hard bound: SIGINT at this point (results kept), SIGKILL 15 s later */
  timeoutMs: number;
  /** profile every process and thread into this directory (node --cpu-prof) */
  profileDir?: string;
}

export async function runCli(o: CliRunOptions): Promise<CliRun> {
  const out = mkdtempSync(join(o.outDir, 'run-'));
  const nodeArgs = o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [];
  const argv = [...nodeArgs, CLI, 'run', ...o.args, '--no-progress', '--out', out];
  const command = `node ${argv.map((a) => (a === CLI ? 'bin/fanout-bench.js' : a)).join(' ')}`;
  const started = performance.now();
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const interrupt = setTimeout(() => {
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  }, o.timeoutMs);
  const exitCode = await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  clearTimeout(interrupt);
  const wallSeconds = (performance.now() - started) / 1000;
  const runDir = readdirSync(out).map((d) => join(out, d))[0];
  if (!runDir) throw new Error(`${command}: no run directory (exit ${exitCode}): ${stderr.trim().split('\n').pop()}`);
  const results = Results.parse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')));
  let hostCpu: HostCpuReport | undefined;
  try {
    const line = readFileSync(join(runDir, 'stack.log'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('stack: host-cpu '));
    if (line) hostCpu = JSON.parse(line.slice('stack: host-cpu '.length)) as HostCpuReport;
  } catch {
    // a remote target has no stack.log
  }
  return { command, exitCode, wallSeconds, results, hostCpu, stdout };
}
