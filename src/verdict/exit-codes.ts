import { EXIT, EXIT_INTERRUPTED } from '../../common/exit-codes.ts';
import type { Verdict } from '../contracts/verdict-schema.ts';

/**
 * The exit code a verdict yields: 0 pass, 99 a check failed or a threshold was crossed or had no
 * data, 1 the run failed, 130 (143 after SIGTERM) interrupted. The codes themselves are
 * common/exit-codes.ts's, shared with the stack program.
 */
export function exitCodeOf(verdict: Pick<Verdict, 'outcome'>, signal: 'SIGINT' | 'SIGTERM' = 'SIGINT'): number {
  switch (verdict.outcome) {
    case 'pass':
      return EXIT.pass;
    case 'fail':
      return EXIT.thresholdsCrossed;
    case 'run-failed':
      return EXIT.runFailed;
    case 'interrupted':
      return EXIT_INTERRUPTED[signal];
  }
}
