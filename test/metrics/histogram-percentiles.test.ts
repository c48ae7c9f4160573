import { describe, expect, it } from 'vitest';
import { newHistogram, valuesAtPercentiles } from '../../src/metrics/measurement/histogram.ts';

describe('valuesAtPercentiles', () => {
  // The library's own getValueAtPercentile is the reference: one walk must answer exactly as it does.
  const shapes: Record<string, number[]> = {
    'one value': [42_000],
    'a spread with a far tail': [...Array.from({ length: 990 }, (_, i) => 1_000 + i * 37), ...Array.from({ length: 10 }, (_, i) => 2_000_000 + i * 91_000)],
    'repeated values': Array.from({ length: 5_000 }, (_, i) => [120, 5_000, 5_000, 90_000][i % 4]!),
    'microseconds to an hour': Array.from({ length: 301 }, (_, i) => Math.round(1.1 ** i)).filter((v) => v <= 3_600_000_000),
  };
  const percentiles = [0, 1, 10, 50, 90, 99, 99.5, 99.9, 99.99, 99.999, 100];

  for (const [name, values] of Object.entries(shapes)) {
    it(`${name}: as getValueAtPercentile at every percentile`, () => {
      const h = newHistogram();
      for (const v of values) h.recordValue(v);
      try {
        expect(valuesAtPercentiles(h, percentiles)).toEqual(percentiles.map((p) => h.getValueAtPercentile(p)));
      } finally {
        h.destroy();
      }
    });
  }
});
