import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { ReportLineAccumulator } from '../../src/metrics/cloudwatch/init-durations.ts';
import { initNotInBilledMs, parseReportLine } from '../../src/metrics/cloudwatch/report-lines.ts';

const COLD = 'REPORT RequestId: 3f1a-77\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 78 MB\tInit Duration: 95.21 ms\t';
const WARM = 'REPORT RequestId: 3f1a-78\tDuration: 4.50 ms\tBilled Duration: 5 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t\n';

describe('parseReportLine', () => {
  it('reads every field of a cold REPORT line', () => {
    expect(parseReportLine(COLD)).toEqual({
      requestId: '3f1a-77',
      durationMs: 12.34,
      billedDurationMs: 13,
      memorySizeMB: 256,
      maxMemoryUsedMB: 78,
      initDurationMs: 95.21,
    });
  });

  it('has no init duration on a warm line, and ignores other log lines', () => {
    expect(parseReportLine(WARM)?.initDurationMs).toBeUndefined();
    expect(parseReportLine('START RequestId: x Version: $LATEST')).toBeNull();
    expect(parseReportLine('{"message":"REPORT card"}')).toBeNull();
    expect(parseReportLine('REPORT RequestId: x\tDuration: soon')).toBeNull();
  });

  it('tells whether Billed Duration already includes INIT', () => {
    // managed runtime before Aug 2025: billed ⌈12.34⌉ = 13, INIT outside → ⌈95.21⌉ = 96 ms to add
    expect(initNotInBilledMs(parseReportLine(COLD)!)).toBe(96);
    // billed ⌈12.34 + 95.21⌉ = 108: INIT is already inside
    expect(initNotInBilledMs(parseReportLine(COLD.replace('Billed Duration: 13 ms', 'Billed Duration: 108 ms'))!)).toBe(0);
    expect(initNotInBilledMs(parseReportLine(WARM)!)).toBe(0);
  });
});

describe('ReportLineAccumulator', () => {
  it('folds lines into counts, totals, an init histogram and cold starts per period', () => {
    const acc = new ReportLineAccumulator(1000);
    acc.add(parseReportLine(COLD)!, 10_400);
    acc.add(parseReportLine(COLD.replace('95.21', '120.00'))!, 10_900);
    acc.add(parseReportLine(WARM)!, 11_100);
    acc.add(parseReportLine(COLD.replace('95.21', '80.00'))!, 12_050);
    const s = acc.stats();
    expect(s.invocations).toBe(4);
    expect(s.coldStarts).toBe(3);
    expect(s.billedDurationMsTotal).toBe(13 * 3 + 5);
    expect(s.durationMsTotal).toBeCloseTo(12.34 * 3 + 4.5, 6);
    expect(s.initDurationMsTotal).toBeCloseTo(95.21 + 120 + 80, 6);
    expect(s.initNotInBilledMs).toBe(96 + 120 + 80);
    expect(s.memorySizeMB).toBe(256);
    expect(s.maxMemoryUsedMB).toBe(80);
    expect(s.initDuration?.count).toBe(3);
    expect(s.initDuration?.max).toBeCloseTo(120, 0);
    expect(s.initDuration?.min).toBeCloseTo(80, 0);
    expect(s.coldStartsOverTime).toEqual({ timestamps: [10_000, 12_000], values: [2, 1] });
    const decoded = hdr.decodeFromCompressedBase64(s.initHistogram!);
    expect(decoded.totalCount).toBe(3);
  });

  it('reports no init summary without cold starts', () => {
    const acc = new ReportLineAccumulator(1000);
    acc.add(parseReportLine(WARM)!, 0);
    const s = acc.stats();
    expect(s.initDuration).toBeNull();
    expect(s.initHistogram).toBeUndefined();
    expect(s.duration?.count).toBe(1);
  });
});
