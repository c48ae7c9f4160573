import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../common/exit-codes.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli, type CliResult } from './cli.ts';

/**
 * The first cause is a cause (issue 59): a stack whose fan-out function is invoked by an SNS
 * topic's subscription, which the emulator does not run. One run through the CLI: the path is
 * said on the console before the load, kept in results.json (config.target.notEmulated) and
 * summary.md, and is the loss's first cause. Issue 60 runs SNS in the emulator: this fixture then
 * delivers, and these expectations turn over.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const TEMPLATE = join(ROOT, 'test/fixtures/stacks/sns-fanout/template.yaml');
const work = mkdtempSync(join(tmpdir(), 'fb-sns-fanout-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PATH_LINE = "not emulated: SNS topic Alerts → FanoutFunction (its subscription's deliveries will not run here)";

let r: CliResult;
let results: Results;
let dir: string;
beforeAll(async () => {
  const scenario = join(work, 'sns.yaml');
  writeFileSync(
    scenario,
    [
      'name: sns-fanout',
      'clients: 3',
      'rooms: 1',
      'seed: 7',
      'timeouts: { loss: 2s, grace: 1s }',
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
  const out = join(work, 'out');
  r = await runCli(['run', scenario, '--template', TEMPLATE, '--shards', '1', '--prepared', '0', '--out', out], { timeoutMs: 150_000 });
  dir = join(out, readdirSync(out)[0]!);
  results = Results.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
}, 180_000);

describe('a fan-out function triggered by an SNS topic the emulator does not run', () => {
  it('loses every delivery and fails the run', () => {
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.thresholdsCrossed);
    expect(results.sends.sent).toBeGreaterThan(0);
    expect(results.deliveries.lost).toBe(results.deliveries.expected);
  });

  it('says the path on the console before the load, one line', () => {
    const lines = r.stderr.split('\n');
    const at = lines.findIndex((l) => l.includes(PATH_LINE));
    expect(at, r.stderr).toBeGreaterThanOrEqual(0);
    expect(lines.filter((l) => l.includes('not emulated:'))).toHaveLength(1);
    // the load's progress lines ("sns-fanout  3s/4s  connect  open 0 …") come after it
    const load = lines.findIndex((l) => /^sns-fanout\s+\d+s\/\d+s\s/.test(l));
    expect(load, r.stderr).toBeGreaterThan(at);
  });

  it('keeps the path in results.json and summary.md', () => {
    expect(results.config.target.notEmulated).toEqual([
      {
        kind: 'trigger',
        source: 'SNS topic',
        resource: 'Alerts',
        function: 'FanoutFunction',
        functionName: expect.stringMatching(/^sns-fanout-FanoutFunction-\w+$/),
        fansOut: true,
        text: "its subscription's deliveries will not run here",
      },
    ]);
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary).toContain('### Not emulated');
    // summary.md escapes the apostrophe as HTML does
    expect(summary).toMatch(/^- SNS topic Alerts → FanoutFunction \(its subscription(&#39;|')s deliveries will not run here\)$/m);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('SNS topic Alerts → FanoutFunction');
  });

  it("names the path as the loss's first cause, on the console too", () => {
    const lost = results.verdict!.explanations!.find((e) => e.check === 'no lost deliveries')!;
    expect(lost.evidence[0]).toMatchObject({
      factor: 'not-emulated',
      share: 1,
      line: expect.stringMatching(/^deliveries would travel SNS topic Alerts → FanoutFunction \(its subscription's deliveries will not run here\), which the emulator does not run: FanoutFunction posts to @connections/),
    });
    expect(r.stdout).toMatch(/first cause \(no lost deliveries\):\s+deliveries would travel SNS topic Alerts → FanoutFunction/);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/deliveries would travel SNS topic Alerts → FanoutFunction/);
  });
});
