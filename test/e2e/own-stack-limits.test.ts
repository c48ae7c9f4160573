import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { Search } from '../../src/analyses/search/search-schema.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli } from './cli.ts';
import { openSocket, stackUp, stopStacks } from './stack-up.ts';

/**
 * The limits of a stack of your own, found through the CLI as a user finds them (issue 31): the
 * provisioned-capacity fixture under a rising load is throttled by DynamoDB (the functions'
 * ProvisionedThroughputExceededException in their logs, Read/WriteThrottleEvents in CloudWatch) and
 * `search` names the limit `dynamodb-throttles`. Few clients, seconds per step. (A broadcast that
 * forgets to await its posts: own-stack-unawaited.test.ts, a file of its own so that each file is
 * one file's minutes.)
 */
const ROOT = resolve(import.meta.dirname, '../..');
const PROVISIONED = join(ROOT, 'test/fixtures/stacks/provisioned-cfn/template.json');
const work = mkdtempSync(join(tmpdir(), 'fb-own-limits-'));
afterAll(() => {
  stopStacks();
  rmSync(work, { recursive: true, force: true });
});

function file(name: string, lines: string[]): string {
  const path = join(work, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The provisioned fixture's protocol: `send` Scans the table and posts `{"from","text"}` to every connection, answering `{"sent":n}`. */
const SEND_ALL = [
  'protocol:',
  '  name: send-all',
  '  membership: { model: all }',
  '  send:',
  '    frame: { action: send, text: "{{probe}}" }',
  '    ack: { json: "$.sent" }',
];

describe('the provisioned fixture under a rising load', () => {
  // 1 RCU: each send's Scan needs half a unit or more, so a few messages a second (once the unused
  // capacity saved between steps is spent) are more than the table serves; 50 WCU keep the
  // connects' writes out of it. The table saves 1 RCU a second between steps, for as long as a
  // step takes on the host: 4 s holds at 32/s spend 64 units, more than a minute's savings (with
  // 2 s holds, a slow host's savings covered every step, and the search found no limit).
  const parameters = ['--parameter', 'ReadCapacity=1', '--parameter', 'WriteCapacity=50'];

  it('search names dynamodb-throttles, with the failing load throttled in AWS/DynamoDB', { timeout: 300_000 }, async () => {
    // No host cap on environments: at 1,769 MB the emulator's cap (half an environment per core)
    // left the send function one environment, so a busy host served the Scans too slowly to spend
    // the table's units, and the search named the host instead of the table (seen beside a
    // typecheck). The table is then the one limit the test sets. 4 clients: a Scan of 4 items
    // still costs its half unit, while each message is 4 posts, not 8, and each step 4 connects.
    const scenario = file('provisioned.yaml', ['name: provisioned', 'clients: 4', 'rooms: 1', 'seed: 5', 'timeouts: { loss: 2s }', 'target: { hostEnvironmentsPerCore: 0 }', ...SEND_ALL, 'phases:', '  - connect: { rate: 20 }', '  - send: { duration: 2s, rate: 2 }']);
    const out = join(work, 'search');
    const r = await runCli(
      // the send function by its logical id: set through Lambda's API by its name, and put back
      ['search', scenario, '--template', PROVISIONED, ...parameters, '--memory', 'SendFunction=1769', '--vary', 'rate', '--slo', 'broadcast.p99 < 1000ms', '--from', '2', '--to', '32', '--hold', '4s', '--warm-up', '0s', '--resolution', '100%', '--shards', '1', '--no-progress', '--out', out],
      { timeoutMs: 280_000 },
    );
    const [id] = readdirSync(out).filter((d) => d.includes('search-'));
    const s = Search.parse(JSON.parse(readFileSync(join(out, id!, 'search.json'), 'utf8')));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(s.answer, r.stdout).toMatchObject({ kind: 'limit-found', limitingFactor: 'dynamodb-throttles' });
    expect(s.answer.maxPassing!).toBeGreaterThanOrEqual(2);
    expect(r.stdout).toMatch(/limited by DynamoDB throttled [\d,]+ requests \(provisioned-cfn-ConnectionsTable-/);
    expect(s.restored).toEqual([expect.stringMatching(/^provisioned-cfn-SendFunction-[A-Z0-9]{13} memory back to 1024 MB$/)]);

    // the failing load's own results (a measurement of it that did not meet the SLOs and named the
    // throttles): the Scans throttled, as read events of the provisioned table
    const failing = s.steps.find((st) => st.load === s.answer.firstFailing && !st.passed && st.evidence.some((e) => e.factor === 'dynamodb-throttles'))!;
    expect(failing, JSON.stringify(s.steps.map((st) => [st.load, st.passed, st.evidence.map((e) => e.factor)]))).toBeDefined();
    const results = Results.parse(JSON.parse(readFileSync(join(out, id!, failing.dir, 'results.json'), 'utf8')));
    const send = Object.entries(results.lambda!.functions).find(([fn]) => fn.startsWith('provisioned-cfn-SendFunction-'))!;
    expect(send[1].memoryMB).toBe(1769);
    const tables = Object.entries(results.cloudwatch!.dynamodb ?? {});
    expect(tables).toHaveLength(1);
    const [name, table] = tables[0]!;
    expect(name).toMatch(/^provisioned-cfn-ConnectionsTable-/);
    expect(table.readThrottleEvents).toBeGreaterThan(0);
    expect(table.operations.Scan!.throttled).toBe(table.readThrottleEvents);
    expect(table.writeThrottleEvents).toBe(0);
    // what the clients saw of it depends on the SDK's retries: a throttled Scan retried in time loses nothing, so no count of lost deliveries is asserted
    // the reference stack's own metrics are not expected of another stack: nothing "partial" for want of them
    expect(r.stderr).not.toMatch(/CloudWatch pull partial: \n/);
    expect(results.cloudwatch!.completeness?.emf).toBeUndefined();
  });

  it("the send function's log says ProvisionedThroughputExceededException once the SDK gives up", { timeout: 180_000 }, async () => {
    // --prepared 0: the sends need no environment INIT'd before the stack is ready. (Not in the
    // search above: there, sends slowed by their INITs spent the table's units more slowly, and 8
    // messages/s passed its first visit before failing its confirms, two steps more.)
    const ready = await stackUp(['--template', PROVISIONED, ...parameters, '--prepared', '0']);
    const clients = await Promise.all(Array.from({ length: 4 }, () => openSocket(ready.websocketUrl)));
    const answers: string[] = [];
    for (const ws of clients) ws.on('message', (d: Buffer) => answers.push(d.toString('utf8')));
    // 40 sends at once against 1 RCU: the SDK's retries cannot wait long enough for most of them
    for (let i = 0; i < 10; i++) for (const ws of clients) ws.send(JSON.stringify({ action: 'send', text: `m${i}` }));
    const deadline = Date.now() + 60_000;
    while (!answers.some((a) => a.includes('Internal server error')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(answers.some((a) => a.includes('Internal server error'))).toBe(true);
    for (const ws of clients) ws.close();

    const send = ready.functions.find((f) => f.route === 'send')!.name;
    const logs = new CloudWatchLogsClient({ endpoint: ready.cloudwatchEndpoint, region: ready.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      let found = 0;
      for (let i = 0; i < 50 && found === 0; i++) {
        const page = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${send}`, filterPattern: '"ProvisionedThroughputExceededException"' }));
        found = page.events?.length ?? 0;
        if (found === 0) await new Promise((r) => setTimeout(r, 200));
      }
      expect(found).toBeGreaterThan(0);
    } finally {
      logs.destroy();
    }
  });
});
