import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack, type DescribedStack } from '../../emulator/stack-model/describe-stack.ts';
import { UserError } from '../../common/errors.ts';
import { readFunctionConfig, readFunctionConfigs } from '../../src/aws/function-configuration.ts';
import { emulatorLambdaApi, urlLambdaApi } from '../../src/aws/lambda-api.ts';
import { createLambdaClient } from '../../src/aws/lambda-client.ts';
import { memorySession } from '../../src/aws/memory-session.ts';
import { setMemorySize } from '../../src/aws/memory-update.ts';
import { emulatorSettings } from '../../src/aws/sdk-settings.ts';

// The harness's Lambda configuration path (the one AWS gets too) against the emulator's Lambda
// API: read, set and wait, and the restorer, after an error and after a signal.

const SEND = 'fanout-send-message';
const WHOAMI = 'fanout-whoami';
const CHILD = fileURLToPath(new URL('../fixtures/targets/memory-session-child.ts', import.meta.url));
let described: DescribedStack;
let stack: RunningStack;
let lambda: LambdaClient;

beforeAll(async () => {
  // Environments INIT'd ahead for the two functions configured here only. An update stays
  // InProgress until the new configuration's prepared environments have run INIT: one each gives
  // the restores the tests interrupt a window to land in (the waiter sees InProgress, then waits
  // its first 1 s), at one INIT an update; the default two, on every function, were most of this
  // file's CPU.
  const config = defaultStackConfig({ lambda: { preparedPerFunction: 0 } });
  described = await describeStack(config, () => {});
  const functions = described.stack.functions.map((f) => (f.name === SEND || f.name === WHOAMI ? { ...f, preparedEnvironments: 1 } : f));
  stack = await startStack({ config, stack: { ...described.stack, functions }, log: () => {} });
  const api = emulatorLambdaApi(stack.ready);
  expect(api).toMatchObject({ endpoint: stack.ready.lambdaEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local' } });
  lambda = createLambdaClient(api!);
});

afterAll(async () => {
  lambda?.destroy();
  await stack?.close();
  await described?.dispose();
});

const memoryOf = async (fn: string) => (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }))).MemorySize;
const revisionOf = async (fn: string) => (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }))).RevisionId;

describe('Lambda configuration from the harness', () => {
  it('finds the Lambda API of a target: the emulator, AWS for an execute-api URL, none otherwise', () => {
    // AWS in the URL's region, through the SDK's standard chain: no endpoint, no credentials of the harness's own
    const aws = urlLambdaApi('wss://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod');
    expect(aws).toMatchObject({ region: 'eu-west-1', retryMode: 'adaptive' });
    expect(aws).not.toHaveProperty('endpoint');
    expect(aws).not.toHaveProperty('credentials');
    expect(urlLambdaApi('wss://chat.example.com/ws')).toBeNull();
    expect(emulatorLambdaApi({ region: 'us-east-1' })).toBeNull(); // an older stack: no endpoint
  });

  it("reads the functions' configurations", async () => {
    const [send, whoami] = await readFunctionConfigs(lambda, [SEND, WHOAMI]);
    // where it publishes its EMF metrics: its environment's POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME
    expect(send).toEqual({
      name: SEND,
      memoryMB: 1024,
      timeoutSeconds: 29,
      architectures: ['x86_64'],
      runtime: 'nodejs22.x',
      lastUpdateStatus: 'Successful',
      emf: { namespace: 'FanoutBench', service: 'fanout-chat' },
    });
    expect(whoami).toMatchObject({ name: WHOAMI, memoryMB: 256 });
  });

  it('sets a memory size and returns once the update is Successful', async () => {
    await setMemorySize(lambda, WHOAMI, 384);
    const c = await readFunctionConfig(lambda, WHOAMI);
    expect(c).toMatchObject({ memoryMB: 384, lastUpdateStatus: 'Successful' });
    await setMemorySize(lambda, WHOAMI, 256);
  });

  it('names the function in one line: unknown function, refused size, unreachable endpoint', async () => {
    const missing = await readFunctionConfig(lambda, 'fanout-nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UserError);
    expect((missing as UserError).message).toBe(
      'lambda function fanout-nope: no such function (Function not found: arn:aws:lambda:us-east-1:000000000000:function:fanout-nope)',
    );
    expect((missing as UserError).exitCode).toBe(2);

    const refused = await setMemorySize(lambda, WHOAMI, 100).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toMatch(/^lambda function fanout-whoami: refused: .*Member must have value greater than or equal to 128$/);
    expect(await memoryOf(WHOAMI)).toBe(256);

    const port = await closedPort();
    const nowhere = createLambdaClient(emulatorSettings(`http://127.0.0.1:${port}`));
    try {
      const err = await readFunctionConfig(nowhere, SEND).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toMatch(/^lambda function fanout-send-message: cannot reach the Lambda API \(ECONNREFUSED/);
      expect((err as UserError).message).not.toContain('local'); // no credentials in the text
    } finally {
      nowhere.destroy();
    }
  });

  it('restores the original sizes after an error thrown mid-session, once, and unhooks its signal handlers', async () => {
    const listeners = process.listenerCount('SIGINT');
    const session = await memorySession(lambda, [SEND, WHOAMI]);
    expect(session.original).toEqual({ [SEND]: 1024, [WHOAMI]: 256 });
    expect(process.listenerCount('SIGINT')).toBe(listeners + 1);
    const run = async () => {
      try {
        await session.set({ [SEND]: 256, [WHOAMI]: 512 });
        expect(await memoryOf(SEND)).toBe(256);
        expect(await memoryOf(WHOAMI)).toBe(512);
        expect(session.current()).toEqual({ [SEND]: 256, [WHOAMI]: 512 });
        throw new Error('boom mid-session');
      } finally {
        await session.restore();
      }
    };
    await expect(run()).rejects.toThrow('boom mid-session');
    expect(await memoryOf(SEND)).toBe(1024);
    expect(await memoryOf(WHOAMI)).toBe(256);
    expect(process.listenerCount('SIGINT')).toBe(listeners);

    // idempotent: nothing is updated again
    const revision = await revisionOf(SEND);
    await session.restore();
    expect(await revisionOf(SEND)).toBe(revision);
    await expect(session.set({ [SEND]: 512 })).rejects.toThrow(/after restore/);
  });

  it('a refused size fails set() with one line and leaves the original in place', async () => {
    const session = await memorySession(lambda, [SEND]);
    try {
      const err = await session.set({ [SEND]: 20_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toMatch(/^lambda function fanout-send-message: refused: .*less than or equal to 10240$/);
    } finally {
      await session.restore();
    }
    expect(await memoryOf(SEND)).toBe(1024);
  });

  it('a memory session on an unknown function fails before changing anything', async () => {
    await expect(memorySession(lambda, [SEND, 'fanout-nope'])).rejects.toThrow(/^lambda function fanout-nope: no such function/);
  });

  it('restores on SIGINT when nothing else handles it, then ends by the signal', async () => {
    const child = await startChild(SEND, 512, 'alone');
    expect(await memoryOf(SEND)).toBe(512);
    child.kill('SIGINT');
    const { code, signal, stderr } = await child.ended;
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' });
    expect(stderr).toContain('fanout-bench: SIGINT: restoring the original Lambda memory sizes (fanout-send-message 1024 MB)');
    expect(stderr).not.toContain('NOT restored');
    expect(await memoryOf(SEND)).toBe(1024);
  });

  it('a second SIGINT during the restore quits at once, naming the sizes left changed', async () => {
    const child = await startChild(SEND, 640, 'alone');
    child.kill('SIGINT');
    // the restore waits at least the waiter's first 1 s delay: this lands during it
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const { code, stderr } = await child.ended;
    expect(code).toBe(130);
    expect(stderr).toContain(
      'fanout-bench: Lambda memory sizes NOT restored: fanout-send-message 1024 MB; e.g. aws lambda update-function-configuration --function-name fanout-send-message --memory-size 1024',
    );
    await setMemorySize(lambda, SEND, 1024); // for the next test (the restore it sent may still be in progress)
  });

  it('restores on SIGINT in a process that handles it (restore() in finally shares the restore under way)', async () => {
    const child = await startChild(WHOAMI, 1024, 'handled');
    expect(await memoryOf(WHOAMI)).toBe(1024);
    child.kill('SIGINT');
    const { code, stdout } = await child.ended;
    expect(code).toBe(130);
    expect(stdout).toBe('set\nrestored\n');
    expect(await memoryOf(WHOAMI)).toBe(256);
  });
});

/** The child fixture, once it has set the size (its "set" line). */
async function startChild(fn: string, mb: number, mode: 'alone' | 'handled') {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, stack.ready.lambdaEndpoint, fn, String(mb), mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not set the size within 30 s; stderr: ${stderr}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
      if (stdout.includes('set\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void ended.then(() => reject(new Error(`child exited early; stderr: ${stderr}`)));
  });
  return { kill: (s: NodeJS.Signals) => child.kill(s), ended };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
