import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleUnservedCalls, UnservedCallRecord } from '../../emulator/gateway/unserved-calls.ts';
import { awsEndpointServices } from '../../emulator/lambda/runtimes/aws-endpoint-services.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { expectError, expectOk } from './lambda-test-helpers.ts';
import { deployedUserFunctions } from './user-function-dirs.ts';

// Code as written (not bundled), loaded from a directory with Lambda's Handler setting, in real
// worker threads: every module format, the runtime's SDK with no node_modules beside the code,
// callback handlers, Lambda's errors, and the freeze between invocations.

let runtime: LambdaRuntime;
let logs: LogStore;
let fixtures: Awaited<ReturnType<typeof deployedUserFunctions>>;

const fn = (name: string, dir: string, handler: string, timeoutSeconds = 5) => ({
  name,
  code: { kind: 'handler' as const, dir: fixtures.dir(dir), handler },
  memoryMB: 1769,
  timeoutSeconds,
});

/** A function that ships its own `@aws-sdk/client-dynamodb` (a stand-in saying so): written here, node_modules is not committed. */
async function writeOwnSdkFunction(dir: string): Promise<void> {
  const pkg = join(dir, 'node_modules', '@aws-sdk', 'client-dynamodb');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: '@aws-sdk/client-dynamodb', main: 'index.js' }));
  await writeFile(join(pkg, 'index.js'), "exports.shippedWithTheFunction = true;\n");
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }));
  await writeFile(join(dir, 'index.js'), "exports.handler = async () => ({ own: require('@aws-sdk/client-dynamodb').shippedWithTheFunction === true });\n");
  await writeFile(join(dir, 'esm.mjs'), "import sdk from '@aws-sdk/client-dynamodb';\nexport const handler = async () => ({ own: sdk.shippedWithTheFunction === true });\n");
}

beforeAll(async () => {
  fixtures = await deployedUserFunctions();
  await writeOwnSdkFunction(fixtures.dir('own-sdk'));
  logs = new LogStore();
  runtime = await createLambdaRuntime({
    cpuModel: 'off',
    metrics: new MetricStore(),
    logs,
    functions: [
      fn('cjs', 'cjs', 'index.handler'),
      fn('mjs', 'esm-mjs', 'app.handler'),
      fn('esm-js', 'esm-js', 'handler.main'),
      fn('cjs-ext', 'cjs-ext', 'main.handlers.run'),
      fn('nested', 'nested', 'src/handlers/chat.post'),
      fn('callback', 'callback', 'index.handler'),
      fn('freeze', 'callback', 'index.handler'),
      fn('malformed', 'cjs', 'index'),
      fn('not-exported', 'cjs', 'index.nope'),
      fn('missing-module', 'cjs', 'absent.handler'),
      fn('never-returns', 'callback', 'index.handler', 1),
      fn('own-sdk-cjs', 'own-sdk', 'index.handler'),
      fn('own-sdk-esm', 'own-sdk', 'esm.handler'),
    ],
  });
});

afterAll(async () => {
  await runtime?.close();
  await fixtures?.remove();
});

describe('Lambda runtime: code as written', () => {
  it('loads CommonJS, requiring the runtime\'s SDK through NODE_PATH (no node_modules beside the code)', async () => {
    const r = expectOk(await runtime.invoke('cjs', { action: 'about' }));
    const result = r.result as Record<string, unknown>;
    expect(result).toMatchObject({ format: 'cjs', calls: 1, esm: false, handler: 'index.handler', taskRoot: fixtures.dir('cjs') });
    expect(result.sdk).toMatch(/@aws-sdk\/client-dynamodb\/dist-cjs\/index\.js$/);
    expect(String(result.nodePath).split(':')).toEqual([expect.stringMatching(/\/runtime\/node_modules$/), fixtures.dir('cjs')]);
    expect(r.cold).toBe(true);
    expect(expectOk(await runtime.invoke('cjs', {})).result).toMatchObject({ calls: 2 }); // same module, warm
  });

  it('offers the SDK only, as Lambda\'s runtime does: other packages the emulator has are not found', async () => {
    expect(expectOk(await runtime.invoke('cjs', { action: 'require-other' })).result).toEqual({ found: false, code: 'MODULE_NOT_FOUND' });
  });

  it('what the function ships wins over the runtime\'s SDK, as on Lambda (CommonJS and ES modules)', async () => {
    expect(expectOk(await runtime.invoke('own-sdk-cjs', {})).result).toEqual({ own: true });
    expect(expectOk(await runtime.invoke('own-sdk-esm', {})).result).toEqual({ own: true });
  });

  it('imports ES modules: .mjs, and .js under "type": "module", with the SDK through the resolve hook', async () => {
    expect(expectOk(await runtime.invoke('mjs', {})).result).toEqual({
      format: 'mjs',
      client: 'function',
      url: `file://${fixtures.dir('esm-mjs')}/app.mjs`,
    });
    expect(expectOk(await runtime.invoke('esm-js', {})).result).toEqual({
      format: 'esm-js',
      client: 'function',
      url: `file://${fixtures.dir('esm-js')}/handler.js`,
    });
  });

  it('requires .cjs in a "type": "module" package, and resolves a nested export path', async () => {
    expect(expectOk(await runtime.invoke('cjs-ext', {})).result).toEqual({ format: 'cjs-ext', client: 'function', file: `${fixtures.dir('cjs-ext')}/main.cjs` });
  });

  it('resolves a handler in a subdirectory (src/handlers/chat.post)', async () => {
    expect(expectOk(await runtime.invoke('nested', { hello: 1 })).result).toEqual({ format: 'nested', got: { hello: 1 } });
  });

  it('names bad handlers and missing modules as Lambda does', async () => {
    expect(expectError(await runtime.invoke('malformed', {}))).toMatchObject({ errorType: 'Runtime.MalformedHandlerName', errorMessage: 'Bad handler' });
    expect(expectError(await runtime.invoke('not-exported', {}))).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.nope is undefined or not exported',
    });
    const missing = expectError(await runtime.invoke('missing-module', {}));
    expect(missing.errorType).toBe('Runtime.ImportModuleError');
    expect(missing.errorMessage).toMatch(/Cannot find module 'absent'/);
  });

  it('callback style: waits for the event loop to empty by default; with callbackWaitsForEmptyEventLoop false, answers at once and freezes', async () => {
    const waited = expectOk(await runtime.invoke('callback', { pendingMs: 150 }));
    expect(waited.durationMs).toBeGreaterThanOrEqual(140); // the pending timer ran before the answer
    expect(expectOk(await runtime.invoke('callback', { pendingMs: 0, waits: false })).result).toEqual({
      format: 'callback',
      firedBefore: [{ afterMs: expect.any(Number) }], // invocation 1's timer, fired within it
    });
    const quick = expectOk(await runtime.invoke('callback', { pendingMs: 100, waits: false }));
    expect(quick.durationMs).toBeLessThan(100);
    const errored = expectError(await runtime.invoke('callback', { fail: true, waits: false }));
    expect(errored).toMatchObject({ errorType: 'Error', errorMessage: 'callback error' });
  });

  it('freezes between invocations: a timer left pending for 50 ms fires only once the next invocation thaws the environment', async () => {
    expectOk(await runtime.invoke('freeze', { pendingMs: 50, waits: false }));
    await new Promise((r) => setTimeout(r, 500));
    // As on Lambda, the thaw turns the event loop: the expired timer fires, then the handler runs.
    const next = expectOk(await runtime.invoke('freeze', { pendingMs: 0, waits: false }));
    const fired = (next.result as { firedBefore: Array<{ afterMs: number }> }).firedBefore;
    expect(fired).toHaveLength(1);
    expect(fired[0]!.afterMs).toBeGreaterThanOrEqual(500); // not 50: frozen meanwhile
  });

  it('freezes after INIT too: a timer INIT left pending fires when the first invocation thaws the environment', async () => {
    const prepared = await createLambdaRuntime({
      cpuModel: 'off',
      metrics: new MetricStore(),
      logs: new LogStore(),
      preparedPerFunction: 1,
      functions: [fn('init-timer', 'init-timer', 'index.handler')],
    });
    try {
      await prepared.prepared(); // INIT ran ahead
      await new Promise((r) => setTimeout(r, 400));
      const r = expectOk(await prepared.invoke('init-timer', {}));
      expect((r.result as { firedAfterMs: number }).firedAfterMs).toBeGreaterThanOrEqual(400); // not 20
    } finally {
      await prepared.close();
    }
  });

  it('a handler that never returns ends at its timeout (Sandbox.Timedout)', async () => {
    // waits for an empty event loop, which a 60 s timer keeps busy: past the 1 s timeout
    const r = expectError(await runtime.invoke('never-returns', { pendingMs: 60_000 }));
    expect(r).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' });
    expect(runtime.stats()['never-returns']!.timeouts).toBe(1);
  });

  it('sends nothing to AWS: an AWS host the emulator does not serve is a refused connection naming it (https, http and fetch)', async () => {
    const r = expectOk(await runtime.invoke('cjs', { action: 'unserved-host' })).result as Record<string, { code: string; message: string }>;
    for (const way of [r.viaHttps, r.viaFetch]) {
      expect(way.code).toBe('ECONNREFUSED');
      expect(way.message).toMatch(/^connect ECONNREFUSED sqs\.us-east-1\.amazonaws\.com:443 \(the local emulator does not serve/);
    }
    expect(r.viaHttp!.message).toMatch(/^connect ECONNREFUSED sqs\.us-east-1\.amazonaws\.com:80 /);
  });

  it("reads each refused call before failing it, and has it in the emulator's record before the invocation is answered: the SDK's SendMessage, Kinesis PutRecord, S3 GetObject", async () => {
    const record = new UnservedCallRecord();
    const server = createServer((req, res) => handleUnservedCalls(record, req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const recording = await createLambdaRuntime({
      cpuModel: 'off',
      metrics: new MetricStore(),
      logs: new LogStore(),
      awsEndpoints: { services: awsEndpointServices({ gatewayOrigin: origin }) },
      functions: [fn('orders-api', 'cjs', 'index.handler')],
    });
    try {
      const r = expectOk(await recording.invoke('orders-api', { action: 'unserved-calls' })).result as Record<string, { code?: string }>;
      // each still fails as a refused connection does
      expect([r.viaSdk!.code, r.viaHttps!.code, r.viaFetch!.code]).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
      // answered: every call it made is in the record already
      const calls = record.snapshot().calls;
      const seen = (service: string) => calls.find((c) => c.service === service);
      expect(calls).toHaveLength(3);
      expect(seen('sqs')).toMatchObject({ function: 'orders-api', host: 'sqs.us-east-1.amazonaws.com', operation: 'SendMessage', resource: 'QueueUrl=https://sqs.us-east-1.amazonaws.com/123456789012/orders', count: 1 });
      expect(seen('kinesis')).toMatchObject({ function: 'orders-api', operation: 'PutRecord', resource: 'StreamName=orders', count: 1 });
      expect(seen('s3')).toMatchObject({ function: 'orders-api', host: 'media.s3.us-east-1.amazonaws.com', operation: 'GET /avatars/a.png', resource: 'Bucket=media', count: 1 });
    } finally {
      await recording.close();
      server.close();
    }
  });

  it('refuses a code directory that does not exist, and a local endpoint that is not http, naming the field', async () => {
    const base = { cpuModel: 'off' as const, metrics: new MetricStore(), logs: new LogStore() };
    await expect(
      createLambdaRuntime({ ...base, functions: [{ name: 'x', code: { kind: 'handler', dir: fixtures.dir('absent'), handler: 'index.handler' }, memoryMB: 128, timeoutSeconds: 3 }] }),
    ).rejects.toThrow(/^lambda runtime: functions\[0\]\.code\.dir: no such directory \//);
    await expect(
      createLambdaRuntime({
        ...base,
        awsEndpoints: { services: { dynamodb: 'https://127.0.0.1:1' } },
        functions: [fn('y', 'cjs', 'index.handler')],
      }),
    ).rejects.toThrow(/^lambda runtime: awsEndpoints\.services\.dynamodb: /);
  });

  it('writes START, END and REPORT for code as written, in order, before it freezes', async () => {
    const r = expectOk(await runtime.invoke('nested', { log: true }));
    // No waiting: the worker posts its log on the port its answer comes by, before the answer.
    const events = logs.filter({ logGroupName: '/aws/lambda/nested' })!.events.map((e) => e.message);
    const mine = events.filter((m) => m.includes(r.requestId));
    expect(mine.map((m) => m.split(' ')[0])).toEqual(['START', 'END', 'REPORT']);
  });
});

describe('Lambda runtime: the SDK v2 of nodejs16.x, as code finds it', () => {
  // Up to nodejs16.x Lambda loaded ES modules only from the handler's folder: the SDK v2 it
  // shipped answers require('aws-sdk'), while an ES module's import of it fails its INIT (Lambda
  // searched NODE_PATH for ES modules from nodejs18.x on). SDK v2 comes from
  // `stack install-node nodejs16.x` (.ci/run fetches it first).
  it('answers require, and fails an ES module\'s import with Runtime.ImportModuleError', async () => {
    const dir = fixtures.dir('sdk-v2');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'index.js'), "const AWS = require('aws-sdk');\nexports.handler = async () => ({ version: AWS.VERSION });\n");
    await writeFile(join(dir, 'esm.mjs'), "import AWS from 'aws-sdk';\nexport const handler = async () => ({ version: AWS.VERSION });\n");
    const v2 = await createLambdaRuntime({
      cpuModel: 'off',
      metrics: new MetricStore(),
      logs: new LogStore(),
      functions: [
        { ...fn('v2-cjs', 'sdk-v2', 'index.handler'), runtime: 'nodejs16.x' },
        { ...fn('v2-esm', 'sdk-v2', 'esm.handler'), runtime: 'nodejs16.x' },
      ],
    });
    try {
      expect(expectOk(await v2.invoke('v2-cjs', {})).result).toEqual({ version: expect.stringMatching(/^2\./) });
      expect(expectError(await v2.invoke('v2-esm', {}))).toMatchObject({
        errorType: 'Runtime.ImportModuleError',
        errorMessage: expect.stringMatching(/^Error: Cannot find package 'aws-sdk' imported from .*\/esm\.mjs/),
        cold: true,
      });
    } finally {
      await v2.close();
    }
  });
});
