import { now } from '../clock.ts';

/**
 * Interrupted, a run ends within 10 s of the signal however loaded the host is. The steps after
 * the fleet has closed that can take long are bounded from the moment the signal came: the wait
 * for a local stack's last invocations (the closing clients' $disconnects, queued behind the host
 * cap under load: 10 s and more) ends 4 s after it, which leaves time to read CloudWatch and
 * write the files, and a local stack still stopping 8 s after it is killed (CloudWatch has been
 * read by then; it loses only its last stack.log lines, and on a loaded host its graceful stop
 * alone took 3 s).
 */
export const INTERRUPTED_SETTLE_BY_MS = 4_000;
/** the permissions' judgement (IAM and Access Analyzer calls to a stack still busy) gives up 6 s after it, or is not started */
export const INTERRUPTED_PERMISSIONS_BY_MS = 6_000;
export const INTERRUPTED_KILL_BY_MS = 8_000;

export interface StopBudget {
  /** ms left until `byMs` after the interrupt (never below 0); undefined while not interrupted */
  left(byMs: number): number | undefined;
  dispose(): void;
}

/** Notes when `signal` aborts, for the bounded steps that follow it. */
export function stopBudget(signal: AbortSignal | undefined): StopBudget {
  let abortedAt = signal?.aborted ? now() : undefined;
  const onAbort = () => (abortedAt ??= now());
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    left: (byMs) => (abortedAt === undefined ? undefined : Math.max(0, abortedAt + byMs - now())),
    dispose: () => signal?.removeEventListener('abort', onAbort),
  };
}
