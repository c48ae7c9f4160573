import { describe, expect, it } from 'vitest';
import { billedDurationMs, endLine, exitedLines, initFailedLines, initReportLine, reportLine, startLine, timedOutLines, timeoutMessage } from '../../emulator/lambda/environments/report-line.ts';

describe('Lambda platform log lines', () => {
  it('formats REPORT exactly as Lambda does, with Init Duration only when cold', () => {
    const id = '8f5a1b0e-3c1d-4a8e-9b7f-2d6c5e4f3a21';
    expect(reportLine({ requestId: id, durationMs: 12.344, memoryMB: 256, maxMemoryUsedMB: 78 })).toBe(
      `REPORT RequestId: ${id}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 78 MB\t`,
    );
    expect(reportLine({ requestId: id, durationMs: 12.344, memoryMB: 256, maxMemoryUsedMB: 78, initDurationMs: 95.214 })).toBe(
      `REPORT RequestId: ${id}\tDuration: 12.34 ms\tBilled Duration: 108 ms\tMemory Size: 256 MB\tMax Memory Used: 78 MB\tInit Duration: 95.21 ms\t`,
    );
    expect(reportLine({ requestId: id, durationMs: 3000, memoryMB: 128, maxMemoryUsedMB: 60, status: 'timeout' })).toBe(
      `REPORT RequestId: ${id}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tStatus: timeout\t`,
    );
    expect(startLine(id)).toBe(`START RequestId: ${id} Version: $LATEST`);
    expect(endLine(id)).toBe(`END RequestId: ${id}`);
    expect(initReportLine(10_000, 'timeout')).toBe('INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout\t');
    expect(timeoutMessage(3)).toBe('Task timed out after 3.00 seconds');
  });

  it('reports every invocation: a cold one that timed out or crashed with its Init Duration, one whose INIT failed with its error type', () => {
    const id = '8f5a1b0e-3c1d-4a8e-9b7f-2d6c5e4f3a21';
    const fn = { memoryMB: 128, timeoutSeconds: 3 };
    expect(timedOutLines(id, fn, 60, { initDurationMs: 250.5 }, new Date('2026-11-26T10:00:00.000Z'))).toEqual([
      `2026-11-26T10:00:00.000Z ${id} Task timed out after 3.00 seconds`,
      `END RequestId: ${id}`,
      `REPORT RequestId: ${id}\tDuration: 3000.00 ms\tBilled Duration: 3251 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tInit Duration: 250.50 ms\tStatus: timeout\t`,
    ]);
    expect(exitedLines(id, 12, fn, 128)[1]).toBe(
      `REPORT RequestId: ${id}\tDuration: 12.00 ms\tBilled Duration: 12 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.ExitError\t`,
    );
    expect(initFailedLines(id, 11.48, fn, 'Runtime.ImportModuleError')).toEqual([
      `START RequestId: ${id} Version: $LATEST`,
      `END RequestId: ${id}`,
      `REPORT RequestId: ${id}\tDuration: 11.48 ms\tBilled Duration: 12 ms\tMemory Size: 128 MB\tMax Memory Used: 0 MB\tStatus: error\tError Type: Runtime.ImportModuleError\t`,
    ]);
  });

  it('bills ceil(duration), plus INIT on cold starts (since August 2025)', () => {
    expect(billedDurationMs(0.2)).toBe(1);
    expect(billedDurationMs(12)).toBe(12);
    expect(billedDurationMs(12.3, 95.2)).toBe(108);
  });
});
