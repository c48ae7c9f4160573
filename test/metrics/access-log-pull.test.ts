import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import { LOCAL_HOST_WAIT_LOG_GROUP } from '../../common/local-host-metrics.ts';
import { clientUserAgent } from '../../src/contracts/client-user-agent.ts';
import { accessLogFormat, HARNESS_ACCESS_LOG_FORMAT, type AccessLine } from '../../src/metrics/attribution/access-log-format.ts';
import { pullAccessLog, runLines } from '../../src/metrics/cloudwatch/access-log-pull.ts';
import { pullHostWaits } from '../../src/metrics/cloudwatch/host-wait-pull.ts';
import { pullReportLines } from '../../src/metrics/cloudwatch/init-durations.ts';
import type { ReportLine } from '../../src/metrics/cloudwatch/report-lines.ts';

// The access log, the host's waits and the REPORT hook read through the real CloudWatch Logs
// client from the emulator's CloudWatch Logs (FilterLogEvents, the same call AWS answers); the
// lines are put in the store as the gateway, the runtime and the host meter put theirs.

const RUN = 'run-access-1';
const GROUP = '/fanout-bench/access-logs/abc123/local';
const format = accessLogFormat(HARNESS_ACCESS_LOG_FORMAT);

let store: LogStore;
let server: CloudWatchServer;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  store = new LogStore();
  server = await startCloudWatchServer({ store: new MetricStore(), logs: store });
  logs = new CloudWatchLogsClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  logs?.destroy();
  await server?.close();
});

/** A line in the harness's own format, as the gateway renders it (`-` for a value it lacks). */
function line(o: { connectionId: string; eventType: string; routeKey: string; at: number; userAgent?: string; invocation?: string }): string {
  return JSON.stringify({
    requestId: `req-${Math.random().toString(36).slice(2)}`,
    messageId: '-',
    connectionId: o.connectionId,
    eventType: o.eventType,
    routeKey: o.routeKey,
    requestTimeEpoch: String(o.at),
    status: '200',
    integrationRequestId: o.invocation ?? '-',
    integrationLatency: '5',
    userAgent: o.userAgent ?? '-',
  });
}

function put(group: string, message: string, at = Date.now()): void {
  store.append(group, 'stream-1', { timestamp: at, message });
}

/** Client c's connection: its CONNECT line and `frames` MESSAGE lines. */
function client(group: string, runId: string, c: number, frames: number, at: number): void {
  const connectionId = `${runId}-conn-${c}=`;
  put(group, line({ connectionId, eventType: 'CONNECT', routeKey: '$connect', at, userAgent: clientUserAgent(runId, c, 0), invocation: `inv-${runId}-${c}-0` }), at);
  for (let f = 1; f <= frames; f++) put(group, line({ connectionId, eventType: 'MESSAGE', routeKey: 'sendMessage', at: at + f, invocation: `inv-${runId}-${c}-${f}` }), at + f);
}

const QUICK = { maxMs: 10_000, stableMs: 600, pollMs: 100 };

describe('pullAccessLog', { timeout: 30_000 }, () => {
  it("reads every line of the window in the stage's format, counts the run's own, and stops once they cover what was owed and stay", async () => {
    const group = `${GROUP}/a`;
    const start = Date.now();
    client(group, RUN, 0, 2, start);
    client(group, RUN, 1, 3, start + 10);
    client(group, 'another-run', 0, 4, start + 20);
    put(group, 'not a line of this format', start + 30);
    const pulled = await pullAccessLog<AccessLine>(logs, {
      logGroupName: group,
      window: { startMs: start - 1000, endMs: start + 1000 },
      parse: (m) => format.parse(m),
      ours: (lines) => runLines(lines, RUN),
      expected: { connects: 2, messages: 5 },
      wait: QUICK,
    });
    expect(pulled).toMatchObject({ done: true, missing: false, truncated: false, unparsed: 1, seen: { connects: 2, messages: 5 } });
    expect(pulled.note).toBeUndefined();
    // every parsed line is handed on (the join keeps the run's)
    expect(pulled.lines).toHaveLength(2 + 5 + 5);
    expect(pulled.lines.find((l) => l.eventType === 'CONNECT' && l.userAgent === clientUserAgent(RUN, 1, 0))).toMatchObject({ routeKey: '$connect', integrationRequestId: `inv-${RUN}-1-0` });
  });

  it('waits for lines that arrive late, saying how many it has', async () => {
    const group = `${GROUP}/b`;
    const start = Date.now();
    client(group, RUN, 0, 1, start);
    const later = setTimeout(() => client(group, RUN, 1, 2, start + 5), 700);
    const said: string[] = [];
    const pulled = await pullAccessLog<AccessLine>(logs, {
      logGroupName: group,
      window: { startMs: start - 1000, endMs: start + 1000 },
      parse: (m) => format.parse(m),
      ours: (lines) => runLines(lines, RUN),
      expected: { connects: 2, messages: 3 },
      wait: { maxMs: 10_000, stableMs: 3_000, pollMs: 100 },
      onStatus: (l) => said.push(l),
    });
    clearTimeout(later);
    expect(pulled).toMatchObject({ done: true, seen: { connects: 2, messages: 3 } });
    expect(pulled.waitedMs).toBeGreaterThanOrEqual(600);
    expect(said[0]).toMatch(/^waiting for the access log: 2 of 5 lines of the run, \d+ s \(at most 10 s\)$/);
  });

  it('gives up once nothing more arrives, naming what is missing', async () => {
    const group = `${GROUP}/c`;
    const start = Date.now();
    client(group, RUN, 0, 1, start);
    const pulled = await pullAccessLog<AccessLine>(logs, {
      logGroupName: group,
      window: { startMs: start - 1000, endMs: start + 1000 },
      parse: (m) => format.parse(m),
      ours: (lines) => runLines(lines, RUN),
      expected: { connects: 3, messages: 1 },
      wait: QUICK,
    });
    expect(pulled).toMatchObject({ done: false, seen: { connects: 1, messages: 1 } });
    expect(pulled.note).toMatch(new RegExp(`^the access log ${GROUP}/c lacked 2 of 3 CONNECT lines of the run after \\d+ s \\(--metrics-wait\\): their requests are unattributed$`));
  });

  it('a group never written to: nothing logged, said so', async () => {
    const pulled = await pullAccessLog<AccessLine>(logs, {
      logGroupName: `${GROUP}/never`,
      window: { startMs: Date.now() - 1000, endMs: Date.now() },
      parse: (m) => format.parse(m),
      ours: (lines) => runLines(lines, RUN),
      expected: { connects: 1, messages: 0 },
      wait: QUICK,
    });
    expect(pulled).toMatchObject({ done: false, missing: true, lines: [] });
    expect(pulled.note).toMatch(/did not exist after \d+ s: the stage logged none of the run's requests$/);
  });

  it("runLines: a MESSAGE line counts only on a connection whose CONNECT line names the run", () => {
    const ua = clientUserAgent(RUN, 4, 1);
    expect(
      runLines(
        [
          { connectionId: 'a', eventType: 'MESSAGE' },
          { connectionId: 'a', eventType: 'CONNECT', userAgent: ua },
          { connectionId: 'b', eventType: 'CONNECT', userAgent: clientUserAgent('other', 4, 1) },
          { connectionId: 'b', eventType: 'MESSAGE' },
          { connectionId: 'a', eventType: 'DISCONNECT' },
        ],
        RUN,
      ),
    ).toEqual({ connects: 1, messages: 1 });
  });
});

describe('pullHostWaits', () => {
  it("hands on each of the emulator's host-wait lines, skipping what is not one", async () => {
    const now = Date.now();
    put(LOCAL_HOST_WAIT_LOG_GROUP, JSON.stringify({ requestId: 'inv-1', functionName: 'fanout-connect', hostWaitMs: 782.4 }), now);
    put(LOCAL_HOST_WAIT_LOG_GROUP, JSON.stringify({ requestId: 'inv-2', functionName: 'fanout-connect', hostWaitMs: 12 }), now + 1);
    put(LOCAL_HOST_WAIT_LOG_GROUP, 'garbage', now + 2);
    const seen: Array<[string, number]> = [];
    const read = await pullHostWaits(logs, { startMs: now - 1000, endMs: now + 1000 }, (l) => seen.push([l.requestId, l.hostWaitMs]));
    expect(read).toEqual({ lines: 2, unreadable: 1, truncated: false });
    expect(seen).toEqual([
      ['inv-1', 782.4],
      ['inv-2', 12],
    ]);
  });
});

describe("the REPORT pull's hook", () => {
  it('hands on every report as it is read, text and JSON log format alike, from the same pages', async () => {
    const fn = 'fanout-json-fn';
    const group = `/aws/lambda/${fn}`;
    const now = Date.now();
    put(group, 'START RequestId: inv-a Version: $LATEST', now);
    put(group, 'REPORT RequestId: inv-a\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\tInit Duration: 250.10 ms\t', now + 1);
    put(
      group,
      JSON.stringify({ time: new Date(now + 2).toISOString(), type: 'platform.report', record: { requestId: 'inv-b', metrics: { durationMs: 3.2, billedDurationMs: 4, memorySizeMB: 256, maxMemoryUsedMB: 71 }, status: 'success' } }),
      now + 2,
    );
    const reports: ReportLine[] = [];
    const log = await pullReportLines(logs, fn, { startMs: now - 1000, endMs: now + 1000, periodSec: 1 }, undefined, (l) => reports.push(l));
    expect(reports.map((r) => [r.requestId, r.initDurationMs])).toEqual([
      ['inv-a', 250.1],
      ['inv-b', undefined],
    ]);
    expect(log?.reports).toMatchObject({ invocations: 2, coldStarts: 1 });
  });
});
