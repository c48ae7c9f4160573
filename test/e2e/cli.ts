import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The CLI as users run it: `node bin/fanout-bench.js …` in a child process. */
export const BIN = fileURLToPath(new URL('../../bin/fanout-bench.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** the child is killed and the promise rejected past this (default 120 s) */
  timeoutMs?: number;
  /** told the whole stderr so far on every chunk; `kill` signals the child (SIGTERM by default) */
  onStderr?: (stderr: string, kill: (signal?: NodeJS.Signals) => void) => void;
}

/** Runs `fanout-bench <args>` to its exit and collects what it printed. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return runNode(BIN, args, opts);
}

/** Runs a Node script (this Node) to its exit and collects what it printed. */
export function runNode(file: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} did not finish; stderr: ${stderr.slice(-500)}`));
    }, opts.timeoutMs ?? 120_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      opts.onStderr?.(stderr, (signal) => child.kill(signal));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A user mistake: exit 2, one line on stderr (`line`, or matching it), nothing on stdout. */
export function expectOneLine(r: CliResult, line: string | RegExp): void {
  expect(r.code).toBe(2);
  if (typeof line === 'string') expect(r.stderr).toBe(`fanout-bench: ${line}\n`);
  else expect(r.stderr).toMatch(line);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stdout).toBe('');
}

/** The console's lines under "check failed: <check>: …" (its explanation), up to the next check or threshold. */
export function whyUnder(stdout: string, check: string): string[] {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`  check failed: ${check}: `));
  expect(at, stdout).toBeGreaterThan(0);
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith('    ')) break;
    out.push(l.trim());
  }
  return out;
}
