import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { LambdaClient, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../reference-stack/functions/manifest.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { refusal } from './target-refusal.ts';
import { resolveTarget } from '../../src/targets/resolve-target.ts';
import { parseTargetSpec } from '../../src/contracts/target-spec.ts';
import { openAwsStackTarget, type AwsStackTargetOptions } from '../../src/targets/aws-stack.ts';
import { ROUTE_FUNCTION_OUTPUTS, type ChatRoute } from '../../common/stack-outputs.ts';
import { deployedOutputs } from '../fixtures/targets/deployed-outputs.ts';

// `--target aws:<stackName>`. CloudFormation has no local endpoint, so DescribeStacks is mocked
// with aws-sdk-client-mock, answering as AWS does (the contract's outputs, AWS's error classes and
// messages). Everything else is real: Lambda's GetFunctionConfiguration goes through the real
// @aws-sdk/client-lambda to the emulator's Lambda API, and the probe is a real WebSocket handshake
// with the emulator's gateway, whose URL the mocked outputs name.

const REGION = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const cfn = mockClient(CloudFormationClient);
let stack: RunningStack;
let lambda: LambdaClient;

beforeAll(async () => {
  // No environments prepared ahead (20 by default, about 5 CPU-s): discovery is this file's subject, not INIT.
  stack = await startStack({ config: defaultStackConfig({ region: REGION, lambda: { preparedPerFunction: 0 }, functions: { 'fanout-send-message': { memoryMB: 512 } } }), log: () => {} });
  lambda = new LambdaClient({ endpoint: stack.ready.lambdaEndpoint, region: REGION, credentials });
});

afterAll(async () => {
  cfn.restore();
  lambda?.destroy();
  await stack?.close();
});

afterEach(() => cfn.reset());

/** The emulator's stack as DescribeStacks would describe it once deployed. */
function emulatedStack(changes: Partial<Stack> = {}, outputs: Record<string, string> = {}): Stack {
  const values = {
    ...deployedOutputs(undefined, { websocketUrl: stack.ready.websocketUrl, callbackUrl: stack.ready.callbackUrl }),
    ApiId: stack.ready.apiId,
    StageName: stack.ready.stage,
    Region: REGION,
    ...outputs,
  };
  return {
    StackName: 'FanoutBenchChat',
    StackStatus: 'CREATE_COMPLETE',
    CreationTime: new Date(),
    Outputs: Object.entries(values).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    ...changes,
  };
}

function cfnError(name: string, message: string, status = 400): CloudFormationServiceException {
  return new CloudFormationServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

function open(extra: Partial<AwsStackTargetOptions> = {}) {
  return openAwsStackTarget({
    stackName: 'FanoutBenchChat',
    clients: { cloudformation: new CloudFormationClient({ region: REGION, credentials }), lambda },
    ...extra,
  });
}

describe('aws:<stackName>: a stack found by name', () => {
  it('names the real functions with the memory Lambda reports, and the stack\'s endpoints', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'FanoutBenchChat' }).resolves({ Stacks: [emulatedStack()] });
    const target = await open();
    try {
      expect(target.kind).toBe('remote');
      expect(target.url).toBe(stack.ready.websocketUrl);
      expect(target.endpoints).toMatchObject({
        websocket: stack.ready.websocketUrl,
        services: 'aws',
        region: REGION,
        apiGateway: { apiId: stack.ready.apiId, stage: stack.ready.stage },
        callback: stack.ready.callbackUrl,
        cloudwatch: `https://monitoring.${REGION}.amazonaws.com`,
        stackName: 'FanoutBenchChat',
        tables: ['fanout-connections', 'fanout-room-members', 'fanout-messages'],
      });
      const described = await target.describeFunctions();
      expect(described.source).toBe('lambda-api');
      expect(described.functions.map((f) => [f.route, f.name])).toEqual(FUNCTIONS.map((f) => [f.route, f.name]));
      const send = described.functions.find((f) => f.route === 'sendMessage')!;
      // the emulator was started with 512 MB for sendMessage (the manifest says 1,024)
      expect(send).toMatchObject({ name: 'fanout-send-message', memoryMB: 512, timeoutSeconds: 29, architecture: 'x86_64', runtime: 'nodejs22.x' });
      expect(described.functions.find((f) => f.route === '$connect')!.memoryMB).toBe(256);
      expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
      // compare's memory changes go to Lambda in the stack's region, through the SDK's own chain
      expect(target.lambdaApi).toMatchObject({ region: REGION, retryMode: 'adaptive' });
      expect(target.lambdaApi).not.toHaveProperty('endpoint');
      expect(target.lambdaApi).not.toHaveProperty('profile');
      // its metrics are AWS's, in the stack's region: read as AWS publishes them
      expect(target.cloudWatch).toMatchObject({ source: 'aws', region: REGION, periodSec: 60, marginSec: 60, wait: { rule: 'published', maxMs: 300_000, stableMs: 60_000 } });
      // nothing of how it was started is the harness's to record (no stack up flags, no ready line)
      expect(target.startedWith).toEqual({});
    } finally {
      await target.stop();
    }
  });

  it('keeps --profile for everything asked of AWS later (CloudWatch, compare\'s Lambda calls)', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [emulatedStack()] });
    const target = await open({ profile: 'bench' });
    await target.stop();
    expect(target.lambdaApi).toMatchObject({ region: REGION, profile: 'bench' });
    expect(target.cloudWatch!.clients.cloudwatch).toMatchObject({ region: REGION, profile: 'bench' });
    expect(target.cloudWatch!.clients.logs).toMatchObject({ region: REGION, profile: 'bench' });
  });

  it('asks Lambda again on every describeFunctions(): a memory change between two measurements shows', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [emulatedStack()] });
    const target = await open();
    try {
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'fanout-join-room', MemorySize: 384 }));
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'fanout-join-room' });
      const join = (await target.describeFunctions()).functions.find((f) => f.route === 'joinRoom')!;
      expect(join.memoryMB).toBe(384);
    } finally {
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'fanout-join-room', MemorySize: 256 }));
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'fanout-join-room' });
      await target.stop();
    }
  });

  it('is what resolveTarget gives for --target aws:<stackName>, in the --region asked', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'Missing' }).rejects(cfnError('ValidationError', 'Stack with id Missing does not exist'));
    const err = await refusal(resolveTarget({ spec: parseTargetSpec('aws:Missing'), aws: { region: 'eu-west-1' }, knobs: {} }));
    expect(err.message).toBe('aws:Missing: no such stack in eu-west-1 (deploy it with "npm run cdk -- deploy", or give the stack\'s --region / --profile)');
    expect(err.exitCode).toBe(2);
  });
});

describe('aws:<stackName>: one line, exit 2, when the stack cannot be used', () => {
  it.each([
    ['a missing stack', cfnError('ValidationError', 'Stack with id FanoutBenchChat does not exist'), /^aws:FanoutBenchChat: no such stack in us-east-1 \(deploy it/],
    [
      'no permission',
      cfnError('AccessDenied', 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks on resource: arn:aws:cloudformation:us-east-1:123456789012:stack/FanoutBenchChat/*', 403),
      /^aws:FanoutBenchChat: not allowed: cloudformation:DescribeStacks is needed in us-east-1 \(AccessDenied: User: arn:aws:iam::123456789012:user\/ci is not authorized/,
    ],
    ['refused credentials', cfnError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403), /^aws:FanoutBenchChat: AWS refused the credentials \(InvalidClientTokenId\)/],
    ['expired credentials', cfnError('ExpiredToken', 'The security token included in the request is expired', 400), /^aws:FanoutBenchChat: AWS refused the credentials \(ExpiredToken\)/],
  ])('%s', async (_, error, line) => {
    cfn.on(DescribeStacksCommand).rejects(error);
    const err = await refusal(open());
    expect(err.message).toMatch(line);
    expect(err.message).not.toContain('\n');
    expect(err.exitCode).toBe(2);
  });

  it('a throttled DescribeStacks is the service\'s failure (exit 1), not a mistake', async () => {
    cfn.on(DescribeStacksCommand).rejects(cfnError('Throttling', 'Rate exceeded'));
    const err = await refusal(open(), 1);
    expect(err.message).toBe("aws:FanoutBenchChat: cloudformation:DescribeStacks throttled by CloudFormation after the SDK's retries (Throttling); try again later");
  });

  it.each([
    ['UPDATE_IN_PROGRESS', 'aws:FanoutBenchChat: the stack is UPDATE_IN_PROGRESS in us-east-1: wait until it is complete'],
    ['ROLLBACK_COMPLETE', 'aws:FanoutBenchChat: the stack is ROLLBACK_COMPLETE in us-east-1: its outputs do not describe a working deployment; deploy it again'],
  ])('a stack that is %s', async (status, line) => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [emulatedStack({ StackStatus: status as Stack['StackStatus'] })] });
    expect((await refusal(open())).message).toBe(line);
  });

  it('a stack without the contract\'s outputs names the output', async () => {
    const s = emulatedStack();
    s.Outputs = s.Outputs!.filter((o) => o.OutputKey !== ROUTE_FUNCTION_OUTPUTS.sendMessage);
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [s] });
    expect((await refusal(open())).message).toBe(
      'aws:FanoutBenchChat: output SendMessageFunction is missing (the function of the sendMessage route): a stack targeted by name publishes the outputs listed in the README ("Targeting a stack by name"), or none of CallbackUrl and its table outputs (then its resources are discovered)',
    );
  });

  it('a function the outputs name but Lambda does not have (the emulator\'s ResourceNotFoundException)', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [emulatedStack({}, { [ROUTE_FUNCTION_OUTPUTS.whoami as string]: 'fanout-gone' })] });
    expect((await refusal(open())).message).toMatch(/^aws:FanoutBenchChat: lambda function fanout-gone: no such function \(Function not found: arn:aws:lambda:us-east-1:\d{12}:function:fanout-gone\)$/);
  });

  it('a stack whose URL does not answer is refused by the probe', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [emulatedStack({}, { WebSocketUrl: 'ws://127.0.0.1:9/prod' })] });
    expect((await refusal(open({ probeTimeoutMs: 2_000 }))).message).toMatch(/^target ws:\/\/127\.0\.0\.1:9\/prod unreachable: cannot connect/);
  });
});

describe('aws:<stackName> as a --target value', () => {
  it.each(['aws:FanoutBenchChat', 'aws:a', `aws:A${'b-'.repeat(63)}c`])('accepts %s', (spec) => {
    expect(parseTargetSpec(spec)).toMatchObject({ kind: 'aws-stack', stackName: spec.slice(4) });
  });

  it.each(['aws:', 'aws:1stack', 'aws:my_stack', 'aws:my stack', `aws:a${'b'.repeat(128)}`])('refuses %j with one line', (spec) => {
    expect(() => parseTargetSpec(spec)).toThrow(`--target: aws:<stackName> needs a CloudFormation stack name (a letter, then up to 127 letters, digits or "-"), got "${spec}"`);
  });

  it('leaves other targets alone', () => {
    expect(parseTargetSpec('local').kind).toBe('local');
    expect(parseTargetSpec('wss://abc.execute-api.us-east-1.amazonaws.com/prod').kind).toBe('url');
  });

  it('routes are the contract\'s', () => {
    expect(Object.keys(ROUTE_FUNCTION_OUTPUTS).sort()).toEqual(FUNCTIONS.map((f) => f.route as ChatRoute).sort());
  });
});
