import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FILE_SECONDS, fileOrder, readFileSeconds, type FileRecord } from './file-order.ts';
import { fileSeconds } from './timing.ts';

const THREE_ON_TWO = { workers: 3, cores: 2 };

describe('the order test files start in', () => {
  it('puts files the record does not know first, by name, then the longest, ties by name', () => {
    const record: FileRecord = { 'a.test.ts': { wallS: 3 }, 'b.test.ts': { wallS: 40 }, 'c.test.ts': { wallS: 12 }, 'd.test.ts': { wallS: 12 } };
    const order = fileOrder(['a.test.ts', 'b.test.ts', 'zz-new.test.ts', 'c.test.ts', 'new.test.ts', 'd.test.ts'], (f) => f, record, THREE_ON_TWO);
    expect(order).toEqual(['new.test.ts', 'zz-new.test.ts', 'b.test.ts', 'c.test.ts', 'd.test.ts', 'a.test.ts']);
  });

  it('starts no second file that mostly waits while the cores have room for one that works', () => {
    // three long searches at a third of a core each, and files that keep a core busy
    const record: FileRecord = {
      'search-1.test.ts': { wallS: 110, cpuS: 33 },
      'search-2.test.ts': { wallS: 105, cpuS: 30 },
      'search-3.test.ts': { wallS: 100, cpuS: 30 },
      'pack.test.ts': { wallS: 60, cpuS: 55 },
      'synth.test.ts': { wallS: 45, cpuS: 43 },
      'run.test.ts': { wallS: 40, cpuS: 30 },
      'unit.test.ts': { wallS: 5, cpuS: 5 },
    };
    const order = fileOrder(Object.keys(record), (f) => f, record, THREE_ON_TWO);
    // the two longest working files leave 0.13 of a core idle: the longest waiting one joins them;
    // synth ends (45 s): 0.78 idle, room for run; pack ends (60 s): unit; then nothing works but
    // the searches, one after another as each slot frees
    expect(order).toEqual(['pack.test.ts', 'synth.test.ts', 'search-1.test.ts', 'run.test.ts', 'unit.test.ts', 'search-2.test.ts', 'search-3.test.ts']);
    // plain longest first would start the three searches together
    const longestFirst = fileOrder(Object.keys(record), (f) => f, record, { workers: 3, cores: 99 });
    expect(longestFirst.slice(0, 3)).toEqual(['pack.test.ts', 'synth.test.ts', 'run.test.ts']);
    const noCpu = fileOrder(Object.keys(record), (f) => f, Object.fromEntries(Object.entries(record).map(([f, c]) => [f, { wallS: c.wallS }])), THREE_ON_TWO);
    expect(noCpu.slice(0, 3)).toEqual(['search-1.test.ts', 'search-2.test.ts', 'search-3.test.ts']);
  });

  it("makes the record from one lane of a run's timing, longest first, with each file's CPU", () => {
    const run = {
      steps: [],
      files: [
        { lane: 'full-node20', file: 'x.test.ts', wallS: 2, cpuS: 1.5, tests: 1, failed: 0 },
        { lane: 'waiting-node20', file: 'w.test.ts', wallS: 400, cpuS: 4, tests: 1, failed: 0 },
        { lane: 'full-node20', file: 'y.test.ts', wallS: 9.5, tests: 1, failed: 0 },
      ],
    };
    const record = fileSeconds(run, 'full-node20');
    expect(record).toEqual({ 'y.test.ts': { wallS: 9.5 }, 'x.test.ts': { wallS: 2, cpuS: 1.5 } });
    expect(Object.keys(record)).toEqual(['y.test.ts', 'x.test.ts']);
  });

  it('the committed record names only test files that exist (a renamed file would start first, unweighed), each with its CPU', () => {
    const record = readFileSeconds(FILE_SECONDS);
    const files = Object.keys(record);
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => !existsSync(f))).toEqual([]);
    expect(files.filter((f) => record[f]!.cpuS === undefined)).toEqual([]);
  });
});
