import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../common/exit-codes.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli, whyUnder } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';
import { firstWhys, unwrapped } from './first-whys.ts';

/**
 * A failing stack says why in its own words, through the CLI as a user meets it (issue 50): the
 * first cause, on the console, in summary.md's headline and in index.html's, names the cause
 * from the functions' own logs. Three small runs of our own fixtures: a Node function on
 * nodejs22.x requiring the AWS SDK v2 (INIT fails with Runtime.ImportModuleError, named while the
 * run goes on); AWS's Python sample's send at 128 MB building boto3 clients per call (it times out
 * at its 3 s Timeout: named with its CPU share); the same send after a drop, stopped by its first
 * GoneException (named with its count and the 410s; the host not named for the loss).
 */
const ROOT = resolve(import.meta.dirname, '../..');
const SDK_V2 = join(ROOT, 'test/fixtures/stacks/sdk-v2-chat/template.yaml');
const PYTHON = join(ROOT, 'test/fixtures/stacks/python-sendmessage/template.yaml');
const IAM = join(ROOT, 'test/fixtures/stacks/iam-permissions/template.yaml');
const work = mkdtempSync(join(tmpdir(), 'fb-own-words-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(name: string, lines: string[], args: string[]) {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, [`name: ${name}`, 'rooms: 1', 'seed: 7', ...lines, ''].join('\n'));
  const out = join(work, name);
  const r = await runCli(['run', file, ...args, '--prepared', '0', '--summary', 'full', '--out', out], { timeoutMs: 80_000 });
  expect(r.code, r.stdout + r.stderr).toBe(EXIT.thresholdsCrossed);
  const dir = join(out, readdirSync(out)[0]!);
  const results = Results.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
  const stdout = unwrapped(r.stdout);
  return { ...r, stdout, dir, results, whys: firstWhys(stdout, dir) };
}

/** The host is said beside the latencies (its warnings; a saturated harness's why on a busy host), never as the cause of a loss or an error. */
function hostNotACause(stdout: string): void {
  for (const check of ['no lost deliveries', 'no unexpected errors']) expect(whyUnder(stdout, check).filter((l) => l.startsWith('why: local host'))).toEqual([]);
}

describe("a failing stack's why, in its own words", () => {
  it("a Node function needing aws-sdk on nodejs22.x: its INIT failure, named during the run and first in the why", { timeout: 90_000 }, async () => {
    // four connects a second apart: the run lasts past the watch's first look at the logs
    const r = await run('sdk-v2-init', ['clients: 4', 'phases:', '  - connect: { rate: 1 }'], ['--template', SDK_V2, '--parameter', 'NodeRuntime=nodejs22.x']);
    expect(r.results.errors['handshake:502']).toBe(4);
    // every invocation has its REPORT line, the failed INIT's too: the pull misses none
    expect(r.stderr).not.toMatch(/reports missing/);
    expect(r.stderr).toMatch(/^fanout-bench: sdk-v2-chat-ConnectFunction-\w+: INIT failed: Runtime\.ImportModuleError: Error: Cannot find module 'aws-sdk' \(at app\.js:\d+\); every invocation of it fails until its code loads$/m);
    const named = /sdk-v2-chat-ConnectFunction-\w+: 4 errors in 4 invocations: Runtime\.ImportModuleError: Error: Cannot find module 'aws-sdk' ×4 \(at INIT, at app\.js:\d+\)/;
    expect(r.whys.console).toMatch(new RegExp(`^first cause \\(no unexpected errors\\): ${named.source}`));
    // what would move it is said of the function's own runtime: nodejs22.x ships the SDK v3, not v2's aws-sdk
    expect(r.stdout).toMatch(/what would move it: nodejs22\.x ships the AWS SDK v3 \(@aws-sdk\/\* clients\), not v2's aws-sdk: move the code to the v3 clients, or ship aws-sdk with the function's code/);
    expect(r.whys.md).toMatch(new RegExp(`^> Why: no unexpected errors\\. ${named.source}`));
    expect(r.whys.html).toMatch(new RegExp(`^Why: no unexpected errors\\. ${named.source}`));
    const [fn, errors] = Object.entries(r.results.cloudwatch!.functionErrors!)[0]!;
    expect(fn).toMatch(/ConnectFunction/);
    expect(errors).toEqual([{ kind: 'Runtime.ImportModuleError', message: "Error: Cannot find module 'aws-sdk'", phase: 'init', count: 4, firstFrame: expect.stringMatching(/^app\.js:\d+$/), firstAt: expect.any(Number) }]);
  });

  it('a Python send at 128 MB building boto3 clients per call: its timeout, with the CPU share that caused it', { timeout: 90_000 }, async () => {
    const r = await run(
      'py-timeout',
      ['clients: 4', 'protocol: sendmessage', 'timeouts: { loss: 5s, grace: 2s }', 'phases:', '  - connect: { rate: 50 }', '  - send: { duration: 2s, rate: 1 }'],
      // ten clients: five once fitted in the Timeout's 217 ms of CPU on a busy host (its run-queue waits count toward the share)
      ['--template', PYTHON, '--parameter', 'ClientsPerCall=10'],
    );
    expect(r.results.deliveries.lost).toBe(r.results.deliveries.expected);
    // the invocation after a timeout starts a new environment: both are cold starts, with their Init Duration
    const [send] = Object.entries(r.results.cloudwatch!.reports).find(([fn]) => fn.includes('SendMessageFunction'))!.slice(1) as [Results['cloudwatch'] extends infer C ? C extends { reports: Record<string, infer S> } ? S : never : never];
    expect(send).toMatchObject({ invocations: 2, coldStarts: 2 });
    // the CPU its invocations used (Lambda Insights' cpu_total_time, which the emulator writes per invocation)
    expect(Object.entries(r.results.cloudwatch!.lambda).find(([fn]) => fn.includes('SendMessageFunction'))![1].cpuTime).toMatchObject({ samples: 2 });
    const named =
      /python-sendmessage-SendMessageFunction-\w+: 2 errors in 2 invocations: Task timed out after 3\.00 seconds ×2; 128 MB = 7\.2 % of a vCPU; (its invocations used p50 [\d,]+ ms of CPU \([\d.]+ s at that share\) against its 3\.00 s Timeout|every invocation used all 217 ms of CPU its 3\.00 s Timeout allows at that share \(p50 [\d,]+ ms\): at full speed its work would need more)/;
    expect(r.whys.console).toMatch(new RegExp(`^first cause \\(no lost deliveries\\): ${named.source}`));
    expect(r.stdout).toMatch(new RegExp(`    why: ${named.source}.*\\n {6}what would move it: more memory, since Lambda's CPU share follows it`));
    expect(r.whys.md).toMatch(new RegExp(`^> Why: no lost deliveries\\. ${named.source}`));
    expect(r.whys.html).toMatch(new RegExp(`^Why: no lost deliveries\\. ${named.source}`));
    hostNotACause(r.stdout);
  });

  it('a Python send whose role lacks execute-api:ManageConnections: every post denied, the first why names the permission and the statement to add', { timeout: 60_000 }, async () => {
    const r = await run(
      'py-denied',
      ['clients: 3', 'protocol: sendmessage', 'timeouts: { loss: 3s, grace: 1s }', 'phases:', '  - connect: { rate: 50 }', '  - send: { duration: 1s, rate: 1 }'],
      ['--template', PYTHON, '--parameter', 'SendMayPost=false', '--parameter', 'SendMemorySize=1024'],
    );
    expect(r.results.deliveries.lost).toBe(r.results.deliveries.expected);
    const sent = r.results.sends.sent;
    const named = new RegExp(
      `python-sendmessage-SendMessageFunction-\\w+: ${sent} errors? in ${sent} invocations?: AccessDeniedException: not authorized to perform execute-api:ManageConnections on arn:aws:execute-api:us-east-1:\\*{8}0000:\\w+/Prod/POST/@connections/\\{connectionId\\} ×${sent} \\(at app\\.py:\\d+ in send_message\\)`,
    );
    expect(r.whys.console).toMatch(new RegExp(`^first cause \\(no lost deliveries\\): ${named.source}`));
    expect(r.stdout).toMatch(
      new RegExp(`    why: ${named.source}\\n {6}what would move it: add to the role python-sendmessage-SendMessageFunctionRole-\\w+ the statement \\{"Effect":"Allow","Action":"execute-api:ManageConnections",`),
    );
    expect(r.whys.md).toMatch(new RegExp(`^> Why: no lost deliveries\\. ${named.source}`));
    // what the send used of its role, read through IAM and Access Analyzer: the Scan and the logs Lambda wrote with its role, no post (each was denied)
    expect(r.stdout).toMatch(
      // the console summarises the lists in one line (each grant in summary.md): the functions with unused grants, and their counts
      /^  permissions  grants unused in \d+ functions: .*python-sendmessage-SendMessageFunction-\w+ \d+ of \d+.* \(each grant in summary\.md\)$/m,
    );
    // and, before them, the call IAM denied the send
    expect(r.stdout).toMatch(/^  denied {7}python-sendmessage-SendMessageFunction-\w+: denied execute-api:ManageConnections on \w+\/Prod\/POST\/@connections\/\* ×\d+ \(no statement allows it\)$/m);
    const send = r.results.permissions!.functions.find((f) => f.function.includes('SendMessageFunction'))!;
    expect(send.leastPrivilege!.Statement).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:Scan', Resource: expect.stringMatching(/:table\/python-sendmessage-ConnectionsTable-\w+$/) },
      { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: expect.stringMatching(/:log-group:\/aws\/lambda\/python-sendmessage-SendMessageFunction-\w+:\*$/) },
    ]);
  });

  it("a route API Gateway may not invoke: the stage's execution log's failures, the first why names the route and the AWS::Lambda::Permission to add", { timeout: 60_000 }, async () => {
    const r = await run(
      'unpermitted',
      ['clients: 2', 'timeouts: { loss: 2s, grace: 1s }', 'protocol:', '  name: unpermitted', '  membership: { model: all }', '  send:', '    frame: { action: unpermitted, data: "{{probe}}" }', 'phases:', '  - connect: { rate: 20 }', '  - send: { duration: 1s, rate: 2 }'],
      ['--template', IAM],
    );
    const failed = r.results.errors['frame:Internal server error']!;
    expect(failed).toBe(r.results.sends.sent);
    const fn = r.results.config.target.functions!.functions.find((f) => f.route === 'unpermitted')!.name;
    expect(r.results.cloudwatch!.invokePermissionFailures).toEqual([
      { route: 'unpermitted', functionArn: expect.stringMatching(new RegExp(`^arn:aws:lambda:us-east-1:\\d{12}:function:${fn}$`)), authorizer: false, count: failed, firstAt: expect.any(Number) },
    ]);
    const named = `API Gateway may not invoke ${fn} (route unpermitted): ${failed} requests failed with "Execution failed due to configuration error: Invalid permissions on Lambda function" (its execution log), each answered "Internal server error"`;
    expect(r.whys.console).toBe(`first cause (no lost deliveries): ${named}`);
    expect(r.stdout).toMatch(
      new RegExp(`    why: ${named.replace(/[()."]/g, '\\$&')}\\n {6}what would move it: add the resource AWS::Lambda::Permission \\{"Action":"lambda:InvokeFunction",`),
    );
  });

  it('the same send under --iam report: every post goes through, the stack says each would-be denial, and the permissions used name the post its role does not grant', { timeout: 60_000 }, async () => {
    const file = join(work, 'py-report.yaml');
    writeFileSync(file, ['name: py-report', 'rooms: 1', 'seed: 7', 'clients: 2', 'protocol: sendmessage', 'timeouts: { loss: 3s, grace: 1s }', 'phases:', '  - connect: { rate: 50 }', '  - send: { duration: 1s, rate: 1 }', ''].join('\n'));
    const out = join(work, 'py-report');
    const r = await runCli(['run', file, '--template', PYTHON, '--parameter', 'SendMayPost=false', '--parameter', 'SendMemorySize=1024', '--iam', 'report', '--prepared', '0', '--summary', 'full', '--out', out], { timeoutMs: 50_000 });
    const dir = join(out, readdirSync(out)[0]!);
    const results = Results.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
    // every check passes, but for a harness a busy host saturated
    expectPassedButForHost(r.code, results, r.stdout + r.stderr);
    expect(results.deliveries).toMatchObject({ lost: 0, received: results.deliveries.expected });
    expect(readFileSync(join(dir, 'stack.log'), 'utf8')).toMatch(/^iam: would deny \(report\): User: arn:aws:sts::\d{12}:assumed-role\/python-sendmessage-SendMessageFunctionRole-\w+\/python-sendmessage-SendMessageFunction-\w+ is not authorized to perform: execute-api:ManageConnections on resource: /m);
    const send = results.permissions!.functions.find((f) => f.function.includes('SendMessageFunction'))!;
    expect(send.used).toContainEqual({ action: 'execute-api:ManageConnections', resource: expect.stringMatching(/\/POST\/@connections\/\*$/) });
    expect(send.granted!.filter((g) => g.action.startsWith('execute-api:'))).toEqual([]);
  });

  it('a Python broadcast stopped by its first GoneException after a drop: the exception, its count and the 410s; the host not named for the loss', { timeout: 90_000 }, async () => {
    // a dropped connection's row stays (no $disconnect): the loop meets it and stops there, so the
    // connections after it in the Scan's order miss every message (4 of 12 dropped: all four last in
    // the Scan's order, no loss, one time in 495). A send a second: the next one comes after the
    // first's cold start, not held back for an INIT slot behind it (2 s, half a second apart, on a
    // busy CI host: within reach of the function's 3 s Timeout, so rightly named)
    const r = await run(
      'py-gone',
      ['clients: 12', 'protocol: sendmessage', 'target: { lostDisconnectShare: 1 }', 'timeouts: { loss: 4s, grace: 2s }', 'phases:', '  - connect: { rate: 20 }', '  - drop: { share: 0.34 }', '  - send: { duration: 3s, rate: 1 }'],
      ['--template', PYTHON, '--parameter', 'SendMemorySize=1024'],
    );
    const sent = r.results.sends.sent;
    const gone = r.results.stale!.gone410;
    expect(gone).toBe(sent);
    // its rows never deleted: the built-in stale check fails too, its why the exception its code threw
    expect(r.results.verdict!.checks.find((c) => c.name === 'stale connections cleaned')).toMatchObject({
      passed: false,
      detail: `never cleaned: ${gone} posts answered 410 to the 4 dropped clients' connections, the last of them at the run's last message; ${gone} wasted posts`,
    });
    const staleWhy = r.results.verdict!.explanations!.find((e) => e.check === 'stale connections cleaned')!.evidence;
    expect(staleWhy).toEqual([expect.objectContaining({ factor: 'function-errors', line: expect.stringMatching(new RegExp(`^python-sendmessage-SendMessageFunction-\\w+ threw GoneException ×${sent} \\(at app\\.py:\\d+ in send_message\\)$`)), share: 1 })]);
    const named = new RegExp(
      `python-sendmessage-SendMessageFunction-\\w+: ${sent} errors in ${sent} invocations: GoneException: An error occurred \\(GoneException\\) when calling the PostToConnection operation: \\w* ×${sent} \\(at app\\.py:\\d+ in send_message\\); ${gone} posts answered 410 \\(stale connections\\), each ending its invocation's loop`,
    );
    expect(r.whys.console).toMatch(new RegExp(`^first cause \\(no lost deliveries\\): ${named.source}`));
    expect(r.whys.md).toMatch(new RegExp(`^> Why: no lost deliveries\\. ${named.source}`));
    expect(r.whys.html).toMatch(new RegExp(`^Why: no lost deliveries\\. ${named.source}`));
    // the host's waits (well under the loss timeout and the Timeout) are said beside the latencies, not as a cause
    hostNotACause(r.stdout);
  });
});
