import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import { emulatorCloudWatch } from '../../src/aws/cloudwatch-source.ts';
import { goneLogLines } from '../../src/metrics/cloudwatch/gone-log-lines.ts';

// Posts to gone connections as a deployed stack's functions logged them, read with the real SDK
// client from the emulator's CloudWatch Logs (the same FilterLogEvents an aws: target sends AWS).

const T0 = Date.now() - 60_000;
const run = { startMs: T0, endMs: T0 + 10_000 };
let server: CloudWatchServer;

beforeAll(async () => {
  const logs = new LogStore();
  const line = (fn: string, at: number, message: string) => logs.append(`/aws/lambda/${fn}`, '2026/11/24/[$LATEST]aaaa', { timestamp: at, message });
  // before the run: not this run's
  line('publish', T0 - 5_000, 'ERROR\tGoneException: Gone');
  // the SDK's exception as console.error prints it, botocore's wording, a structured logger's name
  line('publish', T0 + 1_200, '2026-11-24T10:00:01.200Z\treq-1\tERROR\tGoneException: Gone\n    at de_GoneExceptionRes (…)');
  line('publish', T0 + 1_300, 'An error occurred (GoneException) when calling the PostToConnection operation: Gone');
  line('broadcast', T0 + 1_250, '{"level":"WARN","message":"post failed","error":{"name":"GoneException","$metadata":{"httpStatusCode":410}}}');
  // a REPORT line with 410 in it is not a 410
  line('publish', T0 + 1_400, 'REPORT RequestId: req-1\tDuration: 410.00 ms\tBilled Duration: 411 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\t');
  line('quiet', T0 + 1_000, 'REPORT RequestId: req-2\tDuration: 3.00 ms\tBilled Duration: 4 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\t');
  server = await startCloudWatchServer({ store: new MetricStore(), logs, region: 'us-east-1', accountId: '123456789012' });
});

afterAll(async () => {
  await server?.close();
});

describe('posts to gone connections from the functions\' logs', () => {
  it('counts every log event naming GoneException during the run, in every function\'s log group, and when the last was', async () => {
    const view = await goneLogLines(emulatorCloudWatch({ endpoint: server.url }), ['publish', 'broadcast', 'never-invoked'], run);
    expect(view).toMatchObject({ posts: 3, lastPostAt: T0 + 1_300 });
    expect('source' in view && view.source).toMatch(/^the functions' logs: 3 log events naming GoneException in \/aws\/lambda\/publish, \/aws\/lambda\/broadcast, \/aws\/lambda\/never-invoked during the run/);
  });

  it('is not observable, never zero, when no function logged a 410', async () => {
    const view = await goneLogLines(emulatorCloudWatch({ endpoint: server.url }), ['quiet'], run);
    expect(view).toEqual({ unseen: expect.stringMatching(/^not observable: the functions' logs name no GoneException .*leaves no trace$/) });
  });
});
