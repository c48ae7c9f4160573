import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/contracts/results-schema.ts';
import { denialEvidence } from '../../src/diagnosis/denial-evidence.ts';
import { limitEvidence } from '../../src/diagnosis/limit-evidence.ts';
import { quietResults } from '../verdict/quiet-results.ts';

/**
 * A function AWS never started in the run's window (0 invocations) is never a cause, whatever its
 * log holds: the issue's `dev-connect: 0 errors in 0 invocations … ×1`. The same log lines from a
 * function that ran are one.
 */
const FN = 'dev-connect';

function withLoggedInit(invocations: number): Results {
  const r = quietResults();
  const cw = r.cloudwatch!;
  cw.lambda[FN] = { ...Object.values(cw.lambda)[0]!, invocations, errors: 0 };
  const error = { kind: 'ResourceNotFoundException', message: 'ResourceNotFoundException: Requested resource not found', phase: 'init' as const, firstFrame: null, firstAt: Date.parse(r.startedAt), count: 1 };
  cw.functionErrors = { [FN]: [error] };
  cw.loggedErrors = { [FN]: [{ ...error, phase: 'invoke', logged: true }] };
  r.errors = { 'handshake:500': 3 };
  r.deliveries = { ...r.deliveries, lost: 3, expected: r.deliveries.received + 3 };
  return r;
}

describe('a function with no invocation in the window is never a cause', () => {
  it('neither its errors nor what it logged are named, for errors or for a loss', () => {
    const r = withLoggedInit(0);
    const symptoms = new Set(['errors', 'loss'] as const);
    expect(limitEvidence(r, symptoms).filter((e) => e.line.includes(FN))).toEqual([]);
    expect(denialEvidence(r, symptoms).filter((e) => e.line.includes(FN))).toEqual([]);
  });

  it('the same lines from a function that ran are named', () => {
    const r = withLoggedInit(5);
    const symptoms = new Set(['errors', 'loss'] as const);
    expect(limitEvidence(r, symptoms).find((e) => e.line.startsWith(`${FN}: `))?.line).toMatch(/^dev-connect: 0 errors in 5 invocations: /);
    expect(denialEvidence(r, symptoms).find((e) => e.line.includes(FN))?.line).toMatch(/^dev-connect logged 1 error and went on/);
  });
});
