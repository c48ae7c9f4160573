import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Node's `beforeExit`, inside a worker that never exits: the moment the event loop has nothing
 * left to do. AWS's Node runtime interface client (3.x, nodejs22.x and older; src/Runtime.js,
 * src/BeforeExitListener.js) answers there for a handler that neither returned a promise nor
 * called back (null), for a callback called while `context.callbackWaitsForEmptyEventLoop` is
 * true (its value), and for an async handler whose promise never settles (Runtime.NodeJsExit).
 *
 * "Empty" is what Node reports as keeping the loop alive (process.getActiveResourcesInfo), less
 * the environment's own message ports; unref'd handles (idle keep-alive sockets of the SDK's
 * agent, the CPU-share throttle's timer) are not listed, as they would not hold a process either.
 */
export function eventLoopEmpty(): boolean {
  for (const r of process.getActiveResourcesInfo()) if (r !== 'MessagePort') return false;
  return true;
}

/**
 * Waits until the loop is empty, polling every `everyMs()` milliseconds (asked again before each
 * poll, so a caller can poll quickly only while an answer waits on it), until `done()` (the
 * invocation was answered) or 10 s past the deadline (the runtime times the invocation out and
 * ends the thread first; the bound only keeps the loop finite should that be late). True when it
 * found the loop empty. The poll's timer is unref'd: never counted as pending work, here or by the
 * freeze, and one left over when the invocation is answered only ends this loop when it fires.
 */
export async function eventLoopDrained(deadline: number, done: () => boolean, everyMs: () => number): Promise<boolean> {
  while (!done() && Date.now() < deadline + 10_000) {
    await sleep(everyMs(), undefined, { ref: false });
    if (done()) return false;
    if (eventLoopEmpty()) return true;
  }
  return false;
}
