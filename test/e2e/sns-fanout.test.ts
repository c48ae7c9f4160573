import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../common/exit-codes.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli, type CliResult } from './cli.ts';

/**
 * A fan-out function invoked by an SNS topic's subscription (issue 60): the emulator runs SNS and
 * Lambda's asynchronous invocation, so every delivery arrives, the path is not said to be "not
 * emulated", and the topic's and the asynchronous invocations' metrics are AWS's. The same stack
 * with the subscription swapped for a Kinesis stream, which the emulator does not run (issue 59):
 * the path is said on the console before the load, kept in results.json (config.target.notEmulated)
 * and summary.md, and is the loss's first cause. The two runs go side by side.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(ROOT, 'test/fixtures/stacks/sns-fanout');
const work = mkdtempSync(join(tmpdir(), 'fb-sns-fanout-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PATH_LINE = "not emulated: Kinesis stream alerts → FanoutFunction (the stream's records will not invoke it here)";

interface Run {
  r: CliResult;
  results: Results;
  dir: string;
}
let sns: Run;
let kinesis: Run;

async function run(template: string, name: string): Promise<Run> {
  const out = join(work, `out-${name}`);
  const r = await runCli(['run', join(work, 'sns.yaml'), '--template', template, '--shards', '1', '--prepared', '0', '--summary', 'full', '--out', out], { timeoutMs: 150_000 });
  const dir = join(out, readdirSync(out)[0]!);
  return { r, dir, results: Results.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))) };
}

beforeAll(async () => {
  writeFileSync(
    join(work, 'sns.yaml'),
    [
      'name: sns-fanout',
      'clients: 3',
      'rooms: 1',
      'seed: 7',
      // the fan-out function's first INIT, asynchronous, on a busy host: a loss timeout no host here reaches
      'timeouts: { loss: 15s, grace: 1s }',
      // judged on deliveries only: the latency of a first INIT on a busy host is no fact of the stack's
      'thresholds: ["deliveries.lostShare < 1%"]',
      'protocol:',
      '  name: send',
      '  membership: { model: all }',
      '  send:',
      '    frame: { action: send, data: "{{probe}}" }',
      'phases:',
      '  - connect: { rate: 20 }',
      '  - send: { duration: 2s, rate: 1 }',
      '',
    ].join('\n'),
  );
  // the same stack, its fan-out function triggered by a Kinesis stream instead of the topic
  const variant = join(work, 'kinesis', 'sns-fanout');
  cpSync(FIXTURE, variant, { recursive: true });
  const template = readFileSync(join(FIXTURE, 'template.yaml'), 'utf8');
  const swapped = template.replace(
    /Type: SNS\n(\s+)Properties:\n\s+Topic: !Ref Alerts/,
    'Type: Kinesis\n$1Properties:\n$1  Stream: arn:aws:kinesis:us-east-1:123456789012:stream/alerts\n$1  StartingPosition: LATEST',
  );
  expect(swapped).not.toBe(template);
  writeFileSync(join(variant, 'template.yaml'), swapped);
  [sns, kinesis] = await Promise.all([run(join(FIXTURE, 'template.yaml'), 'sns'), run(join(variant, 'template.yaml'), 'kinesis')]);
}, 200_000);

describe('a fan-out function triggered by an SNS topic', () => {
  it('delivers every message through the topic and passes', () => {
    const { r, results } = sns;
    // every check passes, but for a harness a busy host saturated
    expectPassedButForHost(r.code, results, r.stdout + r.stderr);
    expect(results.sends.sent).toBeGreaterThan(0);
    expect(results.deliveries.expected).toBe(results.sends.sent * 3);
    expect(results.deliveries.received).toBe(results.deliveries.expected);
    expect(results.deliveries.lost).toBe(0);
    expect(results.config.target.notEmulated).toBeUndefined();
    expect(r.stderr).not.toContain('not emulated:');
  });
});

describe('the same fan-out triggered by a Kinesis stream the emulator does not run', () => {
  it('loses every delivery and fails the run', () => {
    const { r, results } = kinesis;
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.thresholdsCrossed);
    expect(results.sends.sent).toBeGreaterThan(0);
    expect(results.deliveries.lost).toBe(results.deliveries.expected);
  });

  it('says the path on the console before the load, one line', () => {
    const lines = kinesis.r.stderr.split('\n');
    const at = lines.findIndex((l) => l.includes(PATH_LINE));
    expect(at, kinesis.r.stderr).toBeGreaterThanOrEqual(0);
    expect(lines.filter((l) => l.includes(PATH_LINE))).toHaveLength(1);
    // beside it, one line for the template's resources the emulator read and does not run: the
    // stream's event, and the function it alone invokes with its role
    expect(lines.filter((l) => l.includes('not emulated:') && !l.includes(PATH_LINE)), kinesis.r.stderr).toEqual([
      expect.stringContaining(
        'not emulated: 3 resources of the template: FanoutFunctionAlert (AWS::Serverless::Function event Kinesis), FanoutFunctionRole (AWS::IAM::Role), FanoutFunction (AWS::Lambda::Function)',
      ),
    ]);
    // the load's progress lines ("sns-fanout  3s/4s  connect  open 0 …") come after it
    const load = lines.findIndex((l) => /^sns-fanout\s+\d+s\/\d+s\s/.test(l));
    expect(load, kinesis.r.stderr).toBeGreaterThan(at);
  });

  it('keeps the path in results.json and summary.md', () => {
    const { results, dir } = kinesis;
    expect(results.config.target.notEmulated).toEqual([
      {
        kind: 'trigger',
        source: 'Kinesis stream',
        resource: 'alerts',
        function: 'FanoutFunction',
        functionName: expect.stringMatching(/^sns-fanout-FanoutFunction-\w+$/),
        fansOut: true,
        text: "the stream's records will not invoke it here",
      },
    ]);
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary).toContain('### Not emulated');
    // summary.md escapes the apostrophe as HTML does
    expect(summary).toMatch(/^- Kinesis stream alerts → FanoutFunction \(the stream(&#39;|')s records will not invoke it here\)$/m);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('Kinesis stream alerts → FanoutFunction');
  });

  it("names the path as the loss's first cause, on the console too", () => {
    const { r, results, dir } = kinesis;
    const lost = results.verdict!.explanations!.find((e) => e.check === 'no lost deliveries')!;
    expect(lost.evidence[0]).toMatchObject({
      factor: 'not-emulated',
      share: 1,
      line: expect.stringMatching(/^deliveries would travel Kinesis stream alerts → FanoutFunction \(the stream's records will not invoke it here\), which the emulator does not run: FanoutFunction posts to @connections/),
    });
    expect(r.stdout).toMatch(/first cause \(no lost deliveries\):\s+deliveries would travel Kinesis stream alerts → FanoutFunction/);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/deliveries would travel Kinesis stream alerts → FanoutFunction/);
  });
});
