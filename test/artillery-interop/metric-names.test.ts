import { describe, expect, it } from 'vitest';
import { COUNTERS, HISTOGRAMS, PHASE_PREFIX } from '../../src/artillery-interop/metric-names.ts';

// The engine names its Artillery metrics from this list and the report reads them back by it. In
// Artillery's output they share one namespace with Artillery's own (vusers.*, errors.*, http.*).
describe('metric names', () => {
  it('are unique, and never under Artillery\'s own prefixes', () => {
    const all = [...Object.values(HISTOGRAMS), ...Object.values(COUNTERS)];
    expect(new Set(all).size).toBe(all.length);
    for (const name of [...all, `${PHASE_PREFIX}0`]) expect(name).toMatch(/^fanout\.[a-z0-9_.]+$/);
  });
});
