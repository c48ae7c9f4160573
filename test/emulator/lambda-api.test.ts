import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  LambdaClient,
  ListFunctionsCommand,
  PreconditionFailedException,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionConfigurationCommand,
  paginateListFunctions,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import { FUNCTIONS } from '../../reference-stack/functions/manifest.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { connect, type TestClient } from '../fixtures/gateway/clients.ts';

// The emulator's Lambda API through the real @aws-sdk/client-lambda, and what an update does to
// the functions behind the real gateway: the next invocation is cold, with the new memory size.

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const SEND = 'fanout-send-message';
let stack: RunningStack;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;
const clients: TestClient[] = [];

beforeAll(async () => {
  // One environment INIT'd ahead per function, not the default two: an update stays InProgress
  // until the new configuration's prepared one has run INIT, the window the ResourceConflict
  // test sends its second change in.
  stack = await startStack({ config: defaultStackConfig({ lambda: { preparedPerFunction: 1 } }), log: () => {} });
  lambda = new LambdaClient({ endpoint: stack.ready.lambdaEndpoint, region: stack.ready.region, credentials });
  logs = new CloudWatchLogsClient({ endpoint: stack.ready.cloudwatchEndpoint, region: stack.ready.region, credentials });
});

afterAll(async () => {
  for (const c of clients) c.close();
  lambda?.destroy();
  logs?.destroy();
  await stack?.close();
});

const arn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

async function reportLines(name: string): Promise<string[]> {
  const out: string[] = [];
  for await (const page of paginateFilterLogEvents({ client: logs }, { logGroupName: `/aws/lambda/${name}`, filterPattern: '"REPORT RequestId"' })) {
    out.push(...(page.events ?? []).map((e) => e.message!));
  }
  return out;
}

async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One sendMessage through the gateway, finished (acknowledged); the delivery frame back to the sender. */
async function sendOne(c: TestClient, payload: unknown): Promise<{ cold: boolean }> {
  c.send({ action: 'sendMessage', room: 'mem', payload });
  const frame = await c.take((f) => f.type === 'message' && JSON.stringify(f.payload) === JSON.stringify(payload), 30_000);
  // The ack is the invocation's result: its environment is free again after it.
  await c.take((f) => f.type === 'sent' && f.messageId === frame.messageId, 30_000);
  return frame;
}

describe('the emulator Lambda API (real SDK client)', () => {
  it("reads a function's configuration by name and by ARN", async () => {
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: SEND }));
    const spec = FUNCTIONS.find((f) => f.name === SEND)!;
    expect(c).toMatchObject({
      FunctionName: SEND,
      FunctionArn: arn(SEND),
      MemorySize: spec.memoryMB,
      Timeout: spec.timeoutSeconds,
      Runtime: 'nodejs22.x',
      Architectures: ['x86_64'],
      State: 'Active',
      LastUpdateStatus: 'Successful',
      Version: '$LATEST',
      PackageType: 'Zip',
    });
    expect(c.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    // the stack's own variable, as its template sets it (the runtime sends that host to the local @connections)
    expect(c.Environment?.Variables?.CALLBACK_URL).toBe(`https://${stack.ready.apiId}.execute-api.us-east-1.amazonaws.com/${stack.ready.stage}`);
    const byArn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: arn(SEND) }));
    expect(byArn.RevisionId).toBe(c.RevisionId);
  });

  it("lists the stack's functions, paged", async () => {
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListFunctions({ client: lambda, pageSize: 4 }, {})) {
      pages++;
      names.push(...page.Functions!.map((f) => f.FunctionName!));
    }
    // the routes' functions and the direct server push's (the default pushFanout)
    expect(names.sort()).toEqual([...FUNCTIONS.map((f) => f.name), 'fanout-push'].sort());
    expect(pages).toBe(Math.ceil((FUNCTIONS.length + 1) / 4));
    const all = await lambda.send(new ListFunctionsCommand({}));
    expect(all.NextMarker).toBeUndefined();
  });

  it('updates memory: InProgress, then Successful; the next invocation is cold and REPORTs the new size', async () => {
    const alice = await connect(stack.ready.websocketUrl);
    clients.push(alice);
    alice.send({ action: 'createRoom', room: 'mem' });
    await alice.take((f) => f.type === 'roomCreated');
    alice.send({ action: 'joinRoom', room: 'mem' });
    await alice.take((f) => f.type === 'joined');
    // warm: the first invocation is cold, the second reuses its environment
    expect((await sendOne(alice, 'first')).cold).toBe(true);
    expect((await sendOne(alice, 'second')).cold).toBe(false);
    const before = await until(async () => {
      const lines = await reportLines(SEND);
      return lines.length === 2 && lines;
    });
    expect(before[1]).toMatch(/\tMemory Size: 1024 MB\t/);

    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: SEND, MemorySize: 512 }));
    expect(updated).toMatchObject({ FunctionName: SEND, MemorySize: 512, State: 'Active', LastUpdateStatus: 'InProgress' });
    // a second change while the first is in progress is refused, as on AWS
    await expect(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: SEND, Timeout: 20 }))).rejects.toBeInstanceOf(ResourceConflictException);

    // the SDK's own waiter (GetFunction) sees it through
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60, minDelay: 0.2, maxDelay: 1 }, { FunctionName: SEND });
    const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: SEND }));
    expect(after).toMatchObject({ MemorySize: 512, LastUpdateStatus: 'Successful', RevisionId: updated.RevisionId });
    expect(after.RevisionId).not.toBe((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fanout-whoami' }))).RevisionId);

    const third = await sendOne(alice, 'third');
    expect(third.cold).toBe(true);
    const lines = await until(async () => {
      const l = await reportLines(SEND);
      return l.length === 3 && l;
    });
    expect(lines[2]).toMatch(/\tMemory Size: 512 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t$/);
    expect((await sendOne(alice, 'fourth')).cold).toBe(false);
  });

  it('refuses a memory size outside 128..10240 MB and a timeout outside 1..900 s (InvalidParameterValueException)', async () => {
    for (const [input, text] of [
      [{ MemorySize: 100 }, "Value '100' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"],
      [{ MemorySize: 10_241 }, "Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240"],
      [{ Timeout: 0 }, "Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    ] as const) {
      const err = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'fanout-whoami', ...input })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidParameterValueException);
      expect((err as InvalidParameterValueException).$metadata.httpStatusCode).toBe(400);
      expect((err as Error).message).toContain(text);
    }
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fanout-whoami' }));
    expect(c).toMatchObject({ MemorySize: 256, Timeout: 10, LastUpdateStatus: 'Successful' });
  });

  it('answers ResourceNotFoundException (404) for an unknown function, another account or a version', async () => {
    for (const FunctionName of ['fanout-nope', 'arn:aws:lambda:us-east-1:123456789012:function:fanout-whoami', 'fanout-whoami:3']) {
      const err = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResourceNotFoundException);
      expect((err as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    }
    const err = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'fanout-nope', MemorySize: 512 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as Error).message).toBe(`Function not found: ${arn('fanout-nope')}`);
  });

  it("replaces the function's variables, as Lambda does, but keeps the emulator's own; refuses reserved and wired ones", async () => {
    const fn = 'fanout-set-name';
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    const wired = before.Environment!.Variables!;
    const refused: Record<string, string>[] = [{ AWS_REGION: 'eu-west-1' }, { AWS_ENDPOINT_URL_DYNAMODB: 'http://example.com/x' }, { AWS_ENDPOINT_URL: 'http://example.com' }, { '1BAD': 'x' }];
    for (const Variables of refused) {
      const err = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Environment: { Variables } })).catch((e: unknown) => e);
      expect(err, JSON.stringify(Variables)).toBeInstanceOf(InvalidParameterValueException);
    }
    const stale = await lambda
      .send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, RevisionId: 'not-the-revision', Timeout: 5 }))
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(PreconditionFailedException);

    const res = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: fn, RevisionId: before.RevisionId, Environment: { Variables: { FANOUT_CONCURRENCY: '4' } } }),
    );
    expect(res.LastUpdateStatus).toBe('InProgress');
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60, minDelay: 0.2, maxDelay: 1 }, { FunctionName: fn });
    const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    expect(after.Environment!.Variables!.FANOUT_CONCURRENCY).toBe('4');
    // the function's old set was replaced whole, as on AWS (its tables and callback URL too); the emulator's endpoints stay
    for (const v of ['POST_TIMEOUT_MS', 'CALLBACK_URL', 'CONNECTIONS_TABLE']) expect(after.Environment!.Variables![v], v).toBeUndefined();
    expect(after.Environment!.Variables!.AWS_ENDPOINT_URL_DYNAMODB).toBe(wired.AWS_ENDPOINT_URL_DYNAMODB);
  });

  it('refuses a field the emulator cannot change, naming it', async () => {
    const err = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'fanout-whoami', Handler: 'other.handler' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterValueException);
    expect((err as Error).message).toMatch(/cannot change Handler/);
  });

  it("refuses SnapStart on a Node.js function in Lambda's words, and leaves it unchanged", async () => {
    const err = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'fanout-whoami', SnapStart: { ApplyOn: 'PublishedVersions' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterValueException);
    expect((err as Error).message).toMatch(/^nodejs\d+\.x is not supported for SnapStart enabled functions\.$/);
    const now = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fanout-whoami' }));
    expect(now.SnapStart).toEqual({ ApplyOn: 'None', OptimizationStatus: 'Off' });
  });
});
