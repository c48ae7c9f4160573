import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  InvalidParameterException,
  ResourceNotFoundException,
  paginateFilterLogEvents,
} from '@aws-sdk/client-cloudwatch-logs';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import { compileFilterPattern } from '../../emulator/cloudwatch/filter-pattern.ts';

const GROUP = '/aws/lambda/fanout-send-message';
const STREAMS = ['2026/11/21/[$LATEST]aaaa', '2026/11/21/[$LATEST]bbbb'];
const T0 = 1_700_000_000_000;

let logs: LogStore;
let server: CloudWatchServer;
let client: CloudWatchLogsClient;

beforeAll(async () => {
  logs = new LogStore();
  // 60 invocations alternating between two streams, 10 ms apart: START, a line, END, REPORT.
  for (let i = 0; i < 60; i++) {
    const stream = STREAMS[i % 2];
    const ts = T0 + i * 10;
    const id = `req-${i}`;
    logs.append(GROUP, stream, { timestamp: ts, message: `START RequestId: ${id} Version: $LATEST` });
    logs.append(GROUP, stream, { timestamp: ts, message: `2026-11-21T00:00:00.000Z\t${id}\tINFO\tsent ${i % 3 === 0 ? 'ERROR' : 'ok'}` });
    logs.append(GROUP, stream, { timestamp: ts, message: `END RequestId: ${id}` });
    logs.append(GROUP, stream, {
      timestamp: ts,
      message: `REPORT RequestId: ${id}\tDuration: ${i}.50 ms\tBilled Duration: ${i + 1} ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\t${i < 2 ? 'Init Duration: 80.00 ms\t' : ''}`,
    });
  }
  logs.append('/aws/lambda/fanout-connect', STREAMS[0], { timestamp: T0, message: 'hello' });
  server = await startCloudWatchServer({ store: new MetricStore(), logs, region: 'us-east-1', accountId: '123456789012' });
  client = new CloudWatchLogsClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
});

describe('FilterLogEvents over the real SDK client', () => {
  it('finds REPORT lines with a quoted phrase, in order, with stream names', async () => {
    const out = await client.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '"REPORT RequestId"' }));
    expect(out.events).toHaveLength(60);
    expect(out.events![0].message).toMatch(/^REPORT RequestId: req-0\tDuration: 0.50 ms\t.*Init Duration: 80.00 ms\t$/);
    expect(out.events![1].logStreamName).toBe(STREAMS[1]);
    expect(out.events![5].timestamp).toBe(T0 + 50);
    expect(out.nextToken).toBeUndefined();
    const cold = await client.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '"Init Duration"' }));
    expect(cold.events!.map((e) => e.message!.slice(0, 24))).toEqual(['REPORT RequestId: req-0\t', 'REPORT RequestId: req-1\t']);
  });

  it('filters by time range (inclusive), stream and terms', async () => {
    const window = await client.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: 'REPORT', startTime: T0 + 100, endTime: T0 + 190 }),
    );
    expect(window.events!.map((e) => e.timestamp)).toEqual([...Array(10).keys()].map((k) => T0 + 100 + k * 10));
    const oneStream = await client.send(new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNames: [STREAMS[1]], filterPattern: 'END' }));
    expect(oneStream.events).toHaveLength(30);
    expect(oneStream.events!.every((e) => e.logStreamName === STREAMS[1])).toBe(true);
    const errors = await client.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: 'INFO ERROR' }));
    expect(errors.events).toHaveLength(20);
    const either = await client.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '?ERROR ?START' }));
    expect(either.events).toHaveLength(80);
    const byArn = await client.send(
      new FilterLogEventsCommand({ logGroupIdentifier: `arn:aws:logs:us-east-1:123456789012:log-group:${GROUP}:*`, filterPattern: 'INFO -ERROR' }),
    );
    expect(byArn.events).toHaveLength(40);
  });

  it('pages with limit and nextToken', async () => {
    const first = await client.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: 'REPORT', limit: 25 }));
    expect(first.events).toHaveLength(25);
    expect(first.nextToken).toBeTruthy();
    const ids: string[] = [];
    for await (const page of paginateFilterLogEvents({ client, pageSize: 25 }, { logGroupName: GROUP, filterPattern: 'REPORT' })) {
      ids.push(...page.events!.map((e) => e.eventId!));
    }
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
  });

  it('raises ResourceNotFoundException and InvalidParameterException', async () => {
    await expect(client.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '{ $.level = "ERROR" }' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(client.send(new FilterLogEventsCommand({}))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(client.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 0 }))).rejects.toThrow(/limit/);
  });
});

describe('DescribeLogGroups over the real SDK client', () => {
  it('lists groups by prefix with ARNs and stored bytes', async () => {
    const out = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' }));
    expect(out.logGroups!.map((g) => g.logGroupName)).toEqual(['/aws/lambda/fanout-connect', GROUP]);
    expect(out.logGroups![1].arn).toBe(`arn:aws:logs:us-east-1:123456789012:log-group:${GROUP}:*`);
    expect(out.logGroups![1].storedBytes).toBeGreaterThan(0);
    const paged = await client.send(new DescribeLogGroupsCommand({ limit: 1 }));
    expect(paged.logGroups).toHaveLength(1);
    expect(paged.nextToken).toBeTruthy();
  });
});

describe('LogStore', () => {
  it('evicts the oldest events beyond its byte budget', () => {
    const small = new LogStore({ maxBytesPerGroup: 200_000 });
    for (let i = 0; i < 20_000; i++) small.append('g', 's', { timestamp: i, message: `line ${i} ${'x'.repeat(40)}` });
    const page = small.filter({ logGroupName: 'g', limit: 10_000 })!;
    expect(page.events.length).toBeGreaterThan(0);
    expect(page.events[0].timestamp).toBeGreaterThan(0); // the first events are gone
    expect(small.describeGroups()[0].storedBytes).toBeLessThanOrEqual(200_000);
    const last = small.filter({ logGroupName: 'g', startTime: 19_999 })!;
    expect(last.events.map((e) => e.message)).toEqual([`line 19999 ${'x'.repeat(40)}`]);
  });

  it('compiles filter patterns: terms, phrases, alternatives and exclusions', () => {
    expect(compileFilterPattern('')('anything')).toBe(true);
    expect(compileFilterPattern('a b')('b then a')).toBe(true);
    expect(compileFilterPattern('"a b"')('b then a')).toBe(false);
    expect(compileFilterPattern('"say \\"hi\\""')('they say "hi"')).toBe(true);
    expect(compileFilterPattern('?x ?y')('only y')).toBe(true);
    expect(compileFilterPattern('a -b')('a b')).toBe(false);
    expect(compileFilterPattern('Error')('error')).toBe(false); // case-sensitive
    expect(() => compileFilterPattern('[ip, user]')).toThrow(/literal terms/);
    expect(() => compileFilterPattern('"open')).toThrow(/unterminated/);
  });
});
