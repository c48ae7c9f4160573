import { CloudWatchServiceException } from '@aws-sdk/client-cloudwatch';
import { REFERENCE_EMF, REFERENCE_FUNCTION_NAMES } from '../../src/contracts/reference-functions.ts';
import { REFERENCE_TABLES } from '../../src/contracts/reference-tables.ts';
import { CloudWatchLogsServiceException, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCloudWatchClients } from '../../src/metrics/cloudwatch/cloudwatch-clients.ts';
import { pullCloudWatch } from '../../src/metrics/cloudwatch/cloudwatch-puller.ts';
import { CloudWatchResults } from '../../src/contracts/cloudwatch-schema.ts';
import { estimateCost } from '../../src/metrics/cost/cost-model.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { buildResults } from '../report/fixtures.ts';
import { judged } from '../../src/verdict/judged.ts';
import { awsCloudWatch, emulatorCloudWatch } from '../../src/aws/cloudwatch-source.ts';

// When CloudWatch cannot be pulled, the run still gets its report, with a note saying what was
// not pulled and why (error class + message) — never a crash, never a credential in the output.

const run = { startMs: Date.now() - 120_000, endMs: Date.now() - 60_000 };

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function withPull(cloudwatch: CloudWatchResults): Results {
  const results = buildResults({ cloudwatch: false });
  results.cloudwatch = cloudwatch;
  results.cost = estimateCost(results);
  return Results.parse(results);
}

describe('an unreachable CloudWatch endpoint (real socket, nothing listening)', () => {
  it('gives an "unavailable" pull naming the error, and a report that says so', async () => {
    const port = await closedPort();
    const started = Date.now();
    const cw = await pullCloudWatch({ target: emulatorCloudWatch({ endpoint: `http://127.0.0.1:${port}` }), run });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(CloudWatchResults.parse(cw)).toEqual(cw);
    expect(cw.status).toBe('unavailable');
    expect(cw.problems[0].errorName).toBe('ECONNREFUSED');
    expect(cw.problems[0].message).toContain(`127.0.0.1:${port}`);
    // the first refused connection stops the pull: no dozen identical failures
    expect(cw.problems).toHaveLength(1);
    expect(cw.notes.join(' ')).toMatch(/unreachable/);

    const results = withPull(cw);
    expect(results.cost?.sources.lambda).toBe('assumption');
    const html = renderHtml(judged(results));
    expect(html).toContain('CloudWatch could not be pulled.');
    expect(html).toContain('ECONNREFUSED');
    expect(renderSummaryMarkdown(judged(results))).toContain('ECONNREFUSED');
  });
});

describe('AWS without credentials', () => {
  const saved = { ...process.env };
  let server: Server | undefined;
  afterEach(async () => {
    process.env = { ...saved };
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('stops at the credential chain: no request is sent, the report notes CredentialsProviderError', async () => {
    // Every endpoint the SDK could use points at a local server that counts requests; the
    // metadata service and profile files are switched off so the chain ends without network.
    let requests = 0;
    server = createServer((_req, res) => {
      requests++;
      res.statusCode = 500;
      res.end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    process.env.AWS_CONFIG_FILE = '/nonexistent/fanout-bench-config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/fanout-bench-credentials';

    const cw = await pullCloudWatch({ target: awsCloudWatch({ region: 'us-east-1' }), run });
    expect(cw.status).toBe('unavailable');
    expect(cw.problems).toHaveLength(1);
    expect(cw.problems[0].errorName).toBe('CredentialsProviderError');
    expect(requests).toBe(0);
    expect(renderHtml(judged(withPull(cw)))).toContain('CredentialsProviderError');
  });
});

describe('AWS denying CloudWatch metrics (IAM)', () => {
  // aws-sdk-client-mock here, and only here: no local endpoint can serve an IAM denial, since
  // the emulator checks no credentials and grants everything.
  const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('keeps what Logs allowed, notes AccessDenied, and never prints the credentials', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = SECRET;
    const clients = createCloudWatchClients(awsCloudWatch({ region: 'us-east-1' }));
    const cwMock = mockClient(clients.cloudwatch);
    const logsMock = mockClient(clients.logs);
    try {
      cwMock.onAnyCommand().rejects(
        new CloudWatchServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
          message:
            'User: arn:aws:iam::123456789012:user/bench (key AKIAIOSFODNN7EXAMPLE) is not authorized to perform: cloudwatch:GetMetricData because no identity-based policy allows the cloudwatch:GetMetricData action',
        }),
      );
      // the generic answer first: aws-sdk-client-mock lets a later, more specific one win
      logsMock.on(FilterLogEventsCommand).rejects(
        new CloudWatchLogsServiceException({ name: 'ResourceNotFoundException', $fault: 'client', $metadata: {}, message: 'The specified log group does not exist.' }),
      );
      logsMock.on(FilterLogEventsCommand, { logGroupName: '/aws/lambda/fanout-send-message' }).resolves({
        events: [
          { timestamp: run.startMs + 1000, message: 'REPORT RequestId: a\tDuration: 40.00 ms\tBilled Duration: 40 ms\tMemory Size: 1024 MB\tMax Memory Used: 90 MB\tInit Duration: 150.00 ms\t' },
          { timestamp: run.startMs + 2000, message: 'REPORT RequestId: b\tDuration: 20.00 ms\tBilled Duration: 20 ms\tMemory Size: 1024 MB\tMax Memory Used: 91 MB\t' },
        ],
      });

      const cw = await pullCloudWatch({ target: awsCloudWatch({ region: 'us-east-1' }), run, clients, functions: REFERENCE_FUNCTION_NAMES, tables: REFERENCE_TABLES, emf: [REFERENCE_EMF] });
      expect(cw.status).toBe('partial');
      // the wait for publication asks GetMetricData too: denied, it ends at once
      expect(cw.problems.map((p) => p.step)).toEqual(['ListMetrics AWS/ApiGateway', 'wait for CloudWatch to publish the run', 'ListMetrics FanoutBench', 'ListMetrics AWS/DynamoDB', 'GetMetricData']);
      expect(cw.problems.every((p) => p.errorName === 'AccessDenied')).toBe(true);
      expect(cw.problems[4].message).toContain('not authorized to perform: cloudwatch:GetMetricData');
      expect(cw.lambda).toEqual({});
      // a function never invoked has no log group: zero lines, not a problem
      expect(Object.keys(cw.reports)).toEqual(['fanout-send-message']);
      expect(cw.reports['fanout-send-message']).toMatchObject({ invocations: 2, coldStarts: 1, billedDurationMsTotal: 60, initNotInBilledMs: 150 });

      const results = withPull(cw);
      expect(results.cost?.lines.find((l) => l.item.startsWith('fanout-send-message compute'))?.source).toBe('report-lines');
      const html = renderHtml(judged(results));
      expect(html).toContain('Some CloudWatch data could not be pulled.');
      const everything = JSON.stringify(results) + html + renderSummaryMarkdown(judged(results));
      expect(everything).not.toContain(SECRET);
      expect(everything).not.toContain('AKIAIOSFODNN7EXAMPLE');
    } finally {
      cwMock.restore();
      logsMock.restore();
      clients.cloudwatch.destroy();
      clients.logs.destroy();
    }
  });
});
