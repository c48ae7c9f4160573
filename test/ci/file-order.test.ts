import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FILE_SECONDS, longestFirst, readFileSeconds } from './longest-first.ts';
import { fileSeconds } from './timing.ts';

describe('the order test files start in', () => {
  it('puts files the record does not know first, then the longest, ties by name', () => {
    const order = longestFirst(['a.test.ts', 'b.test.ts', 'new.test.ts', 'c.test.ts', 'd.test.ts'], (f) => f, { 'a.test.ts': 3, 'b.test.ts': 40, 'c.test.ts': 12, 'd.test.ts': 12 });
    expect(order).toEqual(['new.test.ts', 'b.test.ts', 'c.test.ts', 'd.test.ts', 'a.test.ts']);
  });

  it("makes the record from one lane of a run's timing, longest first", () => {
    const run = {
      steps: [],
      files: [
        { lane: 'full-node20', file: 'x.test.ts', wallS: 2, tests: 1, failed: 0 },
        { lane: 'waiting-node20', file: 'w.test.ts', wallS: 400, tests: 1, failed: 0 },
        { lane: 'full-node20', file: 'y.test.ts', wallS: 9.5, tests: 1, failed: 0 },
      ],
    };
    const record = fileSeconds(run, 'full-node20');
    expect(record).toEqual({ 'y.test.ts': 9.5, 'x.test.ts': 2 });
    expect(Object.keys(record)).toEqual(['y.test.ts', 'x.test.ts']);
  });

  it('the committed record names only test files that exist (a renamed file would start first, unweighed)', () => {
    const files = Object.keys(readFileSeconds(FILE_SECONDS));
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => !existsSync(f))).toEqual([]);
  });
});
