import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNSERVED_CALLS_PATH, unservedCallText, type UnservedRequest } from '../../common/unserved-calls.ts';
import { handleUnservedCalls, UnservedCallRecord } from '../../emulator/gateway/unserved-calls.ts';
import { consoleSummary } from '../../src/report/run/console.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { emulatorUnservedCalls } from '../../src/targets/emulator-unserved-calls.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { quietResults } from '../verdict/quiet-results.ts';

/**
 * A function's call to an AWS service the emulator does not run, from the emulator's record to the
 * run's first cause: the record as the gateway's listener keeps it (an environment's POST, the
 * harness's GET since the run began), results.unservedCalls, the loss's first cause, and the
 * console's top lines, summary.md and the page. (The environment reading and refusing the call is
 * test/emulator/lambda-user-code.test.ts's.)
 */
let server: ReturnType<typeof createServer>;
let endpoint: string;
const record = new UnservedCallRecord();

function post(call: UnservedRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end(JSON.stringify(call));
  });
}

beforeAll(async () => {
  server = createServer((req, res) => handleUnservedCalls(record, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}${UNSERVED_CALLS_PATH}`;
});
afterAll(() => server.close());

describe("the emulator's record of calls to AWS endpoints it does not serve", () => {
  it('counts each kind of call by function, operation and resource; the harness reads those made since the run began', async () => {
    // Kinesis PutRecord as the SDK writes it (JSON 1.1), and S3 GetObject on a virtual-hosted bucket (REST)
    const putRecord = {
      hostname: 'kinesis.us-east-1.amazonaws.com',
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.PutRecord' },
      body: JSON.stringify({ StreamName: 'orders', PartitionKey: 'room-1', Data: 'aGk=' }),
    };
    expect(await post({ function: 'orders-consumer', at: 1_000, request: putRecord })).toBe(204);
    for (const at of [5_000, 5_100, 5_200]) await post({ function: 'orders-consumer', at, request: putRecord });
    await post({ function: 'orders-consumer', at: 1_500, request: { hostname: 'media.s3.us-east-1.amazonaws.com', method: 'GET', path: '/a.png', headers: {}, body: '' } });
    expect(await post({ function: 'x' } as unknown as UnservedRequest)).toBe(400);
    const put = { function: 'orders-consumer', service: 'kinesis', host: 'kinesis.us-east-1.amazonaws.com', operation: 'PutRecord', resource: 'StreamName=orders' };
    expect(await emulatorUnservedCalls(endpoint, { startMs: 4_000 })).toEqual([{ ...put, count: 4, firstAt: 1_000, lastAt: 5_200 }]);
    expect((await emulatorUnservedCalls(endpoint, { startMs: 0 })).map((c) => c.service)).toEqual(['kinesis', 's3']);
  });

  it('reads a path that is not valid percent-encoding as sent, and goes on answering', async () => {
    const raw = { hostname: 'media.s3.us-east-1.amazonaws.com', method: 'PUT', path: '/100%25/50%.png?x-id=PutObject', headers: {}, body: '' };
    expect(await post({ function: 'uploader', at: 90_000, request: raw })).toBe(204);
    expect(await post({ function: 'uploader', at: 90_001, request: { ...raw, path: '//[' } })).toBe(204);
    expect(await emulatorUnservedCalls(endpoint, { startMs: 90_000 })).toEqual([
      expect.objectContaining({ function: 'uploader', service: 's3', operation: 'PUT /100%25/50%.png', resource: 'Bucket=media', count: 1 }),
      expect.objectContaining({ function: 'uploader', service: 's3', operation: 'PUT //[', resource: 'Bucket=media', count: 1 }),
    ]);
  });

  it("counts the calls of kinds first made past its most kinds together, per function and service: none goes uncounted", () => {
    const small = new UnservedCallRecord(2);
    const call = (fn: string, key: string, at: number) => ({ function: fn, service: 's3', host: 'media.s3.us-east-1.amazonaws.com', operation: `GET /${key}`, resource: 'Bucket=media', at });
    small.add(call('reader', 'a', 1));
    small.add(call('reader', 'b', 2));
    for (let i = 0; i < 5; i++) small.add(call('reader', `more-${i}`, 10 + i));
    small.add(call('writer', 'c', 20));
    small.add(call('reader', 'a', 30)); // a kind it holds is still counted as itself
    const { calls } = small.snapshot();
    expect(calls).toEqual([
      { function: 'reader', service: 's3', host: 'media.s3.us-east-1.amazonaws.com', operation: 'GET /more-0', resource: 'Bucket=media', count: 5, firstAt: 10, lastAt: 14, otherKinds: true },
      { function: 'reader', service: 's3', host: 'media.s3.us-east-1.amazonaws.com', operation: 'GET /a', resource: 'Bucket=media', count: 2, firstAt: 1, lastAt: 30 },
      { function: 'reader', service: 's3', host: 'media.s3.us-east-1.amazonaws.com', operation: 'GET /b', resource: 'Bucket=media', count: 1, firstAt: 2, lastAt: 2 },
      { function: 'writer', service: 's3', host: 'media.s3.us-east-1.amazonaws.com', operation: 'GET /c', resource: 'Bucket=media', count: 1, firstAt: 20, lastAt: 20, otherKinds: true },
    ]);
    expect(calls.reduce((n, c) => n + c.count, 0)).toBe(9);
    expect(unservedCallText(calls[0]!)).toBe('reader called S3 (calls of further kinds, the first GET /more-0 on Bucket=media), which this emulator does not run: 5 calls refused (ECONNREFUSED media.s3.us-east-1.amazonaws.com)');
  });

  it("is the loss's first cause, in one line at the top of the console, in summary.md and on the page", async () => {
    const r = quietResults();
    r.deliveries = { ...r.deliveries, lost: 30, expected: r.deliveries.received + 30 };
    r.unservedCalls = await emulatorUnservedCalls(endpoint, { startMs: 4_000 });
    const line = 'orders-consumer called Kinesis Data Streams (PutRecord on StreamName=orders), which this emulator does not run: 4 calls refused (ECONNREFUSED kinesis.us-east-1.amazonaws.com)';
    r.verdict = evaluate(r);
    const lost = r.verdict.explanations!.find((e) => e.check === 'no lost deliveries')!;
    expect(lost.evidence[0]).toMatchObject({ factor: 'not-emulated', share: 1, line: `${line}; what the call was for did not happen here (30 of ${r.deliveries.expected.toLocaleString('en-US')} deliveries lost)` });
    expect(lost.evidence[0]!.remedy).toBe('measure this stack on AWS (--target aws:<stack>), where Kinesis Data Streams answers; locally, orders-consumer gets no answer from it');
    // the console's second line, after the run's own
    expect(consoleSummary(r as Parameters<typeof consoleSummary>[0], 'results.json', 400).split('\n')[1]).toBe(`  not run here ${line}`);
    expect(renderSummaryMarkdown(r as Parameters<typeof renderSummaryMarkdown>[0])).toContain(`> Called AWS services this emulator does not run:\n> - ${line}`);
    expect(renderHtml(r as Parameters<typeof renderHtml>[0])).toContain('<strong>Called AWS services this emulator does not run.</strong><ul><li>orders-consumer called Kinesis Data Streams');
  });

  it("carries no share of a loss where the lost messages' stamps never reached the calling function", async () => {
    const r = quietResults();
    r.deliveries = { ...r.deliveries, lost: 30, expected: r.deliveries.received + 30 };
    r.unservedCalls = await emulatorUnservedCalls(endpoint, { startMs: 4_000 });
    // the lost messages reached the route's function only; orders-consumer is off their path
    r.hopLatency = { hops: [{ hop: 'gateway:send', count: 30, p50Ms: 1, p99Ms: 2, stepMs: 1 }, { hop: 'lambda:chat-send', count: 30, p50Ms: 2, p99Ms: 4, stepMs: 1 }], delivered: { count: r.deliveries.received, p50Ms: null, p99Ms: null, stepMs: null } };
    const off = evaluate(r).explanations!.find((e) => e.check === 'no lost deliveries')!.evidence.find((e) => e.factor === 'not-emulated')!;
    expect(off.line).toMatch(/^orders-consumer called Kinesis Data Streams/);
    expect(off.share).toBeUndefined();
    // on the path, the whole loss
    r.hopLatency.hops.push({ hop: 'lambda:orders-consumer', count: 30, p50Ms: 3, p99Ms: 6, stepMs: 1 });
    expect(evaluate(r).explanations!.find((e) => e.check === 'no lost deliveries')!.evidence[0]).toMatchObject({ factor: 'not-emulated', share: 1 });
  });
  it("is the first cause of the clients' errors where the calling function's failure reaches them (an authorizer), and none where it does not", async () => {
    const r = quietResults();
    r.errors = { 'handshake:401': 12 };
    const kinesis = (await emulatorUnservedCalls(endpoint, { startMs: 4_000 }))[0]!;
    r.unservedCalls = [{ ...kinesis, function: 'chat-authorizer' }];
    const why = () => evaluate(r).explanations!.find((e) => e.check === 'no unexpected errors')!;
    // a function that neither failed nor logged an error, behind no client's request: named, no share
    r.config.target.functions = { source: 'stack', functions: [{ name: 'chat-authorizer', route: 'sendMessage', memoryMB: 128 }] };
    expect(why().evidence.find((e) => e.factor === 'not-emulated')).toMatchObject({ line: expect.stringMatching(/^chat-authorizer called Kinesis Data Streams .*\(the errors the clients met\)$/) });
    expect(why().evidence.find((e) => e.factor === 'not-emulated')!.share).toBeUndefined();
    // the $connect authorizer: each refusal it made is a client's error
    r.config.target.functions = { source: 'stack', functions: [{ name: 'chat-authorizer', route: '$connect', memoryMB: 128, authorizer: true }] };
    expect(why().evidence[0]).toMatchObject({ factor: 'not-emulated', share: 1 });
  });
});
