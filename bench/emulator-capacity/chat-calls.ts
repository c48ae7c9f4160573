import WebSocket from 'ws';
import type { RunningStack } from '../../emulator/stack.ts';

/** The chat calls the emulator's cost benchmarks (op-cost.ts, template-compare.ts) make: one definition, their errors named by `who`. */

export function open(s: RunningStack): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(s.ready.websocketUrl);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends `body` and resolves with the first answer of `type`; an error frame of another kind fails. */
export function ask(who: string, ws: WebSocket, body: object, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${who}: no ${type} answer in 30 s`)), 30_000);
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(String(data)) as { type?: string };
      if (frame.type === type) done();
      else if (frame.type === 'error') done(new Error(`${who}: ${String(data)}`));
    };
    const done = (err?: Error) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      if (err) reject(err);
      else resolve();
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify(body));
  });
}

/** Runs `count` operations, `n` at a time. */
export async function inFlight(n: number, count: number, op: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < count) await op(next++);
    }),
  );
}
