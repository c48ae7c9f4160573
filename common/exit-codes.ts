/**
 * Every exit code of the CLI and the stack program, in one place. 99 for thresholds crossed is
 * k6's code, so CI set up for k6 reads fanout-bench the same way; 130 and 143 are the shell's
 * 128 + signal number, as if the signal had ended the process.
 */
export const EXIT = {
  /** the run completed and every check and threshold passed */
  pass: 0,
  /** the run failed (the target stopped answering, the stack died): what was measured is kept */
  runFailed: 1,
  /** bad input: a flag, a scenario file or threshold, a path, an unreachable target */
  badInput: 2,
  /** the run completed, but a built-in check failed or a threshold was crossed or had no data */
  thresholdsCrossed: 99,
  /** interrupted by Ctrl-C (SIGINT) */
  interrupted: 130,
  /** interrupted by SIGTERM (`timeout`, a CI job's time limit, `docker stop`) */
  terminated: 143,
} as const;

/** The exit code of a run a signal interrupted. */
export const EXIT_INTERRUPTED: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated };
