import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { ReportLineAccumulator } from '../../src/metrics/cloudwatch/init-durations.ts';
import { coldOnRequestPath, initNotInBilledMs, parsePlatformReport, parseReportLine } from '../../src/metrics/cloudwatch/report-lines.ts';

const COLD = 'REPORT RequestId: 3f1a-77\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 78 MB\tInit Duration: 95.21 ms\t';
const WARM = 'REPORT RequestId: 3f1a-78\tDuration: 4.50 ms\tBilled Duration: 5 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t\n';
// a SnapStart environment's first invocation, as AWS's "Monitoring for Lambda SnapStart" lists its fields: no Init Duration (INIT ran at publish)
const RESTORED = 'REPORT RequestId: 3f1a-79\tDuration: 8.00 ms\tBilled Duration: 8 ms\tMemory Size: 512 MB\tMax Memory Used: 90 MB\tRestore Duration: 210.50 ms\tBilled Restore Duration: 74 ms\t';

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

  it('reads a SnapStart restore: its Restore Duration and the part of it billed, a cold start on the request path with no INIT', () => {
    const line = parseReportLine(RESTORED)!;
    expect(line).toMatchObject({ requestId: '3f1a-79', durationMs: 8, restoreDurationMs: 210.5, billedRestoreDurationMs: 74 });
    expect(line.initDurationMs).toBeUndefined();
    expect([coldOnRequestPath(line), coldOnRequestPath(parseReportLine(COLD)!), coldOnRequestPath(parseReportLine(WARM)!)]).toEqual([true, true, false]);
    expect(initNotInBilledMs(line)).toBe(0);
    const json = JSON.stringify({
      time: '2026-11-30T12:00:00.000Z',
      type: 'platform.report',
      record: { requestId: 'r1', metrics: { durationMs: 8, billedDurationMs: 8, memorySizeMB: 512, maxMemoryUsedMB: 90, restoreDurationMs: 210.5, billedRestoreDurationMs: 74 }, status: 'success' },
    });
    expect(parsePlatformReport(json)).toMatchObject({ restoreDurationMs: 210.5, billedRestoreDurationMs: 74 });
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

  it('counts restores apart from INITs, with their durations, and both as cold starts over time', () => {
    const acc = new ReportLineAccumulator(1000);
    acc.add(parseReportLine(RESTORED)!, 10_100);
    acc.add(parseReportLine(RESTORED.replace('210.50', '190.50').replace('74 ms', '70 ms'))!, 10_200);
    acc.add(parseReportLine(COLD)!, 11_500);
    acc.add(parseReportLine(WARM)!, 11_600);
    const s = acc.stats();
    expect([s.coldStarts, s.restores, s.restoreDurationMsTotal, s.billedRestoreDurationMsTotal]).toEqual([1, 2, 401, 144]);
    expect(s.restoreDuration?.count).toBe(2);
    expect(s.initDuration?.count).toBe(1);
    expect(s.coldStartsOverTime).toEqual({ timestamps: [10_000, 11_000], values: [2, 1] });
    // a log without restores says nothing of them
    const plain = new ReportLineAccumulator(1000);
    plain.add(parseReportLine(COLD)!, 0);
    expect(plain.stats().restores).toBeUndefined();
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
