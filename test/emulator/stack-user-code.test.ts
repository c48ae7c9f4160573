import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import type { RunningStack } from '../../emulator/stack.ts';
import { startOwnStack, type OwnFunction } from '../fixtures/stack-model/own-functions-stack.ts';
import { connect, type TestClient } from '../fixtures/gateway/clients.ts';
import { emulatorUnservedCalls } from '../../src/targets/emulator-unserved-calls.ts';
import { expectOk } from './lambda-test-helpers.ts';
import { deployedUserFunctions } from './user-function-dirs.ts';

// Functions written for AWS, run unchanged through the whole stack: the gateway, the Lambda
// runtime loading them as written, their SDK clients built with explicit AWS endpoints (answered
// by the emulator), dynalite; and an environment frozen after each invocation, so a post the
// handler does not await is not delivered meanwhile, and never if the environment is retired.

const API_ID = 'userfn0001';
const STAGE = 'dev';
const AWS_CALLBACK_URL = `https://${API_ID}.execute-api.us-east-1.amazonaws.com/${STAGE}`;

let stack: RunningStack;
let fixtures: Awaited<ReturnType<typeof deployedUserFunctions>>;
const clients: TestClient[] = [];

beforeAll(async () => {
  fixtures = await deployedUserFunctions();
  const functions: OwnFunction[] = [
    { name: 'u-post', route: 'post', code: { kind: 'handler', dir: fixtures.dir('chat-posts'), handler: 'index.handler' }, memoryMB: 1769, timeoutSeconds: 10, returnResponse: true },
    // The same code for the not-awaited posts, one environment at most: the next invocation thaws the one that froze.
    { name: 'u-lazy', route: 'lazy', code: { kind: 'handler', dir: fixtures.dir('chat-posts'), handler: 'index.handler' }, memoryMB: 1769, timeoutSeconds: 10, returnResponse: true },
    { name: 'u-cjs', route: 'cjs', code: { kind: 'handler', dir: fixtures.dir('cjs'), handler: 'index.handler' }, memoryMB: 1769, timeoutSeconds: 10, returnResponse: true },
  ];
  const config = defaultStackConfig({ apiId: API_ID, stage: STAGE });
  config.functions['u-post'] = { environment: { CALLBACK_URL_AWS: AWS_CALLBACK_URL, CONNECTIONS_URL_AWS: `${AWS_CALLBACK_URL}/@connections` } };
  config.functions['u-lazy'] = { reservedConcurrency: 1 };
  stack = await startOwnStack({ config, functions, log: () => {} });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await stack?.close();
  await fixtures?.remove();
});

async function client(): Promise<{ c: TestClient; id: string }> {
  const c = await connect(stack.ready.websocketUrl);
  clients.push(c);
  c.send({ action: 'post', whoami: true });
  const me = await c.take((f) => f.type === 'me');
  return { c, id: me.connectionId as string };
}

describe('functions written for AWS, through the stack', () => {
  it('post to a connection through an explicit execute-api endpoint: from the event, AWS\'s sample form, a variable, a raw /@connections URL', async () => {
    const [alice, bob] = await Promise.all([client(), client()]);
    for (const via of ['event', 'domain', 'env', 'env-connections']) {
      alice.c.send({ action: 'post', to: bob.id, text: `hello via ${via}`, via });
      expect(await alice.c.take((f) => f.type === 'done')).toEqual({ type: 'done' });
      expect(await bob.c.next()).toBe(`hello via ${via}`);
    }
  });

  it('a DynamoDB client built with the AWS endpoint reads the stack\'s tables', async () => {
    const r = expectOk(await stack.runtime.invoke('u-cjs', { action: 'list-tables' }));
    expect((r.result as { tables: string[] }).tables).toEqual(expect.arrayContaining(Object.values(stack.ready.tables)));
  });

  it("a call to an AWS endpoint the stack does not serve is refused, and kept in the emulator's record the ready line names; one it serves is not", async () => {
    const startMs = Date.now();
    const r = expectOk(await stack.runtime.invoke('u-cjs', { action: 'unserved-calls' })).result as Record<string, { code?: string }>;
    expect([r.viaHttps!.code, r.viaFetch!.code]).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    // SQS is the stack's own: answered (no such queue), never refused
    expect(r.viaSdk!.code).not.toBe('ECONNREFUSED');
    // the invocation answered after its calls were recorded
    const calls = await emulatorUnservedCalls(stack.ready.unservedCallsEndpoint!, { startMs });
    expect(calls.map((c) => [c.function, c.service, c.operation, c.resource, c.count]).sort()).toEqual([
      ['u-cjs', 'kinesis', 'PutRecord', 'StreamName=orders', 1],
      ['u-cjs', 's3', 'GET /avatars/a.png', 'Bucket=media', 1],
    ]);
  });

  it('a post the handler does not await is not delivered while the environment is frozen; the next invocation thaws it', async () => {
    const [alice, bob] = await Promise.all([client(), client()]);
    alice.c.send({ action: 'lazy', to: bob.id, text: 'not awaited', await: false });
    await alice.c.take((f) => f.type === 'done');
    await new Promise((r) => setTimeout(r, 500));
    expect(bob.c.frames).toEqual([]); // frozen: not sent
    // The next invocation thaws the environment: the post resumes while it runs, as on Lambda
    // (an environment runs only during invocations: a quick one may freeze it again first).
    alice.c.send({ action: 'lazy', whoami: true, sleepMs: 300 });
    await alice.c.take((f) => f.type === 'me');
    expect(bob.c.frames.map((f) => f.data)).toEqual(['not awaited']);
  });

  it('a post the handler does not await is lost for good when its environment is retired frozen', async () => {
    const [alice, bob] = await Promise.all([client(), client()]);
    alice.c.send({ action: 'lazy', to: bob.id, text: 'never sent', await: false });
    await alice.c.take((f) => f.type === 'done');
    // A configuration change retires the idle (frozen) environment: it exits without thawing.
    await stack.runtime.updateFunction('u-lazy', { memoryMB: 1024 });
    alice.c.send({ action: 'lazy', whoami: true }); // a new environment, cold
    await alice.c.take((f) => f.type === 'me');
    await new Promise((r) => setTimeout(r, 500));
    expect(bob.c.frames).toEqual([]);
  });
});
