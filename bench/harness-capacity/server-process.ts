import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.ts';
import { commandLine, processTree, sumProcs } from './proc-stats.ts';

/**
 * The minimal fan-out server (bench/minimal-server) as a child process tree: the primary and its
 * cluster workers behind one port on 127.0.0.1. The benchmark needs its process ids to charge the
 * server's CPU to the server, never to the harness.
 */
const BOOTSTRAP = fileURLToPath(new URL('../minimal-server/bootstrap.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export interface ServerProcess {
  url: string;
  workers: number;
  /** the primary and its workers */
  pids: number[];
  /** CPU-seconds of the whole server since it started */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export function startServer(workers: number): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BOOTSTRAP, '--workers', String(workers), '--host', '127.0.0.1', '--port', '0', '--create-on-join'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      stopChild(child).finally(() => reject(new Error(`minimal server: ${why}`)));
    };
    const timer = setTimeout(() => fail(`not ready within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    child.once('exit', (code, signal) => fail(`exited before it was ready (${signal ?? `code ${code}`})`));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      let url: string;
      try {
        url = (JSON.parse(line) as { websocketUrl: string }).websocketUrl;
      } catch {
        fail(`unexpected ready line: ${line}`);
        return;
      }
      const pids = processTree(child.pid!);
      const stop = () => stopChild(child, pids);
      const forget = onCleanup(stop);
      resolve({
        url,
        workers,
        pids,
        cpuSeconds: () => sumProcs(pids).cpuSeconds,
        stop: () => {
          forget();
          return stop();
        },
      });
    });
  });
}

/** SIGTERM the primary (it stops its workers), then SIGKILL whatever of the tree is left. */
async function stopChild(child: ChildProcess, pids: number[] = [child.pid!]): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, STOP_TIMEOUT_MS))]);
  }
  await new Promise((r) => setTimeout(r, 200));
  for (const pid of pids) {
    // Only a process still running the server (a pid is never reused for something else here).
    if (!commandLine(pid).includes(BOOTSTRAP)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
