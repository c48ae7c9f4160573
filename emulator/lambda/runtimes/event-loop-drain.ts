import { setTimeout as sleep } from 'node:timers/promises';

/**
 * `context.callbackWaitsForEmptyEventLoop` (true by default) for callback-style handlers: Lambda
 * sends the response once the callback was called AND the event loop is empty, so work the
 * handler left pending (timers, sockets in use) finishes first; a connection held open keeps the
 * invocation running until its timeout, as on Lambda. False: the response goes at once and the
 * environment freezes with that work pending. (Async handlers end when their promise settles.)
 *
 * "Empty" is what Node reports as keeping the loop alive (process.getActiveResourcesInfo), less
 * the environment's own message ports and this poll's own timer. Idle keep-alive sockets (the
 * SDK's agent) are unref'd and do not count, as on Lambda. Polled every millisecond: a wait costs
 * a few microseconds of CPU per poll, until the invocation times out.
 */
export async function eventLoopDrained(deadline: number): Promise<void> {
  // The runtime times the invocation out at the deadline and terminates this thread; the bound
  // only keeps the loop finite should that message be late.
  while (Date.now() < deadline + 10_000) {
    await sleep(1);
    let timers = 0;
    let others = 0;
    for (const r of process.getActiveResourcesInfo()) {
      if (r === 'Timeout') timers++;
      else if (r !== 'MessagePort') others++;
    }
    // This poll's own timer is still listed while its callback runs.
    if (others === 0 && timers === 0) return;
  }
}
