import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../common/exit-codes.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { deniedLine, deniedRows } from '../../src/report/run/denied-table.ts';
import { denialEvidence } from '../../src/diagnosis/denial-evidence.ts';
import { runCli, type CliResult } from './cli.ts';

/**
 * A caught failure is not invisible (issue 59): a broadcast whose role lacks
 * execute-api:ManageConnections catches every denied post and logs them in one console.error line,
 * then posts a copy to an endpoint written into its configuration that is not the stack's API. One
 * run through the CLI, the emulator enforcing IAM: results.json's permissions name every denied
 * post with its count and the statement that allows it, and the post to the other API; the log
 * line is classified as logged, not thrown; the why names the denial as the loss's cause.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const TEMPLATE = join(ROOT, 'test/fixtures/stacks/caught-denials/template.yaml');
const work = mkdtempSync(join(tmpdir(), 'fb-caught-denials-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let r: CliResult;
let results: Results;
let dir: string;
beforeAll(async () => {
  const scenario = join(work, 'caught.yaml');
  writeFileSync(
    scenario,
    [
      'name: caught-denials',
      'clients: 3',
      'rooms: 1',
      'seed: 5',
      'timeouts: { loss: 2s, grace: 1s }',
      'protocol:',
      '  name: broadcast',
      '  membership: { model: all }',
      '  send:',
      '    frame: { action: broadcast, data: "{{probe}}" }',
      'phases:',
      '  - connect: { rate: 20 }',
      '  - send: { duration: 2s, rate: 1 }',
      '',
    ].join('\n'),
  );
  const out = join(work, 'out');
  // no $COLUMNS: the console as a CI log gets it, every line within 160 characters
  r = await runCli(['run', scenario, '--template', TEMPLATE, '--shards', '1', '--prepared', '0', '--no-progress', '--summary', 'full', '--out', out], { timeoutMs: 150_000, env: { ...process.env, COLUMNS: '' } });
  dir = join(out, readdirSync(out)[0]!);
  results = Results.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
}, 180_000);

describe('a send function that catches and logs its denied posts', () => {
  it('loses every delivery and fails the run', () => {
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.thresholdsCrossed);
    expect(results.sends.sent).toBeGreaterThan(0);
    expect(results.deliveries.lost).toBe(results.deliveries.expected);
  });

  it('results.json permissions.denied: the post denial with its count and the statement that allows it; the post to another API', () => {
    const posts = results.deliveries.expected;
    const denied = results.permissions!.denied!;
    expect(denied).toEqual([
      {
        function: expect.stringMatching(/BroadcastFunction/),
        role: expect.stringMatching(/BroadcastFunctionRole/),
        action: 'execute-api:ManageConnections',
        resource: expect.stringMatching(/^arn:aws:execute-api:us-east-1:\d{12}:\w+\/prod\/POST\/@connections\/\*$/),
        count: posts,
        reason: 'no-allow',
        enforced: true,
        source: 'emulator',
        allow: { Effect: 'Allow', Action: 'execute-api:ManageConnections', Resource: denied[0]!.resource },
      },
    ]);
    expect(results.permissions!.foreignApiPosts).toEqual([
      { function: denied[0]!.function, endpoint: 'https://4a7ipl75i0.execute-api.us-east-1.amazonaws.com/dev', apiId: '4a7ipl75i0', stackApiId: expect.any(String), count: results.sends.sent },
    ]);
    // the emulator says the foreign endpoint once, naming the function, in the stack's log
    expect(readFileSync(join(dir, 'stack.log'), 'utf8')).toMatch(
      /^gateway: caught-denials-BroadcastFunction-\w+ posted to https:\/\/4a7ipl75i0\.execute-api\.us-east-1\.amazonaws\.com\/dev, which is not this stack's API \(\w+\): answered 403 Forbidden; its clients get nothing$/m,
    );
    expect(deniedRows(results.permissions).map(deniedLine)).toEqual([
      expect.stringMatching(new RegExp(`BroadcastFunction-\\w+: denied execute-api:ManageConnections on \\w+/prod/POST/@connections/\\* ×${posts} \\(no statement allows it\\); allow with \\{"Effect":"Allow"`)),
      expect.stringMatching(new RegExp(`BroadcastFunction-\\w+: posted to https://4a7ipl75i0\\.execute-api\\.us-east-1\\.amazonaws\\.com/dev ×${results.sends.sent} \\(not this stack's API \\(\\w+\\)\\)$`)),
    ]);
  });

  it('the logged line is classified like a thrown error, marked logged, not thrown; Lambda counted no error', () => {
    const [fn, logged] = Object.entries(results.cloudwatch!.loggedErrors!).find(([f]) => f.includes('BroadcastFunction'))!;
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'AccessDeniedException', message: expect.stringMatching(/^posts failed: \d+ of \d+: AccessDeniedException: User: arn:aws:sts::\d+:assumed-role\//), phase: 'invoke', count: results.sends.sent, logged: true, denied: expect.objectContaining({ action: 'execute-api:ManageConnections' }) }),
        expect.objectContaining({ kind: 'ForbiddenException', phase: 'invoke', count: results.sends.sent, logged: true, firstFrame: expect.stringMatching(/^broadcast\.mjs:\d+/) }),
      ]),
    );
    expect(results.cloudwatch!.functionErrors?.[fn]).toBeUndefined();
    expect(results.cloudwatch!.lambda[fn]!.errors).toBe(0);
  });

  it('the why names the denial as the cause of the loss, and the statement to add', () => {
    const [first] = denialEvidence(results, new Set(['loss']));
    expect(first).toMatchObject({
      kind: 'iam-denied',
      line: expect.stringMatching(
        new RegExp(
          `^caught-denials-BroadcastFunction-\\w+: ${results.deliveries.expected} calls denied: execute-api:ManageConnections on arn:aws:execute-api:us-east-1:\\d{12}:\\w+/prod/POST/@connections/\\* \\(no statement of its role caught-denials-BroadcastFunctionRole-\\w+ allows it\\); its code caught them and logged "posts failed: \\d+ of \\d+: AccessDeniedException" ×${results.sends.sent} \\(logged, not thrown\\)$`,
        ),
      ),
      share: 1,
      remedy: expect.stringMatching(/^add to the role \S+ the statement \{"Effect":"Allow","Action":"execute-api:ManageConnections"/),
    });
  });

  it('the first cause is the denial on the console, in summary.md and in the report; each shows the denied call', () => {
    const lost = results.verdict!.explanations!.find((e) => e.check === 'no lost deliveries')!;
    expect(lost.evidence[0]).toMatchObject({ factor: 'iam-denied' });
    // the console wraps a long line at its clauses, continued under its label
    expect(r.stdout).toMatch(/first cause \(no lost deliveries\): caught-denials-BroadcastFunction-\w+: \d+ calls denied:\s+execute-api:ManageConnections/);
    expect(r.stdout).toMatch(/^ {2}denied {7}caught-denials-BroadcastFunction-\w+:\s+denied execute-api:ManageConnections on /m);
    expect(r.stdout.split('\n').filter((l) => [...l].length > 160)).toEqual([]);
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary).toMatch(/calls denied: execute-api:ManageConnections/);
    expect(summary).toMatch(/\| caught-denials-BroadcastFunction-\w+ \| execute-api:ManageConnections on .* \| \d+ calls \| no statement allows it \| `\{"Effect":"Allow"/);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<h3>Denied</h3>');
    expect(html).toMatch(/calls denied: execute-api:ManageConnections/);
  });
});
