import { describe, expect, it } from 'vitest';
import { EnvironmentKinds } from '../../src/metrics/cloudwatch/environment-kinds.ts';
import type { ReportLine } from '../../src/metrics/cloudwatch/report-lines.ts';

/** How a REPORT line's environment was initialized, from the line and its stream's first REPORT. */
const report = (extra: Partial<ReportLine> = {}): ReportLine => ({ requestId: 'r', durationMs: 2, billedDurationMs: 2, memorySizeMB: 128, maxMemoryUsedMB: 60, ...extra });
const stream = (version: string, id: string) => `2026/11/30/[${version}]${id.padStart(32, '0')}`;

describe('EnvironmentKinds', () => {
  it('calls a provisioned version\'s stream that never paid an INIT provisioned, and its spillover on demand', () => {
    const kinds = new EnvironmentKinds(new Map([['chat', new Set(['1'])]]));
    // a provisioned environment: its first REPORT in the window has no Init Duration
    expect(kinds.of('chat', report(), stream('1', 'a'))).toBe('provisioned-concurrency');
    expect(kinds.of('chat', report(), stream('1', 'a'))).toBe('provisioned-concurrency');
    // a spillover environment of the same version: INIT on its first request's path, then warm
    expect(kinds.of('chat', report({ initDurationMs: 180 }), stream('1', 'b'))).toBe('on-demand');
    expect(kinds.of('chat', report(), stream('1', 'b'))).toBe('on-demand');
    // $LATEST and a version without provisioned concurrency: on demand, warm from before or not
    expect(kinds.of('chat', report(), stream('$LATEST', 'c'))).toBe('on-demand');
    expect(kinds.of('chat', report(), stream('2', 'd'))).toBe('on-demand');
    expect(kinds.of('other', report(), stream('1', 'a'))).toBe('on-demand');
  });

  it('calls a SnapStart environment snap-start from its restore on, and a line without a stream by the line alone', () => {
    const kinds = new EnvironmentKinds(new Map());
    expect(kinds.of('py', report({ restoreDurationMs: 120 }), stream('3', 'e'))).toBe('snap-start');
    expect(kinds.of('py', report(), stream('3', 'e'))).toBe('snap-start');
    expect(kinds.of('py', report({ restoreDurationMs: 120 }), undefined)).toBe('snap-start');
    expect(kinds.of('py', report(), undefined)).toBe('on-demand');
  });
});
