import { describe, expect, it } from 'vitest';
import * as engine from '../../artillery/engine/metric-names.js';
import * as report from '../../src/artillery/metric-names.ts';

// The engine names its Artillery metrics in plain JavaScript; the report reads them back by the
// TypeScript copy. A name changed on one side only would read as "no data".
describe('metric names', () => {
  it('are the same in the engine and in the report', () => {
    expect({ ...report.HISTOGRAMS }).toEqual({ ...engine.HISTOGRAMS });
    expect({ ...report.COUNTERS }).toEqual({ ...engine.COUNTERS });
    expect(report.PHASE_PREFIX).toBe(engine.PHASE_PREFIX);
  });

  it('are unique, and never under Artillery\'s own prefixes', () => {
    const all = [...Object.values(engine.HISTOGRAMS), ...Object.values(engine.COUNTERS)];
    expect(new Set(all).size).toBe(all.length);
    for (const name of all) expect(name).toMatch(/^fanout\.[a-z0-9_.]+$/);
  });
});
