import { describe, expect, it } from 'vitest';
import { firstCause } from '../../src/diagnosis/first-cause.ts';

const evidence = (line: string, share?: number) => ({ factor: 'lambda-throttles' as const, line, remedy: `move ${line}`, ...(share === undefined ? {} : { share }) });

describe('the first cause of a failed run', () => {
  it('is the evidence line with the largest share of its symptom, across every failed check', () => {
    const v = {
      explanations: [
        { check: 'p95', evidence: [evidence('cold starts', 0.3)] },
        { check: 'delivery', evidence: [evidence('throttles', 0.8), evidence('other', 0.1)] },
      ],
    };
    expect(firstCause(v)).toEqual({ check: 'delivery', line: 'throttles', remedy: 'move throttles' });
  });

  it("is the first check's first line where no line says a share, and none without evidence", () => {
    expect(firstCause({ explanations: [{ check: 'a', evidence: [evidence('first')] }, { check: 'b', evidence: [evidence('second')] }] })?.line).toBe('first');
    expect(firstCause({ explanations: [{ check: 'a', evidence: [], unexplained: 'nothing explains it' }] })).toBeUndefined();
    expect(firstCause({})).toBeUndefined();
  });
});
