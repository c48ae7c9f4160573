import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayClient, UpdateAccountCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, DeleteAccessLogSettingsCommand, GetStageCommand, UpdateStageCommand, type AccessLogSettings } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/contracts/results-schema.ts';
import { HARNESS_ACCESS_LOG_FORMAT } from '../../src/metrics/attribution/access-log-format.ts';
import { logGroupOfArn, runAccessLogGroup } from '../../src/targets/access-logging.ts';
import { BIN, expectOneLine } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';
import { cliIn, onlyRun, results, SCENARIO, stackForAws, stopAwsTimedStacks, type AwsTimedStack } from './aws-timed-stack.ts';

/**
 * `--access-log` through the CLI against the emulator reached as a deployed stack
 * (`--target aws:FanoutBenchChat`, the SDK pointed at it by the export block's variables, the
 * real clients on both sides, no mock): `enable` sets the stage's access logging while the run
 * measures and puts back what was there when it ends, also when SIGTERM ends it mid-run; what
 * cannot be had (no logging to use, a format without what the join needs, an account without the
 * API Gateway CloudWatch role) is one line and exit 2 before any load. One stack for the file.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-access-log-'));
const cli = cliIn(dir);
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let stack: AwsTimedStack;
let apigw: ApiGatewayV2Client;
let account: APIGatewayClient;
let logs: CloudWatchLogsClient;
let ourGroup: string;

beforeAll(async () => {
  stack = await stackForAws(dir);
  const { ready } = stack;
  apigw = new ApiGatewayV2Client({ endpoint: ready.apiGatewayV2Endpoint, region: ready.region, credentials });
  account = new APIGatewayClient({ endpoint: ready.apiGatewayV2Endpoint, region: ready.region, credentials });
  logs = new CloudWatchLogsClient({ endpoint: ready.cloudwatchEndpoint, region: ready.region, credentials });
  ourGroup = runAccessLogGroup(ready.apiId, ready.stage);
}, 160_000);

afterAll(() => {
  apigw?.destroy();
  account?.destroy();
  logs?.destroy();
  stopAwsTimedStacks();
  rmSync(dir, { recursive: true, force: true });
});

const TARGET = ['--target', 'aws:FanoutBenchChat'];
/** the emulator publishes at once: a short wait for CloudWatch keeps the file quick */
const QUICK_PULL = ['--metrics-wait', '5s'];

const stageLogging = async (): Promise<AccessLogSettings | undefined> =>
  (await apigw.send(new GetStageCommand({ ApiId: stack.ready.apiId, StageName: stack.ready.stage }))).AccessLogSettings;

async function setStageLogging(settings: AccessLogSettings | undefined): Promise<void> {
  const at = { ApiId: stack.ready.apiId, StageName: stack.ready.stage };
  if (settings) await apigw.send(new UpdateStageCommand({ ...at, AccessLogSettings: settings }));
  else await apigw.send(new DeleteAccessLogSettingsCommand(at));
}

/** A log group of the user's own, and its ARN. */
async function userGroup(name: string): Promise<string> {
  await logs.send(new CreateLogGroupCommand({ logGroupName: name })).catch(() => undefined);
  const listed = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
  return listed.logGroups!.find((g) => g.logGroupName === name)!.logGroupArn!;
}

/**
 * The CLI in a child process while the stage is watched: whether the run's own logging was ever
 * on, and `onSet` told the first time it is (it may signal the child).
 */
function runWatched(args: string[], onSet?: (kill: (signal: NodeJS.Signals) => void) => void): Promise<{ code: number | null; stderr: string; sawOurs: boolean }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: stack.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  let sawOurs = false;
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const s = await stageLogging().catch(() => undefined);
      if (!sawOurs && s?.DestinationArn && logGroupOfArn(s.DestinationArn) === ourGroup && s.Format === HARNESS_ACCESS_LOG_FORMAT) {
        sawOurs = true;
        onSet?.((signal) => child.kill(signal));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return new Promise((resolve) => {
    child.on('exit', async (code) => {
      watching = false;
      await watch;
      resolve({ code, stderr, sawOurs });
    });
  });
}

describe('--access-log enable on an aws: target', { timeout: 240_000 }, () => {
  it("sets the stage's access logging for the run, traces its requests through it, and puts back none where there was none", async () => {
    await setStageLogging(undefined);
    const out = join(dir, 'enable');
    const r = await runWatched(['run', ...SCENARIO, ...TARGET, '--access-log', 'enable', ...QUICK_PULL, '--out', out]);
    expect(r.sawOurs, r.stderr).toBe(true);
    expect(await stageLogging()).toBeUndefined();
    const res: Results = results(onlyRun(out));
    expect(res.status).toBe('completed');
    expectPassedButForHost(r.code, res, r.stderr);
    const a = res.attribution!;
    expect(a).toMatchObject({ source: 'access-log', accessLog: 'enable', logGroup: ourGroup });
    // every connect, answer and delivery the 4 clients timed, traced to its invocation
    expect(a.requests.timed).toBeGreaterThan(0);
    expect(a.requests).toMatchObject({ unattributed: 0, why: {} });
    expect(a.connect!.all.count).toBe(res.connections!.opened);
    expect(a.routes.map((x) => x.route)).toEqual(expect.arrayContaining(['$connect', 'sendMessage']));
    // the cold/warm metrics are the access log's: each connect cold or warm by its invocation
    expect(res.metrics.connectCold!.count + res.metrics.connectWarm!.count).toBe(a.connect!.all.count);
    // an aws: target: the emulator's host waits are never asked for
    expect(a.stack).toBeUndefined();
  });

  it("SIGTERM mid-run: the run ends interrupted (143) and the stage's own logging is back as it was", async () => {
    const mine: AccessLogSettings = { DestinationArn: await userGroup('/team/chat/access-log'), Format: '$context.requestId $context.connectionId $context.eventType' };
    await setStageLogging(mine);
    const out = join(dir, 'sigterm');
    const long = SCENARIO.map((a, i) => (SCENARIO[i - 1] === '--duration' ? '30s' : a));
    const r = await runWatched(['run', ...long, ...TARGET, '--access-log', 'enable', ...QUICK_PULL, '--out', out], (kill) => setTimeout(() => kill('SIGTERM'), 3_000));
    expect(r.sawOurs, r.stderr).toBe(true);
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toContain('fanout-bench: interrupting (SIGTERM): writing what was measured');
    expect(await stageLogging()).toEqual(mine);
    expect(results(onlyRun(out)).status).toBe('interrupted');
  });
});

describe('what --access-log cannot have is one line, exit 2, before any load', { timeout: 120_000 }, () => {
  it('use on a stage without access logging: the stage and the fix', async () => {
    await setStageLogging(undefined);
    // asked for: refused (taken by default, the same line is a warning and the run goes on untraced)
    const r = await cli(['run', ...SCENARIO, ...TARGET, '--access-log', 'use', '--out', join(dir, 'use-none')], stack.env);
    const { apiId, stage } = stack.ready;
    expectOneLine(
      r,
      `aws:FanoutBenchChat: --access-log use: stage ${stage} of API ${apiId} has no access logging; give --access-log enable (the run sets it and puts it back), or set the stage's access log format to ${HARNESS_ACCESS_LOG_FORMAT}`,
    );
  });

  it('use on a stage whose format lacks what the join needs: the variables, and the format to paste', async () => {
    await setStageLogging({ DestinationArn: await userGroup('/team/chat/access-log'), Format: '$context.requestId $context.connectionId $context.eventType $context.routeKey' });
    const r = await cli(['run', ...SCENARIO, ...TARGET, '--access-log', 'use', '--out', join(dir, 'use-lacks')], stack.env);
    expectOneLine(r, /^fanout-bench: aws:FanoutBenchChat: --access-log use: the access log format of stage \S+ of API \S+ lacks \$context\.requestTimeEpoch, \$context\.integration\.requestId, \$context\.identity\.userAgent, which the run needs/);
  });

  it("enable on an account without API Gateway's CloudWatch role: what AWS needs, and the stage left alone", async () => {
    const before = await stageLogging();
    await account.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: '' }] }));
    try {
      const r = await cli(['run', ...SCENARIO, ...TARGET, '--access-log', 'enable', '--out', join(dir, 'no-role')], stack.env);
      expectOneLine(r, /^fanout-bench: aws:FanoutBenchChat: --access-log enable: the account has no API Gateway CloudWatch Logs role in us-east-1: AWS refuses access logging without it; set it with AWS::ApiGateway::Account CloudWatchRoleArn, or aws apigateway update-account /);
    } finally {
      await account.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: `arn:aws:iam::000000000000:role/ApiGatewayCloudWatchLogsRole` }] }));
    }
    expect(await stageLogging()).toEqual(before);
  });

  it('a URL has no stage the run can reach: use or enable is refused, the dry run too', async () => {
    expectOneLine(
      await cli(['run', 'fanout', '--target', 'ws://127.0.0.1:9/', '--access-log', 'enable', '--dry-run']),
      "--access-log enable: --target ws://127.0.0.1:9/ is a URL: the run reaches no AWS API of it to read a stage's access log; give --access-log off, or the stack as aws:<stackName> or aws-api:<apiId>/<stage>",
    );
    expectOneLine(await cli(['run', 'fanout', '--access-log', 'sometimes', '--dry-run']), '--access-log: must be one of use, enable, off, got "sometimes"');
  });
});
