import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import type { RunningStack } from '../../emulator/stack.ts';
import { startOwnStack } from '../fixtures/stack-model/own-functions-stack.ts';
import { expectOk, fixture } from './lambda-test-helpers.ts';

// The emulated functions reach only local endpoints: whatever AWS credentials the process that
// starts the emulator holds, the functions must see the local dummies and nothing else of them.

const CALLER = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLETOKEN',
  AWS_PROFILE: 'production',
};

interface EchoedEnv {
  postTimeoutMs?: string;
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  awsNames: string[];
}

function echoedEnv(result: unknown): EchoedEnv {
  return (result as { env: EchoedEnv }).env;
}

function expectDummies(env: EchoedEnv): void {
  expect(env.accessKey).toBe('local');
  expect(env.secretKey).toBe('local');
  expect(env.sessionToken).toBeUndefined();
  expect(env.awsNames).not.toContain('AWS_PROFILE');
  expect(JSON.stringify(env)).not.toMatch(/EXAMPLE/);
}

describe('credentials the emulated functions see', () => {
  let stack: RunningStack | undefined;

  beforeAll(() => {
    for (const [name, value] of Object.entries(CALLER)) vi.stubEnv(name, value);
  });

  afterAll(async () => {
    await stack?.close();
    vi.unstubAllEnvs();
  });

  it('a whole stack started with real-looking AWS_* credentials in its environment hands the functions local dummies', async () => {
    expect(process.env.AWS_ACCESS_KEY_ID).toBe(CALLER.AWS_ACCESS_KEY_ID);
    stack = await startOwnStack({
      config: defaultStackConfig({ lambda: { cpuModel: 'off' } }),
      functions: [{ name: 'creds', route: 'whoami', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 5, returnResponse: true }],
      log: () => {},
    });
    expectDummies(echoedEnv(expectOk(await stack.runtime.invoke('creds', { action: 'echo' })).result));
  });

  it("gives a function its stack's variables (POST_TIMEOUT_MS 20 s, as the reference stack's here), and a configured value in place of one", async () => {
    expect(echoedEnv(expectOk(await stack!.runtime.invoke('creds', { action: 'echo' })).result).postTimeoutMs).toBe('20000');
    const configured = await startOwnStack({
      config: defaultStackConfig({ lambda: { cpuModel: 'off' }, functions: { 'fanout-whoami': { environment: { POST_TIMEOUT_MS: '750' } } } }),
      functions: [{ name: 'fanout-whoami', route: 'whoami', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 5, returnResponse: true }],
      log: () => {},
    });
    try {
      expect(echoedEnv(expectOk(await configured.runtime.invoke('fanout-whoami', { action: 'echo' })).result).postTimeoutMs).toBe('750');
    } finally {
      await configured.close();
    }
  });

  it('the Lambda runtime on its own never passes the caller credentials through either', async () => {
    const runtime = await createLambdaRuntime({
      metrics: new MetricStore(),
      logs: new LogStore(),
      cpuModel: 'off',
      functions: [{ name: 'creds', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 5 }],
    });
    try {
      expectDummies(echoedEnv(expectOk(await runtime.invoke('creds', { action: 'echo' })).result));
    } finally {
      await runtime.close();
    }
  });
});
