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
 * Watches for the loop to be empty, checking every `everyMs()` milliseconds (asked again before
 * each check, so a caller can check quickly only while an answer waits on it), calling `onEmpty`
 * each time it finds it so, until the returned stop is called (the invocation was answered) or 10 s
 * past the deadline (the runtime times the invocation out and ends the thread first; the bound only
 * keeps the watch finite should that be late). One plain timer at a time, unref'd and cleared by
 * stop: never counted as pending work, here or by the freeze, and nothing left to fire once the
 * invocation is answered (a promise-based sleep could not be cancelled, and cost an invocation that
 * answers at once a timer firing after it: bench/RESULTS.md, "Emulator: CPU per operation").
 */
export function watchEventLoop(deadline: number, everyMs: () => number, onEmpty: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const check = (): void => {
    if (eventLoopEmpty()) onEmpty();
    if (timer !== undefined) schedule();
  };
  const schedule = (): void => {
    timer = Date.now() < deadline + 10_000 ? setTimeout(check, everyMs()).unref() : undefined;
  };
  schedule();
  return () => {
    clearTimeout(timer);
    timer = undefined;
  };
}
