import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { parseReadyLine, type StackReady } from '../../common/stack-ready.ts';
import { BIN } from './cli.ts';

/**
 * `stack up` in the background, as a user starts it in a terminal of its own, until its ready
 * line. The stack ends with the test process (--exit-with-stdin); `stopStacks()` ends it sooner.
 */
const children: ChildProcess[] = [];

export async function stackUp(args: string[]): Promise<StackReady> {
  return (await startStack(args)).ready;
}

/** A stack started by `startStack`: its ready line, and a stop that resolves once it has exited. */
export interface StartedStack {
  ready: StackReady;
  stop(): Promise<void>;
}

export async function startStack(args: string[]): Promise<StartedStack> {
  const child = spawn(process.execPath, [BIN, 'stack', 'up', '--exit-with-stdin', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const ready = await new Promise<StackReady>((done, fail) => {
    // CI's waiting lane starts stacks beside the whole suite: a first start there once took 60 s
    const timer = setTimeout(() => fail(new Error(`no ready line in 150 s: ${err.slice(-800)}`)), 150_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      for (const line of out.split('\n')) {
        const ready = parseReadyLine(line);
        if (ready) {
          clearTimeout(timer);
          done(ready);
        }
      }
    });
    child.once('exit', (code) => fail(new Error(`stack up exited ${code}: ${err.slice(-800)}`)));
  });
  return {
    ready,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function stopStacks(): void {
  for (const c of children.splice(0)) c.kill('SIGKILL');
}

/** A WebSocket opened, or the handshake's refusal as an error. */
export function openSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((done, fail) => {
    ws.once('open', () => done(ws));
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`handshake ${res.statusCode}`)));
  });
}
