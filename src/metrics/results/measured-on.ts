import type { Results } from '../../contracts/results-schema.ts';

/**
 * Whether the local emulator measured a run, read back from its results: its target, or where its
 * CloudWatch came from (`--target aws:<stack>` against a local stack's endpoints). Where a figure
 * is this host's and not AWS's, every reader of results (the pages, the plan) asks here.
 */
export function measuredOnEmulator(r: Pick<Results, 'config' | 'cloudwatch'>): boolean {
  return r.config.target.kind === 'local' || r.cloudwatch?.source === 'local';
}
