import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { escapeHtml, escapeMarkdown } from '../../src/report/shared/escape.ts';
import { quotaAttributionLine } from '../../src/report/run/quota-text.ts';
import { expectOneLine, runCli, type CliResult } from './cli.ts';

// The quotas a scenario is held against, through the real CLI in a child process:
// - `--target aws:FanoutBenchChat` against the emulator with its stage throttle and account
//   concurrency lowered, reached through the SDK's standard configuration (the ready line's
//   AWS_ENDPOINT_URL_* variables): the plan reads them from the "account" and names every limit the
//   scenario passes; a payload whose frame cannot pass is exit 2 before any connection.
// - `--target local` with the emulator's limits lowered by its config file: the plan reads them,
//   and a real run's 429s at handshake and 1009 closes are attributed to their limits in the
//   console, results.json and the reports.

const dir = mkdtempSync(join(tmpdir(), 'fb-quotas-'));
const REGION = 'eu-west-1';
let stack: RunningStack;

beforeAll(async () => {
  stack = await startStack({
    config: defaultStackConfig({
      region: REGION,
      lambda: { accountConcurrency: 40, preparedPerFunction: 0 },
      functions: { 'fanout-send-message': { reservedConcurrency: 10 } },
      // the stage's own throttle (what GetStage answers) and the account's (what GetAccount answers)
      limits: { stageRps: 300, stageBurst: 150, accountRps: 600, accountBurst: 300 },
    }),
    log: () => {},
  });
}, 60_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI as a user on an `aws:` target runs it: region, (dummy) credentials and the ready line's endpoint variables. */
function awsCli(args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  Object.assign(env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...stack.ready.awsEndpointUrls,
  });
  return runCli(args, { env, timeoutMs: 90_000 });
}

function scenarioFile(name: string, text: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe('aws:<stackName>: the plan reads the account and holds the scenario to it', { timeout: 120_000 }, () => {
  it('one line per limit passed, naming the limit, its value and where it comes from, and the scenario\'s figure', async () => {
    const file = scenarioFile(
      'over-aws',
      `name: over-aws
clients: 2000
rooms: 20
phases:
  - connect: { rate: 800, maxInFlight: 50 }
  - join: { rate: 200, maxInFlight: 20 }
  - send: { duration: 10s, rate: 10, payloadBytes: 64 }
  - idle: { duration: 11m }
  - send: { duration: 2h, rate: 10, senders: { share: 1 } }
`,
    );
    const r = await awsCli(['run', file, '--target', 'aws:FanoutBenchChat', '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^fanout-bench over-aws: valid: .* against aws:FanoutBenchChat;/);
    expect(lines.slice(1)).toEqual([
      `quotas: the stage's throttles (GetStage), the account's throttle (GetAccount) and the account's Lambda concurrency (GetAccountSettings) read from aws:FanoutBenchChat in ${REGION}; API Gateway's WebSocket quotas as AWS documents their defaults`,
      `quota: connect phase "connect" opens 800 connections/s, over API Gateway's 500 new connections/s per account and region (AWS's documented default): expect 429s at handshake`,
      // $connect is a route: the stage's throttle holds it
      `quota: connect phase "connect" opens 800 connections/s, over the stage's throttle of 300 requests/s (read from the account), burst 150 ($connect is one of its routes): expect 429s at handshake`,
      `quota: connect phase "connect" keeps up to 50 invocations running (maxInFlight), over Lambda's 30 unreserved concurrent executions (read from the account): expect throttled invocations (500 at handshake)`,
      // 10 messages/s to rooms of 100: under the stage's 300/s, but with their 1,000 posts/s over the account's 600/s
      `quota: send phase "send" makes about 1,010 requests/s (10 messages/s + 1,000 @connections posts/s = rate × room size), over the account's throttle of 600 requests/s (read from the account), burst 300, which messages and posts share: expect 429s on messages and LimitExceededException on posts`,
      `quota: send phase "send-2" makes about 1,010 requests/s (10 messages/s + 1,000 @connections posts/s = rate × room size), over the account's throttle of 600 requests/s (read from the account), burst 300, which messages and posts share: expect 429s on messages and LimitExceededException on posts`,
      // rooms hear a message every 2 s in "send": only the idle phase is quiet, under the rule assumed
      `quota: clients stay quiet (no message of their own, none delivered to them) for about 11m (idle), over API Gateway's 10 min idle timeout (AWS's documented default): expect closes with 1001 (going away) (assumed: traffic either way resets the idle timer; AWS does not document which)`,
      expect.stringMatching(/^quota: the run lasts about \S+, over API Gateway's 2 h connection lifetime \(AWS's documented default\): expect closes with 1001 \(going away\) at that age$/),
    ]);
  });

  it('a payload whose frame cannot pass 32 KB: exit 2, one line, before any connection', async () => {
    const file = scenarioFile(
      'big-frame',
      `name: big-frame
clients: 4
rooms: 1
phases:
  - connect: {}
  - join: {}
  - send: { name: big, duration: 2s, rate: 2, payloadBytes: 40000 }
`,
    );
    const connects = () => stack.metrics.listMetrics({ namespace: 'AWS/ApiGateway', metricName: 'ConnectCount' }).length;
    expect(connects()).toBe(0);
    const out = join(dir, 'reports-big');
    const line = /^fanout-bench: .*big-frame\.yaml: phases\[2\]\.send\.payloadBytes: 40,000 bytes make a 40,\d{3}-byte sendMessage frame, over API Gateway's 32,768-byte WebSocket frame \(AWS's documented default\): the harness sends each message as one frame, which the target refuses \(at most 32,\d{3} bytes of payload fit\)\n$/;
    expectOneLine(await awsCli(['run', file, '--target', 'aws:FanoutBenchChat', '--dry-run']), line);
    expectOneLine(await awsCli(['run', file, '--target', 'aws:FanoutBenchChat', '--out', out, '--no-progress']), line);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    // no WebSocket reached the stack (not even the probe); one that does is seen here
    expect(connects()).toBe(0);
    const ws = new WebSocket(stack.ready.websocketUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.close();
    expect(connects()).toBeGreaterThan(0);
  });
});

describe('--target local: the emulator\'s configured limits, before and during a run', { timeout: 180_000 }, () => {
  const config = join(dir, 'emulator.yaml');
  beforeAll(() => writeFileSync(config, 'limits:\n  newConnectionsPerSecond: 10\n  maxMessageBytes: 2000\n'));

  it('the plan reads the config; a real run attributes its 429s at handshake and its 1009 closes', async () => {
    const file = scenarioFile(
      'over-local',
      `name: over-local
clients: 30
rooms: 3
target:
  config: ${config}
timeouts: { connect: 5s, ack: 5s, loss: 3s }
phases:
  - connect: { rate: 200, maxInFlight: 30 }
  - join: { rate: 200 }
  - send: { name: big, duration: 1s, rate: 10, payloadBytes: 2500, senders: { share: 1 } }
`,
    );
    const dry = await runCli(['run', file, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout.trimEnd().split('\n').slice(1)).toEqual([
      `quotas: the local emulator's limits (its config file ${config}, over its defaults); it refuses messages over its size, not frames`,
      `quota: connect phase "connect" opens 200 connections/s, over API Gateway's 10 new connections/s per account and region (the emulator's config): expect 429s at handshake`,
      expect.stringMatching(/^quota: send phase "big" sends 2,\d{3}-byte messages, over API Gateway's 2,000-byte WebSocket message \(the emulator's config\): expect closes with 1009 \(message too big\)$/),
    ]);

    const out = join(dir, 'reports-local');
    // no environments prepared: the limits are the subject, not cold starts
    const r = await runCli(['run', file, '--out', out, '--no-progress', '--shards', '1', '--prepared', '0', '--summary', 'full'], { timeoutMs: 150_000 });
    expect(r.stdout).toMatch(/^ {2}plan {9}quota: connect phase "connect" opens 200 connections\/s/m);
    const [runId] = readdirSync(out);
    const runDir = join(out, runId!);
    const results = Results.parse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')));
    const refused = results.errors['handshake:429'] ?? 0;
    const closed = results.errors['close:1009'] ?? 0;
    expect(refused).toBeGreaterThan(0);
    expect(closed).toBeGreaterThan(0);
    const attributed = [
      `${refused} connects refused with 429 at handshake: the new-connection quota, API Gateway's 10 new connections/s per account and region (the emulator's config)`,
      `${closed} connections closed with 1009 (message too big): API Gateway's 2,000-byte WebSocket message (the emulator's config)`,
    ].sort();
    expect(results.quotas!.attributed!.map((a) => typeof a !== 'string' && [a.limit, a.evidence, a.count]).sort()).toEqual([
      ['messageBytes', 'close-1009', closed],
      ['newConnectionsPerSecond', 'handshake-429', refused],
    ]);
    expect(results.quotas!.attributed!.map(quotaAttributionLine).sort()).toEqual(attributed);
    for (const line of attributed) {
      expect(r.stdout).toContain(`  quota        ${line}\n`);
      expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain(`- **${escapeMarkdown(line)}**`);
      expect(readFileSync(join(runDir, 'index.html'), 'utf8')).toContain(`<li><strong>${escapeHtml(line)}</strong></li>`);
    }
  });
});
