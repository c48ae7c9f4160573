import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { expect, vi } from 'vitest';

/** How a bench script ended on bad flags: its exit status and what it printed. */
export interface ScriptExit {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The script as a user runs it: `node --import tsx <script> <args>`, a process of its own. */
export function spawnScript(script: string, args: readonly string[]): ScriptExit {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

class Exited extends Error {
  constructor(readonly code: number | undefined) {
    super(`process.exit(${code})`);
  }
}

let evaluation = 0;

/**
 * The script's top level evaluated in this process with `args` as its command line, up to its
 * process.exit: what its flag checks decide, without a process and a tsx module graph of its own
 * per case (about 2 CPU-s each, nearly all of it loading the emulator the script imports). A new
 * query each time evaluates the script afresh; the modules it imports are loaded once.
 */
export async function importScript(script: string, args: readonly string[]): Promise<ScriptExit> {
  const argv = process.argv;
  let stdout = '';
  let stderr = '';
  const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Exited(code === undefined || code === null ? undefined : Number(code));
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.argv = [process.execPath, script, ...args];
  try {
    await import(`${pathToFileURL(script).href}?flags=${++evaluation}`);
    return { status: 0, stdout, stderr };
  } catch (e) {
    if (e instanceof Exited) return { status: e.code ?? 0, stdout, stderr };
    throw e;
  } finally {
    process.argv = argv;
    exit.mockRestore();
    out.mockRestore();
    err.mockRestore();
  }
}

/** A refused flag: exit 2, one line on stderr matching `message`, nothing on stdout. */
export function expectOneLine(r: ScriptExit, message: RegExp): void {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}
