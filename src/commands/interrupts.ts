import { EXIT_INTERRUPTED } from '../../common/exit-codes.ts';

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/**
 * Ctrl-C and SIGTERM for a command that measures: the first signal aborts `signal` (the command
 * stops, saying what it waits for, and writes what it measured); a second one of either kind
 * quits at once with the shell's 128 + signal number. SIGTERM (`timeout`, a CI job limit, a
 * container stop) ends a run as Ctrl-C does. A local stack is killed by its 'exit' hook; shards
 * leave when their IPC closes.
 */
export interface Interrupts {
  readonly signal: AbortSignal;
  /** the first signal received, if any */
  first(): InterruptSignal | undefined;
  dispose(): void;
}

/**
 * The same signal again within this is one interrupt delivered twice, not a second one: GNU
 * `timeout` signals its child, then its whole process group, and the harness can receive both
 * (it then quit at once, before writing anything). A person pressing Ctrl-C twice is slower.
 */
const REPEAT_WINDOW_MS = 500;

export function catchInterrupts(opts: { tty: boolean; what: string }): Interrupts {
  const controller = new AbortController();
  let first: InterruptSignal | undefined;
  let firstAt = 0;
  const onSignal = (sig: InterruptSignal) => {
    if (first) {
      if (sig === first && performance.now() - firstAt < REPEAT_WINDOW_MS) return;
      process.exit(EXIT_INTERRUPTED[sig]);
    }
    first = sig;
    firstAt = performance.now();
    const again = sig === 'SIGINT' ? 'Ctrl-C again to quit now' : 'a second signal quits now';
    process.stderr.write(`${opts.tty ? '\n' : ''}fanout-bench: interrupting${sig === 'SIGTERM' ? ' (SIGTERM)' : ''}: ${opts.what} (${again})\n`);
    controller.abort(sig);
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  return {
    signal: controller.signal,
    first: () => first,
    dispose: () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    },
  };
}
