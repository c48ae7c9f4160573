import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../common/exit-codes.ts';
import type { StackReady } from '../../common/stack-ready.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { stackForAws, stopAwsTimedStacks } from './aws-timed-stack.ts';
import { runCli, type CliResult } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';

/**
 * Broadcasts that start on the server (issue 61): a publish phase publishes through the stack's
 * own AWS API from the harness, at its rate from intended times, and every recipient's delivery
 * is matched to its publish by the probe: against test/fixtures/stacks/sns-fanout, SNS Publish to
 * its Alerts topic (named by logical id), whose subscription invokes the fan-out function that
 * posts the message to every connection; against test/fixtures/stacks/eventbridge-push (P60-fixtures'),
 * as a deployed stack (`--target aws:eventbridge-push` against `stack up --template`, reached only
 * through AWS_ENDPOINT_URL as a user's shell has it after the export block, the credentials the
 * SDK's standard chain finds, the permission asked of the emulator's STS and IAM), PutEvents on its
 * own bus (named by its physical name), whose rule invokes the push function, then an HTTP POST to
 * the user's own backend (a server of the test's, which puts what it is posted on that bus);
 * against test/fixtures/stacks/stream-fanout, one run of two phases: PutItem into its messages
 * table (named by logical id), whose stream's mapping invokes the fan-out function, and an
 * asynchronous Invoke of that function (by logical id) with a stream batch of the test's own.
 * Every delivery is accounted for, and publish → delivery latency is in results.json, on the
 * console and in summary.md. A topic the stack lacks is refused before the load, one line, exit 2.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const SNS_FIXTURE = join(ROOT, 'test/fixtures/stacks/sns-fanout/template.yaml');
const EB_FIXTURE = join(ROOT, 'test/fixtures/stacks/eventbridge-push/template.yaml');
const STREAM_FIXTURE = join(ROOT, 'test/fixtures/stacks/stream-fanout/template.yaml');
const work = mkdtempSync(join(tmpdir(), 'fb-publish-'));
afterAll(() => {
  stopAwsTimedStacks();
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  r: CliResult;
  results: Results;
  dir: string;
}

/** Every connection receives every publish: the stacks post the message raw, or its detail as JSON, where the probe is found. */
function scenarioFile(name: string, publish: string | string[]): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'clients: 3',
      'rooms: 1',
      'seed: 7',
      // the fan-out function's first INIT, asynchronous, on a busy host: a loss timeout no host here reaches
      'timeouts: { loss: 15s, grace: 1s }',
      'thresholds: ["deliveries.lostShare < 1%"]',
      'protocol:',
      '  name: push',
      '  membership: { model: all }',
      '  send:',
      '    frame: { action: send, data: "{{probe}}" }',
      'phases:',
      '  - connect: { rate: 20 }',
      ...[publish].flat().map((p) => `  - publish: ${p}`),
      '',
    ].join('\n'),
  );
  return file;
}

/** A run against the local stack of `template`, or (`aws`) against a deployed stack by its name, in the environment given. */
async function run(name: string, template: string | { aws: string; env: NodeJS.ProcessEnv }, publish: string | string[]): Promise<Run> {
  const out = join(work, `out-${name}`);
  const target = typeof template === 'string' ? ['--template', template, '--prepared', '0'] : ['--target', `aws:${template.aws}`, '--access-log', 'off', '--metrics-wait', '0s'];
  const r = await runCli(['run', scenarioFile(name, publish), ...target, '--shards', '1', '--summary', 'full', '--out', out], { timeoutMs: 150_000, ...(typeof template === 'string' ? {} : { env: template.env, cwd: work }) });
  const dirs = (() => {
    try {
      return readdirSync(out);
    } catch {
      return [];
    }
  })();
  const dir = dirs[0] ? join(out, dirs[0]) : '';
  const file = join(dir, 'results.json');
  return { r, dir, results: dir && existsSync(file) ? Results.parse(JSON.parse(readFileSync(file, 'utf8'))) : (undefined as unknown as Results) };
}

let sns: Run;
let eventbridge: Run;
let stream: Run;
let missing: CliResult;

/** Credentials as a user's shell holds them: the SDK's chain finds them; nothing printed may hold them. */
const KEY_ID = 'AKIAFANOUTPUBLISH0001';
const SECRET = 'fanoutBenchPublishSecretNeverPrinted0001';

/**
 * The stand-in for the user's own backend behind `via: http` (the emulator runs no REST or HTTP
 * API: the endpoint a user names is theirs): a real server on 127.0.0.1 that, on each POST, puts
 * the body on the eventbridge-push stack's bus with the real SDK v3 EventBridge client at the
 * emulator's endpoint, as a backend of theirs does on AWS, and answers 202 (a 2xx other than 200).
 */
let backend: Server;
const posted: Array<{ path: string; contentType: string; body: string }> = [];
function startBackend(ready: StackReady): Promise<string> {
  const bus = new EventBridgeClient({ endpoint: ready.edgeEndpoint, region: ready.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  backend = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      posted.push({ path: req.url ?? '', contentType: String(req.headers['content-type'] ?? ''), body });
      bus.send(new PutEventsCommand({ Entries: [{ EventBusName: 'eventbridge-push-live', Source: 'scores', DetailType: 'score', Detail: body }] })).then(
        (out) => res.writeHead(out.FailedEntryCount ? 502 : 202).end(),
        () => res.writeHead(502).end(),
      );
    });
  });
  backend.on('close', () => bus.destroy());
  return new Promise((done) => backend.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(backend.address() as AddressInfo).port}`)));
}
afterAll(() => new Promise<void>((done) => (backend ? backend.close(() => done()) : done())));

/** `stack up` of the eventbridge-push fixture, and the run against it as `aws:<its name>` from the environment a user sets. */
async function eventBridgeAsDeployed(): Promise<Run> {
  const { ready, env } = await stackForAws(work, { template: EB_FIXTURE, endpoint: 'edge' });
  const url = await startBackend(ready);
  return run('eventbridge-publish', { aws: ready.stackName, env: { ...env, AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET } }, [
    '{ name: scores, via: eventbridge, to: eventbridge-push-live, rate: 1, duration: 2s, payload: { source: scores, detailType: score, detail: { goal: "{{probe}}" } } }',
    `{ name: push, via: http, to: "${url}/push", rate: 1, duration: 2s, payload: { goal: "{{probe}}" } }`,
  ]);
}

beforeAll(async () => {
  [sns, eventbridge, stream, missing] = await Promise.all([
    run('sns-publish', SNS_FIXTURE, '{ name: alerts, via: sns, to: Alerts, rate: 1, duration: 2s, payload: { message: "{{probe}}", attributes: { kind: alert } } }'),
    eventBridgeAsDeployed(),
    // the stream fan-out posts each new row's image as JSON: the probe is the item's key, and the event's row
    run('stream-publish', STREAM_FIXTURE, [
      '{ name: rows, via: dynamodb, to: MessagesTable, rate: 1, duration: 2s, payload: { messageId: "{{probe}}", kind: score } }',
      '{ name: direct, via: lambda, to: StreamFanoutFunction, rate: 1, duration: 2s, payload: { Records: [{ eventName: INSERT, dynamodb: { NewImage: { messageId: { S: "{{probe}}" } } } }] } }',
    ]),
    run('no-topic', SNS_FIXTURE, '{ via: sns, to: Scores, rate: 1, duration: 2s, payload: "{{probe}}" }').then((x) => x.r),
  ]);
}, 200_000);

/** What both stacks show: each publish reaches all 3 connections, every delivery accounted for, its latency from the publish; the run's totals of its `phases` publish phases alike. */
function accountedFor(x: Run, phase: string, via: string, phases = 1): void {
  const { r, results } = x;
  // a host busy with other work may saturate the harness (its own check); nothing else may fail
  expectPassedButForHost(r.code, results, r.stdout + r.stderr);
  const pub = results.publish!;
  expect(pub).toHaveLength(phases);
  const p = pub.find((q) => q.phase === phase)!;
  expect(p).toMatchObject({ phase, via, recipients: 'everyone', recipientsPerPublish: 3, calls: { intended: 2, sent: 2, acked: 2, failed: 0 }, errors: {} });
  // the ledger exact: expected = received + lost, every publish expected by the 3 open clients
  expect(p.deliveries).toEqual({ expected: 6, received: 6, lost: 0, duplicates: 0 });
  expect(p.delivery!.count).toBe(6);
  expect(p.delivery!.p50).toBeGreaterThan(0);
  expect(p.call!.count).toBe(2);
  // the phase as a send phase shows: its calls as sends, its deliveries, the run's totals with them
  const phaseResult = results.phases!.find((q) => q.name === phase)!;
  expect(phaseResult).toMatchObject({ kind: 'publish', sends: { intended: 2, sent: 2, acked: 2, failed: 0 }, deliveries: { expected: 6, received: 6, lost: 0 } });
  expect(results.deliveries).toMatchObject({ expected: 6 * phases, received: 6 * phases, lost: 0 });
  // the API acknowledged each publish, though the clients' protocol acknowledges no send of theirs
  expect(results.sends).toMatchObject({ intended: 2 * phases, sent: 2 * phases, acked: 2 * phases });
  expect(results.protocol!.notObservable['sends.acked']).toBeUndefined();
  expect(results.metrics.broadcast.count).toBe(6 * phases);
  expect(results.config.durationMs).toBe(2000 * phases);
}

/** The console and summary.md say the publish phase, its calls, publish → delivery and its ledger. */
function shown(x: Run, head: RegExp, phases = 1): void {
  const { r, dir } = x;
  expect(r.stdout).toMatch(head);
  // a slot fired late on a busy host is counted, not failed: its latency still runs from the slot
  expect(r.stdout).toMatch(/^\s+calls 2 of 2: accepted 2, failed 0, late [012]; call p50 [\d,.]+ m?s p99 [\d,.]+ m?s$/m);
  expect(r.stdout).toMatch(/^\s+publish → delivery n=6 {2}p50 [\d,.]+ m?s {2}p90 [\d,.]+ m?s {2}p99 [\d,.]+ m?s {2}max [\d,.]+ m?s$/m);
  expect(r.stdout).toMatch(/^\s+expected 6 = received 6 \+ lost 0; duplicates 0$/m);
  const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
  expect(summary).toMatch(/\| publish \| calls \| publish → delivery p50 \|/);
  expect(summary).toMatch(/expected 6 = received 6 \+ lost 0/);
  expect(summary).toMatch(new RegExp(`^Sends: ${2 * phases} intended · ${2 * phases} sent · ${2 * phases} acknowledged · 0 failed`, 'm'));
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  expect(html).toContain('<h3>Publishes</h3>');
  expect(html).toContain('publish → delivery p50');
}

describe('a publish phase to an SNS topic (sns-fanout)', () => {
  it('reaches every connection, every delivery accounted for', () => {
    accountedFor(sns, 'alerts', 'sns');
    expect(sns.results.publish![0]!.resource).toMatch(/^arn:aws:sns:[^:]+:\d+:.*Alerts/);
  });

  it('shows publish → delivery and the ledger on the console and in summary.md', () => {
    shown(sns, /^ {2}publish {6}alerts via sns → Alerts \(everyone: 3 each\)$/m);
  });

  it('splits publish → delivery by hop: the topic, the fan-out function, the posts, then the deliveries (results.json, the console, summary.md)', () => {
    const split = sns.results.hopLatency!;
    expect(split.hops.map((h) => h.hop.replace(/:.*/, ':'))).toEqual(['sns:', 'lambda:', '@connections']);
    expect(split.hops[0]!.hop).toMatch(/^sns:.*Alerts/);
    // two publishes, one asynchronous invocation each, a post per delivery
    expect(split.hops.map((h) => h.count)).toEqual([2, 2, 6]);
    for (const h of split.hops) expect(h.p50Ms!).toBeGreaterThanOrEqual(0);
    expect(split.hops[0]!.stepMs).toBe(split.hops[0]!.p50Ms);
    expect(split.hops[1]!.stepMs).toBeCloseTo(split.hops[1]!.p50Ms! - split.hops[0]!.p50Ms!, 6);
    expect(split.delivered).toMatchObject({ count: 6, p50Ms: sns.results.metrics.broadcast.p50 });
    expect(sns.r.stdout).toMatch(/^ {2}hops {9}p50 from the send: sns:\S*Alerts\S* \+[\d,.]+ ms → lambda:\S+ \+[\d,.]+ ms → @connections \+[\d,.]+ ms → delivered \+[\d,.]+ ms$/m);
    expect(readFileSync(join(sns.dir, 'summary.md'), 'utf8')).toMatch(/^\| delivered \| 6 \| [\d,.]+ ms \| [\d,.]+ ms \| [+−][\d,.]+ ms \|$/m);
    // an aws: target (through the emulator's AWS endpoints as on AWS): no probe reach to split by
    expect(eventbridge.results.hopLatency).toBeUndefined();
  });
});

describe('publish phases to an EventBridge bus and to the user\'s HTTP endpoint, the stack as aws:<name> through the emulator\'s AWS endpoints (eventbridge-push)', () => {
  it('reaches every connection, every delivery accounted for', () => {
    accountedFor(eventbridge, 'scores', 'eventbridge', 2);
    expect(eventbridge.results.publish![0]!.resource).toBe('eventbridge-push-live');
  });

  it('found the stack and its bus through AWS_ENDPOINT_URL alone, asked STS and IAM for the permission, and printed no credential', () => {
    const { r, results } = eventbridge;
    expect(results.config.target).toMatchObject({ kind: 'remote', label: 'aws:eventbridge-push' });
    // the pre-flight asked the emulator's STS who the credentials are and its IAM whether they may
    // PutEvents: any answer short of "allowed" (a caller it cannot name or simulate) is a warning
    expect(r.stderr).not.toContain('unchecked until the first call');
    expect(results.harness.warnings).not.toContainEqual(expect.stringContaining('unchecked until the first call'));
    for (const secret of [KEY_ID, SECRET]) {
      expect(r.stdout + r.stderr).not.toContain(secret);
      expect(readFileSync(join(eventbridge.dir, 'results.json'), 'utf8')).not.toContain(secret);
    }
  });

  it('POSTs each publish to the URL, JSON as application/json with the probe in it; a 202 is accepted', () => {
    accountedFor(eventbridge, 'push', 'http', 2);
    const push = eventbridge.results.publish!.find((p) => p.phase === 'push')!;
    expect(push.resource).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/push$/);
    expect(posted).toHaveLength(2);
    for (const p of posted) {
      expect(p).toMatchObject({ path: '/push', contentType: 'application/json' });
      // the probe where the template put it (fb1|<origin>|…|)
      expect(JSON.parse(p.body)).toEqual({ goal: expect.stringMatching(/^fb1\|[\d|]+$/) });
    }
  });

  it('shows publish → delivery and the ledger on the console', () => {
    shown(eventbridge, /^ {2}publish {6}scores via eventbridge → eventbridge-push-live \(everyone: 3 each\)$/m, 2);
    expect(eventbridge.r.stdout).toMatch(/^ {2}publish {6}push via http → http:\/\/127\.0\.0\.1:\d+\/push \(everyone: 3 each\)$/m);
  });
});

describe('publish phases into a table with a stream and to a function (stream-fanout)', () => {
  it('reaches every connection from each, every delivery accounted for, each phase on its own books', () => {
    const { r, results } = stream;
    expectPassedButForHost(r.code, results, r.stdout + r.stderr);
    const [rows, direct] = results.publish!;
    expect(rows).toMatchObject({ phase: 'rows', via: 'dynamodb', recipientsPerPublish: 3, calls: { intended: 2, sent: 2, acked: 2, failed: 0 }, errors: {} });
    expect(rows!.resource).toMatch(/^stream-fanout-MessagesTable-/);
    expect(direct).toMatchObject({ phase: 'direct', via: 'lambda', recipientsPerPublish: 3, calls: { intended: 2, sent: 2, acked: 2, failed: 0 }, errors: {} });
    expect(direct!.resource).toMatch(/^stream-fanout-StreamFanoutFunction-/);
    for (const p of [rows!, direct!]) {
      expect(p.deliveries, p.phase).toEqual({ expected: 6, received: 6, lost: 0, duplicates: 0 });
      expect(p.delivery!.count).toBe(6);
    }
    expect(results.deliveries).toMatchObject({ expected: 12, received: 12, lost: 0 });
    expect(results.sends).toMatchObject({ intended: 4, sent: 4, acked: 4 });
    expect(r.stdout).toMatch(/^ {2}publish {6}rows via dynamodb → MessagesTable \(everyone: 3 each\)$/m);
    expect(r.stdout).toMatch(/^ {2}publish {6}direct via lambda → StreamFanoutFunction \(everyone: 3 each\)$/m);
    // the rows' probes stamped at the table's write (the metering front), before the function their stream invoked and the posts
    const split = results.hopLatency!.hops;
    const table = split.find((h) => h.hop.startsWith('dynamodb:stream-fanout-MessagesTable-'));
    expect(table?.count).toBe(2);
    expect(split.find((h) => h.hop === '@connections')?.count).toBe(12);
  });
});

describe('a publish phase to a topic the stack does not have', () => {
  it('is refused before the load, one line naming it and what the stack has, exit 2', () => {
    expect(missing.code, missing.stdout + missing.stderr).toBe(EXIT.badInput);
    const line = missing.stderr.split('\n').find((l) => l.includes('publish.to'));
    expect(line, missing.stderr).toMatch(/phases\[1\]\.publish\.to: no SNS topic "Scores" in stack sns-fanout \(the local stack\) \(its SNS topics: Alerts\)/);
    // no load ran: no progress line
    expect(missing.stderr).not.toMatch(/^no-topic\s+\d+s\/\d+s\s/m);
  });
});
