/**
 * Lambda's freeze. When a handler returns (and after INIT), Lambda freezes the execution
 * environment until the next invocation: work the handler did not await (a PostToConnection, a
 * timer, a write) does not run meanwhile, and never runs if the environment is reaped. An idle
 * worker would instead let it finish, hiding the classic bug that loses broadcasts on AWS.
 *
 * So a worker blocks its whole thread (Atomics.wait on a SharedArrayBuffer: no event loop turn,
 * no CPU) right after posting its answer, until the runtime thaws it:
 * - the runtime posts the next invocation, then `thaw()`: the worker wakes, its event loop runs
 *   again, and the message is delivered. What was due meanwhile (timers, I/O completions) runs
 *   too, as after a thaw on Lambda, where pending timers fire once the environment runs again;
 * - `exit()` (retire, reap, close): the worker wakes and exits at once, running none of it.
 *
 * Counters, not flags, so a thaw that comes before the worker has frozen is not lost: the worker
 * consumes one thaw per freeze and blocks only while none is pending.
 */
const THAWS = 0;
const EXIT = 1;

export function createFreezeCell(): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
}

/** The runtime's side. */
export class FreezeControl {
  private readonly cell: Int32Array;
  constructor(readonly buffer: SharedArrayBuffer = createFreezeCell()) {
    this.cell = new Int32Array(buffer);
  }

  /** Let a frozen (or about to freeze) worker run one more time. */
  thaw(): void {
    Atomics.add(this.cell, THAWS, 1);
    Atomics.notify(this.cell, THAWS);
  }

  /** The worker exits at its next freeze, or now if frozen; nothing it left pending runs. */
  exit(): void {
    Atomics.store(this.cell, EXIT, 1);
    this.thaw();
  }
}

/** The worker's side: block until thawed (or exit when told to). */
export class Freezer {
  private readonly cell: Int32Array;
  private consumed = 0;
  constructor(buffer: SharedArrayBuffer, private readonly onExit: () => never) {
    this.cell = new Int32Array(buffer);
  }

  freeze(): void {
    for (;;) {
      if (Atomics.load(this.cell, EXIT) !== 0) this.onExit();
      const thaws = Atomics.load(this.cell, THAWS);
      if (thaws !== this.consumed) {
        this.consumed++;
        return;
      }
      Atomics.wait(this.cell, THAWS, thaws);
    }
  }
}
