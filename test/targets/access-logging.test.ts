import { APIGatewayClient, UpdateAccountCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, DeleteAccessLogSettingsCommand, GetStageCommand, UpdateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { parseTargetSpec } from '../../src/contracts/target-spec.ts';
import { HARNESS_ACCESS_LOG_FORMAT } from '../../src/metrics/attribution/access-log-format.ts';
import { checkRunInput } from '../../src/session/run-input.ts';
import { defaultAccessLogMode, logGroupOfArn, prepareAccessLogging, runAccessLogGroup } from '../../src/targets/access-logging.ts';
import { resolveTarget } from '../../src/targets/resolve-target.ts';
import type { Target } from '../../src/targets/target.ts';

// The stage's access logging for a run, asked of the local emulator's API Gateway and CloudWatch
// Logs through the real SDK clients (the very calls an aws: target makes of AWS): `enable` sets
// it and puts back what was there, `use` reads the stage's own, and what cannot be had is one
// line before any load.

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let target: Target;
let apigw: ApiGatewayV2Client;
let account: APIGatewayClient;
let logs: CloudWatchLogsClient;
let apiId: string;
let stage: string;

beforeAll(async () => {
  target = await resolveTarget({ spec: parseTargetSpec('local'), knobs: { preparedPerFunction: 0 } });
  const ready = target.local!;
  apiId = ready.apiId;
  stage = ready.stage;
  apigw = new ApiGatewayV2Client({ endpoint: ready.apiGatewayV2Endpoint, region: ready.region, credentials });
  account = new APIGatewayClient({ endpoint: ready.apiGatewayV2Endpoint, region: ready.region, credentials });
  logs = new CloudWatchLogsClient({ endpoint: ready.cloudwatchEndpoint, region: ready.region, credentials });
}, 90_000);

afterAll(async () => {
  apigw?.destroy();
  account?.destroy();
  logs?.destroy();
  await target?.stop();
});

const stageLogging = async () => (await apigw.send(new GetStageCommand({ ApiId: apiId, StageName: stage }))).AccessLogSettings;

/** A log group of the user's own, and its ARN. */
async function userGroup(name: string): Promise<string> {
  await logs.send(new CreateLogGroupCommand({ logGroupName: name })).catch(() => undefined);
  const listed = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
  return listed.logGroups!.find((g) => g.logGroupName === name)!.logGroupArn!;
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('not refused'),
    (e: unknown) => {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).exitCode).toBe(2);
      expect((e as Error).message).not.toContain('\n');
      return (e as Error).message;
    },
  );

describe('--access-log enable', { timeout: 60_000 }, () => {
  it("sets the stage's logging to the run's group and format, and puts back none where there was none", async () => {
    await apigw.send(new DeleteAccessLogSettingsCommand({ ApiId: apiId, StageName: stage }));
    expect(await stageLogging()).toBeUndefined();
    const logging = await prepareAccessLogging(target, 'enable');
    const group = runAccessLogGroup(apiId, stage);
    expect(logging.log).toEqual({ mode: 'enable', logGroup: group, format: HARNESS_ACCESS_LOG_FORMAT, stage: `${apiId}/${stage}` });
    const set = await stageLogging();
    expect(set?.Format).toBe(HARNESS_ACCESS_LOG_FORMAT);
    expect(logGroupOfArn(set!.DestinationArn!)).toBe(group);
    await logging.restore();
    await logging.restore();
    expect(await stageLogging()).toBeUndefined();
  });

  it("puts back the stage's own settings, and a second run finds its group already there", async () => {
    const mine = { DestinationArn: await userGroup('/my/own/access-log'), Format: '$context.requestId $context.connectionId $context.eventType' };
    await apigw.send(new UpdateStageCommand({ ApiId: apiId, StageName: stage, AccessLogSettings: mine }));
    const logging = await prepareAccessLogging(target, 'enable');
    expect(logGroupOfArn((await stageLogging())!.DestinationArn!)).toBe(runAccessLogGroup(apiId, stage));
    await logging.restore();
    expect(await stageLogging()).toEqual(mine);
  });

  it('an account without the API Gateway CloudWatch role: one line, and the stage is left as it was', async () => {
    const before = await stageLogging();
    await account.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: '' }] }));
    try {
      const line = await refusal(prepareAccessLogging(target, 'enable'));
      expect(line).toMatch(/^local emulator: --access-log enable: the account has no API Gateway CloudWatch Logs role in us-east-1: AWS refuses access logging without it; set it with AWS::ApiGateway::Account CloudWatchRoleArn, or aws apigateway update-account /);
    } finally {
      await account.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: 'arn:aws:iam::000000000000:role/ApiGatewayCloudWatchLogsRole' }] }));
    }
    expect(await stageLogging()).toEqual(before);
  });
});

describe('--access-log use', { timeout: 60_000 }, () => {
  it("reads the stage's own group, in its own format", async () => {
    const arn = await userGroup('/my/complete/access-log');
    await apigw.send(new UpdateStageCommand({ ApiId: apiId, StageName: stage, AccessLogSettings: { DestinationArn: arn, Format: HARNESS_ACCESS_LOG_FORMAT } }));
    const logging = await prepareAccessLogging(target, 'use');
    expect(logging.log).toEqual({ mode: 'use', logGroup: '/my/complete/access-log', format: HARNESS_ACCESS_LOG_FORMAT, stage: `${apiId}/${stage}` });
    await logging.restore();
    // nothing to put back: the stage is the user's, as it was
    expect((await stageLogging())?.DestinationArn).toBe(arn);
  });

  it('a format without what the join needs: one line naming the variables and the format to paste', async () => {
    const arn = await userGroup('/my/own/access-log');
    await apigw.send(new UpdateStageCommand({ ApiId: apiId, StageName: stage, AccessLogSettings: { DestinationArn: arn, Format: '$context.requestId $context.connectionId $context.eventType' } }));
    const line = await refusal(prepareAccessLogging(target, 'use'));
    expect(line).toBe(
      `local emulator: --access-log use: the access log format of stage ${stage} of API ${apiId} lacks $context.routeKey, $context.requestTimeEpoch, $context.integration.requestId, $context.identity.userAgent, which the run needs to trace requests to invocations; give --access-log enable (the run sets it and puts it back), or set the stage's access log format to ${HARNESS_ACCESS_LOG_FORMAT}`,
    );
  });

  it('a stage without access logging: one line naming the stage and the fix', async () => {
    await apigw.send(new DeleteAccessLogSettingsCommand({ ApiId: apiId, StageName: stage }));
    const line = await refusal(prepareAccessLogging(target, 'use'));
    expect(line).toBe(
      `local emulator: --access-log use: stage ${stage} of API ${apiId} has no access logging; give --access-log enable (the run sets it and puts it back), or set the stage's access log format to ${HARNESS_ACCESS_LOG_FORMAT}`,
    );
  });
});

describe('the mode each target gets', () => {
  it('enable locally, use on a deployed stack, off for a URL; a URL cannot use or enable', () => {
    expect(defaultAccessLogMode(parseTargetSpec('local'))).toBe('enable');
    expect(defaultAccessLogMode(parseTargetSpec('aws:FanoutBenchChat'))).toBe('use');
    expect(defaultAccessLogMode(parseTargetSpec('aws-api:abc123/prod'))).toBe('use');
    expect(defaultAccessLogMode(parseTargetSpec('wss://example.com/prod'))).toBe('off');
    expect(checkRunInput({ scenario: 'fanout', target: 'ws://127.0.0.1:9/' }).accessLog).toBe('off');
    expect(checkRunInput({ scenario: 'fanout', target: 'aws:FanoutBenchChat', accessLog: 'enable' }).accessLog).toBe('enable');
    expect(() => checkRunInput({ scenario: 'fanout', target: 'ws://127.0.0.1:9/', accessLog: 'use' })).toThrow(
      '--access-log use: --target ws://127.0.0.1:9/ is a URL: the run reaches no AWS API of it to read a stage\'s access log; give --access-log off, or the stack as aws:<stackName> or aws-api:<apiId>/<stage>',
    );
  });
});
