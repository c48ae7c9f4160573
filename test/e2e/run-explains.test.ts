import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../common/exit-codes.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { limitRemedy } from '../../src/diagnosis/limit-evidence.ts';
import { runCli, whyUnder } from './cli.ts';

/**
 * A failing run explains itself, through the CLI as a user meets it (issue 41): under each failed
 * check, the target's own evidence with what would move it, and where the lost deliveries went.
 * Two runs: a connect storm on a small provisioned table whose fan-out skips one connection, and
 * the reference stack with its send function at a reserved concurrency of 1 behind a low stage
 * throttle. (A host-bound emulator: search-limit-local-host.test.ts asserts its failing step's
 * explanation.)
 */
const ROOT = resolve(import.meta.dirname, '../..');
const PROVISIONED = join(ROOT, 'test/fixtures/stacks/provisioned-cfn/template.json');
const work = mkdtempSync(join(tmpdir(), 'fb-explains-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function scenario(name: string, text: string): string {
  const path = join(work, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

function results(out: string): Results {
  const [id] = readdirSync(out);
  return Results.parse(JSON.parse(readFileSync(join(out, id!, 'results.json'), 'utf8')));
}

describe('a failing run says why', () => {
  it("a connect storm on a 2-WCU table: the 500s are the table's write throttles; the connection the fan-out skips is named", { timeout: 120_000 }, async () => {
    // 40 connects at 40/s, each a PutItem in one attempt, against 2 write units a second (and what
    // the table saved since the stack started, a few seconds' worth): most are refused and $connect
    // answers 500; at least the first two are stored. The send function Scans the table (50 read
    // units: never throttled) and posts to every connection but the first of its Scan other than
    // the sender's.
    const file = scenario(
      'storm',
      `name: storm
clients: 40
rooms: 1
seed: 5
timeouts: { loss: 2s }
protocol:
  name: send-all
  membership: { model: all }
  send:
    frame: { action: send, text: "{{probe}}" }
    ack: { json: "$.sent" }
phases:
  - connect: { rate: 40 }
  - send: { name: before, duration: 2s, rate: 5 }
`,
    );
    const out = join(work, 'storm');
    const params = ['--parameter', 'WriteCapacity=2', '--parameter', 'ReadCapacity=50', '--parameter', 'SkipConnections=1'];
    const r = await runCli(['run', file, '--template', PROVISIONED, ...params, '--prepared', '0', '--no-progress', '--summary', 'full', '--out', out], { timeoutMs: 110_000 });
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.thresholdsCrossed);
    const res = results(out);
    const refused = res.errors['handshake:500'] ?? 0;
    expect(refused, JSON.stringify(res.errors)).toBeGreaterThan(0);

    // the refused connects: the table's write throttles, first, with the remedy
    const errors = whyUnder(r.stdout, 'no unexpected errors');
    // the why, then what would move it on a line of its own
    expect(errors[0]).toMatch(
      /^why: DynamoDB throttled [\d,]+ requests \(provisioned-cfn-ConnectionsTable-[A-Z0-9]+: PutItem [\d,]+(, DeleteItem [\d,]+)?\); throttle events: provisioned-cfn-ConnectionsTable-[A-Z0-9]+ [\d,]+ write/,
    );
    expect(errors[1]).toMatch(/^what would move it: raise the table's/);
    const e = res.verdict!.explanations!.find((x) => x.check === 'no unexpected errors')!;
    expect(e.evidence[0]).toMatchObject({ factor: 'dynamodb-throttles', remedy: limitRemedy('dynamodb-throttles') });

    // the lost deliveries: one open member missed every message, named with what became of it
    const m = res.deliveries.missing!;
    expect(m.recipients).toBe(1);
    const [silent] = m.byRecipient;
    expect(silent).toMatchObject({ state: 'open', received: 0, missed: res.sends.acked, expected: res.sends.acked });
    expect(m.shapes.map((s) => s.kind)).toEqual(['connection']);
    expect(m.shapes[0]!.clients).toEqual([silent!.client]);
    const lost = whyUnder(r.stdout, 'no lost deliveries');
    expect(lost).toContain(`where: send phase "before": ${res.deliveries.lost} of ${res.deliveries.expected} expected deliveries lost`);
    expect(lost).toContain(`where: client ${silent!.client} (${silent!.room}) missed all ${res.sends.acked} lost messages of its room while a member: open to the end, received nothing in the run`);
  });

  it('a send function at its reserved concurrency behind a low stage throttle: both named, with their figures', { timeout: 120_000 }, async () => {
    // 20 messages/s for 2 s into a stage throttle of 5/s (burst 10): most answered 429. Those let
    // through meet sendMessage at a reserved concurrency of 1, slow at 128 MB: the ones that
    // overlap are throttled. Joins at 4/s stay under the stage's throttle.
    const file = scenario(
      'limits',
      `name: limits
clients: 8
rooms: 2
seed: 5
timeouts: { loss: 2s }
target: { reserved: { fanout-send-message: 1 }, memory: { fanout-send-message: 128 }, stageRps: 5, stageBurst: 10 }
phases:
  - connect: { rate: 40 }
  - join: { rate: 4 }
  - send: { duration: 2s, rate: 20 }
`,
    );
    const out = join(work, 'limits');
    const r = await runCli(['run', file, '--prepared', '0', '--no-progress', '--summary', 'full', '--out', out], { timeoutMs: 110_000 });
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.thresholdsCrossed);
    const why = whyUnder(r.stdout, 'no unexpected errors');
    // each why, then what would move it on the line after it
    const after = (re: RegExp) => why[why.findIndex((l) => re.test(l)) + 1];
    const lambda = /^why: Lambda throttled [\d,]+ invocations \(fanout-send-message [\d,]+: its reserved concurrency of 1, ConcurrentExecutions peaked at 1\)$/;
    const stage = /^why: API Gateway answered [\d,]+ of 40 messages with 429 \(Too Many Requests\): the stage's throttle of 5 requests\/s \(the emulator's config\), burst 10$/;
    expect(why).toContainEqual(expect.stringMatching(lambda));
    expect(after(lambda)).toMatch(/^what would move it: raise the function's reserved concurrency/);
    expect(why).toContainEqual(expect.stringMatching(stage));
    expect(after(stage)).toMatch(/^what would move it: raise the stage's throttle/);
    // the refusals are the target's answers, not losses: every delivery of an accepted message arrived
    const res = results(out);
    expect(res.deliveries.lost).toBe(0);
    expect(res.deliveries.missing).toBeUndefined();
  });
});
