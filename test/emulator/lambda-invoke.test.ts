import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetFunctionEventInvokeConfigCommand,
  InvalidParameterValueException,
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  PutFunctionEventInvokeConfigCommand,
  RequestTooLargeException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateFunctionEventInvokeConfigCommand,
  DeleteFunctionEventInvokeConfigCommand,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { AsyncInvocations } from '../../emulator/lambda/async-invocation.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { LambdaControlPlane } from '../../emulator/lambda-api/control-plane.ts';
import { startLambdaApiServer, type LambdaApiServer } from '../../emulator/lambda-api/server.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { EVENT_PATH_LOG_GROUP } from '../../common/event-path-log.ts';
import { fixture, until } from './lambda-test-helpers.ts';
import { eventually } from '../fixtures/gateway/clients.ts';
import { ACCOUNT, REGION, TestQueues, loggedJson } from './event-source-helpers.ts';

/**
 * Lambda's Invoke and the EventInvokeConfig operations on the emulator's Lambda API, through the
 * real @aws-sdk/client-lambda over the real runtime: first on a Lambda API of its own (the
 * runtime, the asynchronous invocations with retry delays of tens of ms, real SQS queues as
 * destinations), then inside a stack, where one function invokes another through the SDK with no
 * endpoint set (the endpoint redirect reaches the Lambda API) under IAM's enforce.
 */

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const fn = (name: string, entry: string, reservedConcurrency?: number) => ({
  name,
  entry: fixture(entry),
  memoryMB: 128,
  timeoutSeconds: 10,
  environment: {},
  ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
});
const arnOf = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const text = (o: InvokeCommandOutput) => new TextDecoder().decode(o.Payload ?? new Uint8Array());
const json = (o: InvokeCommandOutput) => JSON.parse(text(o)) as Record<string, any>;
let seq = 0;
const id = (what: string) => `${what}-${++seq}-${Date.now()}`;

describe('Invoke on a Lambda API of its own', () => {
  let runtime: LambdaRuntime;
  let logs: LogStore;
  let queues: TestQueues;
  let async: AsyncInvocations;
  let api: LambdaApiServer;
  let lambda: LambdaClient;

  beforeAll(async () => {
    const metrics = new MetricStore();
    logs = new LogStore();
    queues = new TestQueues();
    // the listener first, the functions attached after (as the stack does)
    api = await startLambdaApiServer({});
    runtime = await createLambdaRuntime({
      metrics,
      logs,
      cpuModel: 'off',
      region: REGION,
      accountId: ACCOUNT,
      preparedPerFunction: 0,
      // target: one environment, so async-target.ts counts an event's attempts; never: reserved 0, always throttled
      functions: [fn('echo', 'behaviour.ts'), fn('target', 'async-target.ts', 1), fn('never', 'behaviour.ts', 0)],
    });
    const asyncConfigs = { target: { maximumRetryAttempts: 1 } };
    async = new AsyncInvocations({ runtime, targets: queues.targets, metrics, configs: asyncConfigs, region: REGION, accountId: ACCOUNT, retryDelaysMs: [30, 60], throttleBackoff: { initialMs: 10, maxMs: 40 } });
    const controlPlane = new LambdaControlPlane({ runtime, region: REGION, accountId: ACCOUNT, runtimeId: 'nodejs22.x', wiredEnvironment: {} });
    lambda = new LambdaClient({ endpoint: api.url, region: REGION, credentials, maxAttempts: 1 });
    // before attach: 503, the SDK's ServiceException
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'echo' }))).rejects.toMatchObject({ name: 'ServiceException', $metadata: { httpStatusCode: 503 } });
    api.attach({ controlPlane, asyncInvocations: async, logs, asyncConfigs, hasTarget: queues.targets.has });
  }, 60_000);

  afterAll(async () => {
    lambda?.destroy();
    await api?.close();
    await async?.close();
    queues?.close();
    await runtime?.close();
  });

  it('RequestResponse answers the function result with the executed version, and LogType Tail the end of its log', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ action: 'echo' }), LogType: 'Tail' }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    const result = json(out);
    expect(result.context).toMatchObject({ functionName: 'echo', invokedFunctionArn: expect.stringContaining(':function:echo'), clientContext: null });
    const requestId = result.context.awsRequestId as string;
    const tail = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    expect(tail).toMatch(new RegExp(`^START RequestId: ${requestId}`));
    expect(tail).toMatch(new RegExp(`REPORT RequestId: ${requestId}\\s[^\\n]*\\n$`));

    // by ARN, and a log longer than 4 KB is cut to its last 4 KB
    const logged = await lambda.send(new InvokeCommand({ FunctionName: arnOf('echo'), Payload: JSON.stringify({ action: 'log' }), LogType: 'Tail' }));
    expect(json(logged)).toEqual({ logged: true });
    const lines = Buffer.from(logged.LogResult!, 'base64').toString('utf8');
    expect(lines).toContain('raw stdout line');
    expect(Buffer.byteLength(lines)).toBeLessThanOrEqual(4096);
  });

  it("ClientContext (base64 JSON, as the SDK sends it) reaches the function's context decoded", async () => {
    const sent = { client: { app_title: 'warmer' }, custom: { source: 'serverless-plugin-warmup' } };
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ action: 'echo' }), ClientContext: Buffer.from(JSON.stringify(sent)).toString('base64') }));
    expect(json(out).context.clientContext).toEqual(sent);
    // what is not base64 of JSON is refused before any invocation type runs, in Lambda's words
    for (const [ClientContext, InvocationType] of [['not base64!', 'RequestResponse'], [Buffer.from('{not json').toString('base64'), 'Event']] as const) {
      const err = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{"action":"echo"}', ClientContext, InvocationType })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidRequestContentException);
      expect(err).toMatchObject({ message: 'Client context must be a valid Base64-encoded JSON object.', $metadata: { httpStatusCode: 400 } });
    }
  });

  it('a function error is 200 with X-Amz-Function-Error: Unhandled and the error as payload', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ action: 'throw', message: 'no such room' }) }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(json(out)).toEqual({ errorType: 'ChatError', errorMessage: 'no such room' });
  });

  it('Event answers 202 at once; the function runs, and a function error is retried after the configured delay', async () => {
    const eventId = id('event');
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'target', InvocationType: 'Event', Payload: JSON.stringify({ id: eventId, failTimes: 1 }) }));
    expect(out.StatusCode).toBe(202);
    expect(text(out)).toBe('');
    const attempts = await until(() => {
      const a = loggedJson<{ id: string; attempt: number }>(logs, 'target', 'ASYNC').filter((l) => l.id === eventId);
      return a.length >= 2 && a;
    });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
    await async.drained();
    expect(async.stats().target).toMatchObject({ succeeded: expect.any(Number), retries: expect.any(Number) });
    expect(async.stats().target!.retries).toBeGreaterThanOrEqual(1);
  });

  it('a throttle is 429 TooManyRequestsException with Lambda’s Reason', async () => {
    const err = await lambda.send(new InvokeCommand({ FunctionName: 'never', Payload: '{"action":"echo"}' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsException);
    expect(err).toMatchObject({ Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', message: 'Rate Exceeded.', $metadata: { httpStatusCode: 429 } });
  });

  it('refuses a payload over 6 MB (synchronous) or 1 MB (Event) with RequestTooLargeException, and one that is not JSON', async () => {
    const big = JSON.stringify({ action: 'echo', pad: 'x'.repeat(6_291_456) });
    const sync = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: big })).catch((e: unknown) => e);
    expect(sync).toBeInstanceOf(RequestTooLargeException);
    expect(sync).toMatchObject({ message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation', $metadata: { httpStatusCode: 413 } });
    const medium = JSON.stringify({ id: id('big'), pad: 'x'.repeat(1_048_576) });
    const event = await lambda.send(new InvokeCommand({ FunctionName: 'target', InvocationType: 'Event', Payload: medium })).catch((e: unknown) => e);
    expect(event).toBeInstanceOf(RequestTooLargeException);
    expect((event as Error).message).toBe('Request must be smaller than 1048576 bytes for the InvokeFunction operation');
    // the same 1 MB+ payload synchronously is within its limit
    expect((await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ action: 'echo', pad: 'x'.repeat(1_048_576) }) }))).StatusCode).toBe(200);

    const bad = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: new TextEncoder().encode('{not json') })).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidRequestContentException);
    expect((bad as Error).message).toMatch(/^Could not parse request body into json: Could not parse payload into json: /);
  });

  it('DryRun answers 204 without running the function; an unknown function is ResourceNotFoundException', async () => {
    const before = runtime.stats().echo!.invocations;
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun', Payload: '{"action":"echo"}' }));
    expect(out.StatusCode).toBe(204);
    expect(runtime.stats().echo!.invocations).toBe(before);
    const missing = await lambda.send(new InvokeCommand({ FunctionName: 'nobody', InvocationType: 'DryRun' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as Error).message).toBe(`Function not found: ${arnOf('nobody')}`);
  });

  it('event invoke configs: the template’s read back, Put replacing it, Update merging, List, Delete; the asynchronous invocations follow', async () => {
    const got = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'target' }));
    expect(got).toMatchObject({ FunctionArn: `${arnOf('target')}:$LATEST`, MaximumRetryAttempts: 1, DestinationConfig: { OnSuccess: {}, OnFailure: {} } });
    expect(got.LastModified).toBeInstanceOf(Date);
    const none = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'echo' })).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ResourceNotFoundException);
    expect((none as Error).message).toBe(`The function ${arnOf('echo')}:$LATEST doesn't have an EventInvokeConfig`);

    const failures = queues.create(id('on-failure'));
    const put = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'target', MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: failures.arn } } }),
    );
    expect(put).toMatchObject({ MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: failures.arn } } });
    const updated = await lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: arnOf('target'), MaximumEventAgeInSeconds: 600 }));
    expect(updated).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 600, DestinationConfig: { OnFailure: { Destination: failures.arn } } });
    const listed = await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'target' }));
    expect(listed.FunctionEventInvokeConfigs).toEqual([expect.objectContaining({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 600 })]);

    // no retry now: the failed event's record goes to the queue after one attempt
    const eventId = id('no-retry');
    await lambda.send(new InvokeCommand({ FunctionName: 'target', InvocationType: 'Event', Payload: JSON.stringify({ id: eventId, failTimes: 5 }) }));
    await async.drained();
    const [message] = await eventually(async () => {
      const got = await queues.drain(failures);
      return got.length > 0 ? got : undefined;
    }, 10_000, 'the OnFailure record');
    const record = JSON.parse(message!.body) as Record<string, any>;
    expect(record.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 1 });
    expect(record.requestPayload).toMatchObject({ id: eventId });

    // AWS's bounds and destinations
    await expect(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'target', MaximumRetryAttempts: 3 }))).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'target', MaximumEventAgeInSeconds: 59 }))).rejects.toThrow(/Member must have value greater than or equal to 60/);
    await expect(
      lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'target', DestinationConfig: { OnSuccess: { Destination: `arn:aws:sqs:${REGION}:${ACCOUNT}:absent` } } })),
    ).rejects.toThrow(/no resource of the local stack/);

    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'target' }));
    expect((await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'target' }))).FunctionEventInvokeConfigs).toEqual([]);
  });
});

describe('one function invoking another inside a stack', () => {
  const FIXTURE = fileURLToPath(new URL('../fixtures/stacks/lambda-invoke/template.yaml', import.meta.url));
  const STACK_ACCOUNT = '123456789012';
  const lines: string[] = [];
  let stack: RunningStack;
  let lambda: LambdaClient;
  let cwLogs: CloudWatchLogsClient;
  const nameOf = (logicalId: string) => stack.stack.functions.find((f) => f.logicalId === logicalId)!.name;
  const call = async (caller: string, ask: unknown) => json(await lambda.send(new InvokeCommand({ FunctionName: nameOf(caller), Payload: JSON.stringify(ask) })));

  beforeAll(async () => {
    // retries after a function error 100 ms apart instead of Lambda's 1 and 2 minutes
    const config = defaultStackConfig({
      template: { path: FIXTURE, parameters: {} },
      lambda: { preparedPerFunction: 0, asyncRetryDelaysSeconds: [0.1, 0.1] },
      accountId: STACK_ACCOUNT,
      iam: 'enforce',
    });
    const described = await describeStack(config);
    stack = await startStack({ config, stack: described.stack, log: (line) => lines.push(line) });
    lambda = new LambdaClient({ endpoint: stack.ready.lambdaEndpoint, region: stack.ready.region, credentials, maxAttempts: 1 });
    cwLogs = new CloudWatchLogsClient({ endpoint: stack.ready.cloudwatchEndpoint, region: stack.ready.region, credentials });
  }, 60_000);

  afterAll(async () => {
    lambda?.destroy();
    cwLogs?.destroy();
    await stack?.close();
  });

  async function logged(group: string, pattern: string, count: number): Promise<string[]> {
    return eventually(async () => {
      const out = await cwLogs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: pattern })).catch(() => undefined);
      const messages = (out?.events ?? []).map((e) => e.message!);
      return messages.length >= count ? messages : undefined;
    }, 20_000, `${count} lines ${pattern} in ${group}`);
  }

  it('the caller’s SDK, with no endpoint set, invokes the callee synchronously and gets its answer', async () => {
    const answer = await call('CallerFunction', { type: 'RequestResponse', payload: { id: 'sync-1' } });
    expect(answer).toMatchObject({ statusCode: 200, executedVersion: '$LATEST', payload: { echo: { id: 'sync-1' }, requestId: expect.any(String) } });
    expect(answer.functionError).toBeUndefined();
    const failed = await call('CallerFunction', { type: 'RequestResponse', payload: { id: 'sync-2', fail: true } });
    expect(failed).toMatchObject({ statusCode: 200, functionError: 'Unhandled', payload: { errorType: 'Error', errorMessage: 'callee failed sync-2' } });
  });

  it('an Event invoke is accepted (202), runs, and is retried as the template’s EventInvokeConfig says (one retry)', async () => {
    expect(await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: nameOf('CalleeFunction') }))).toMatchObject({ MaximumRetryAttempts: 1 });
    const answer = await call('CallerFunction', { type: 'Event', payload: { id: 'event-1', fail: true } });
    expect(answer).toMatchObject({ statusCode: 202 });
    const drop = await logged(EVENT_PATH_LOG_GROUP, '"drop"', 1);
    expect(JSON.parse(drop[0]!)).toMatchObject({ event: 'drop', functionName: nameOf('CalleeFunction') });
    const attempts = await logged(`/aws/lambda/${nameOf('CalleeFunction')}`, '"CALLEE" "event-1"', 2);
    expect(attempts).toHaveLength(2);
    const retry = await logged(EVENT_PATH_LOG_GROUP, '"retry"', 1);
    expect(JSON.parse(retry[0]!)).toMatchObject({ event: 'retry', functionName: nameOf('CalleeFunction'), retryInMs: 100 });
  });

  it('a caller whose role lacks lambda:InvokeFunction is refused with 403 AccessDeniedException', async () => {
    const answer = await call('BareCallerFunction', { type: 'RequestResponse', payload: { id: 'bare' } });
    const role = stack.stack.functions.find((f) => f.logicalId === 'BareCallerFunction')!.role!.name;
    expect(answer).toEqual({
      error: 'AccessDeniedException',
      status: 403,
      message: `User: arn:aws:sts::${STACK_ACCOUNT}:assumed-role/${role}/${nameOf('BareCallerFunction')} is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:${STACK_ACCOUNT}:function:${nameOf('CalleeFunction')} because no identity-based policy allows the lambda:InvokeFunction action`,
    });
    // DryRun asks the same question
    const dry = await call('BareCallerFunction', { type: 'DryRun' });
    expect(dry).toMatchObject({ error: 'AccessDeniedException', status: 403 });
    expect(lines).toContainEqual(expect.stringMatching(/^iam: denied: .* lambda:InvokeFunction/));
  });
});
