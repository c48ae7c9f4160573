import { describe, expect, it } from 'vitest';
import { parseAnyReport, parsePlatformReport, parseReportLine } from '../../src/metrics/cloudwatch/report-lines.ts';

/** The `platform.report` example of Lambda's Telemetry API schema reference, as the JSON log format writes it. */
const SCHEMA_EXAMPLE = `{
    "time": "2022-10-12T00:01:15.000Z",
    "type": "platform.report",
    "record": {
        "requestId": "6d68ca91-49c9-448d-89b8-7ca3e6dc66aa",
        "metrics": {
            "billedDurationMs": 694,
            "durationMs": 693.92,
            "initDurationMs": 397.68,
            "maxMemoryUsedMB": 84,
            "memorySizeMB": 128
        },
        "tracing": {
            "spanId": "54565fb41ac79632",
            "type": "X-Amzn-Trace-Id",
            "value": "Root=1-62e900b2-710d76f009d6e7785905449a;Parent=0efbd19962d95b05;Sampled=1"
        },
        "status": "success"
    }
}`;

describe('parsePlatformReport', () => {
  it("reads the schema reference's example: a cold start that ended normally", () => {
    expect(parsePlatformReport(SCHEMA_EXAMPLE)).toEqual({
      requestId: '6d68ca91-49c9-448d-89b8-7ca3e6dc66aa',
      durationMs: 693.92,
      billedDurationMs: 694,
      memorySizeMB: 128,
      maxMemoryUsedMB: 84,
      initDurationMs: 397.68,
    });
  });

  it('reads a warm one on one line, keeps a status other than success, and ignores other events', () => {
    const warm = JSON.parse(SCHEMA_EXAMPLE);
    delete warm.record.metrics.initDurationMs;
    warm.record.status = 'timeout';
    warm.record.errorType = 'Sandbox.Timedout';
    expect(parsePlatformReport(JSON.stringify(warm))).toEqual({
      requestId: '6d68ca91-49c9-448d-89b8-7ca3e6dc66aa',
      durationMs: 693.92,
      billedDurationMs: 694,
      memorySizeMB: 128,
      maxMemoryUsedMB: 84,
      status: 'timeout',
      errorType: 'Sandbox.Timedout',
    });
    expect(parsePlatformReport('{"time":"2022-10-12T00:00:15.064Z","type":"platform.start","record":{"requestId":"x","version":"$LATEST"}}')).toBeNull();
    expect(parsePlatformReport('{"type":"platform.report","record":{"requestId":"x","metrics":{}}}')).toBeNull();
    expect(parsePlatformReport('{"message":"platform.report is what I log"}')).toBeNull();
    expect(parsePlatformReport('not json platform.report')).toBeNull();
  });

  it('parseAnyReport reads both log formats alike', () => {
    const text = 'REPORT RequestId: 6d68ca91-49c9-448d-89b8-7ca3e6dc66aa\tDuration: 693.92 ms\tBilled Duration: 694 ms\tMemory Size: 128 MB\tMax Memory Used: 84 MB\tInit Duration: 397.68 ms\t';
    expect(parseAnyReport(text)).toEqual(parseReportLine(text));
    expect(parseAnyReport(SCHEMA_EXAMPLE)).toEqual(parseAnyReport(text));
    expect(parseAnyReport('START RequestId: x Version: $LATEST')).toBeNull();
  });
});
