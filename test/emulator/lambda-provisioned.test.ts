import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLambdaRuntime, type LambdaRuntimeOptions } from '../../emulator/lambda/runtime.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import type { FunctionDefinition } from '../../emulator/lambda/options.ts';
import { expectOk, fixture, until } from './lambda-test-helpers.ts';

/**
 * Versions, aliases and provisioned concurrency as Lambda runs them: a version's provisioned
 * environments are INIT'd before any request and serve its invocations warm; an invocation that
 * finds none free spills over to an on-demand environment, cold; the unqualified function never
 * uses them.
 */
let runtime: LambdaRuntime | undefined;
let logs: LogStore;
let metrics: MetricStore;

const base: FunctionDefinition = { name: 'p', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 5, environment: { CUSTOM_VALUE: 'published' } };

async function start(fn: Partial<FunctionDefinition> = {}, options: Partial<LambdaRuntimeOptions> = {}, from = base): Promise<LambdaRuntime> {
  logs = new LogStore();
  metrics = new MetricStore();
  runtime = await createLambdaRuntime({ metrics, logs, cpuModel: 'off', functions: [{ ...from, ...fn }], ...options });
  await runtime.prepared();
  return runtime;
}

afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

const provisioned = { versions: [{}], aliases: [{ name: 'live', version: 1, provisionedConcurrency: 2 }] };
const events = (filterPattern: string) => logs.filter({ logGroupName: '/aws/lambda/p', filterPattern })?.events ?? [];
const stat = (metricName: string, dimensions: Record<string, string>, stat: 'Sum' | 'Maximum') =>
  metrics.query({ namespace: 'AWS/Lambda', metricName, dimensions, stat, periodSeconds: 1200, startTime: Date.now() - 600_000, endTime: Date.now() + 600_000 }).reduce((n, p) => n + p.value, 0);

type Echo = { env: { version: string; initType: string; stream: string; custom: string }; context: { functionVersion: string; invokedFunctionArn: string } };

describe('Provisioned concurrency on an alias', () => {
  it('is allocated before any request, serves warm, and spills over cold past its count', async () => {
    const rt = await start(provisioned);
    expect(rt.versions('p')).toEqual(['1']);
    expect(rt.aliases('p')).toEqual({ live: '1' });
    expect(rt.provisionedConcurrency('p', 'live')).toEqual({ requested: 2, allocated: 2, available: 2, status: 'READY' });
    expect(rt.stats().p).toMatchObject({ provisioned: 2, live: 0, coldStarts: 0 });

    // three at once against two provisioned environments: two warm, one on-demand cold start
    const storm = await Promise.all([0, 1, 2].map(() => rt.invoke('p', { action: 'sleep', ms: 200 }, { qualifier: 'live' })));
    const cold = storm.map((o) => expectOk(o)).filter((o) => o.cold);
    expect(cold).toHaveLength(1);
    expect(cold[0]!.initDurationMs).toBeGreaterThan(0);
    expect(storm.map((o) => expectOk(o)).filter((o) => !o.cold).every((o) => o.initDurationMs === undefined)).toBe(true);
    expect(rt.stats().p).toMatchObject({ provisionedInvocations: 2, spilloverInvocations: 1, coldStarts: 1 });

    const echo = expectOk(await rt.invoke('p', { action: 'echo' }, { qualifier: 'live' }));
    expect(echo.cold).toBe(false);
    const { env, context } = echo.result as Echo;
    expect(env).toMatchObject({ version: '1', initType: 'provisioned-concurrency', custom: 'published' });
    expect(env.stream).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[1\][0-9a-f]{32}$/);
    expect(context).toEqual(expect.objectContaining({ functionVersion: '1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:p:live' }));

    const resource = { FunctionName: 'p', Resource: 'p:live' };
    await until(() => events('"REPORT RequestId"').length === 4);
    expect(stat('ProvisionedConcurrencyInvocations', resource, 'Sum')).toBe(3);
    expect(stat('ProvisionedConcurrencySpilloverInvocations', resource, 'Sum')).toBe(1);
    expect(stat('ProvisionedConcurrencyUtilization', resource, 'Maximum')).toBe(1);
    // the REPORT lines: Init Duration only on the spillover's, every START naming version 1
    const reports = events('"REPORT RequestId"').map((e) => e.message);
    expect(reports.filter((r) => r.includes('Init Duration'))).toHaveLength(1);
    expect(events('"START RequestId"').every((e) => e.message.endsWith('Version: 1'))).toBe(true);
  });

  it('is not used by the unqualified function: those invocations run $LATEST on demand', async () => {
    const rt = await start(provisioned);
    const echo = expectOk(await rt.invoke('p', { action: 'echo' }));
    expect(echo.cold).toBe(true);
    expect((echo.result as Echo).env).toMatchObject({ version: '$LATEST', initType: 'on-demand' });
    expect(rt.stats().p).toMatchObject({ provisionedInvocations: 0, spilloverInvocations: 0, provisioned: 2 });
  });

  it('keeps a published version as published: an update changes $LATEST only', async () => {
    const rt = await start(provisioned);
    await rt.updateFunction('p', { environment: { CUSTOM_VALUE: 'updated' } });
    expect(((expectOk(await rt.invoke('p', { action: 'echo' }, { qualifier: 'live' })).result) as Echo).env.custom).toBe('published');
    expect(((expectOk(await rt.invoke('p', { action: 'echo' }, { qualifier: '1' })).result) as Echo).env.custom).toBe('published');
    expect(((expectOk(await rt.invoke('p', { action: 'echo' })).result) as Echo).env.custom).toBe('updated');
    // a version published now takes the configuration as it is now
    const two = rt.publishVersion('p');
    expect(two).toBe('2');
    expect(((expectOk(await rt.invoke('p', { action: 'echo' }, { qualifier: two })).result) as Echo).env).toMatchObject({ version: '2', custom: 'updated' });
  });

  it('moves with its alias, shrinks and is removed as configured', async () => {
    const rt = await start(provisioned);
    rt.publishVersion('p');
    rt.putAlias('p', 'live', '2');
    await rt.whenProvisioned('p');
    expect(rt.provisionedConcurrency('p', 'live')).toMatchObject({ allocated: 2, status: 'READY' });
    expect((expectOk(await rt.invoke('p', { action: 'echo' }, { qualifier: 'live' })).result as Echo).env).toMatchObject({ version: '2', initType: 'provisioned-concurrency' });
    // version 1 has none now: its first invocation is a cold start
    expect(expectOk(await rt.invoke('p', { action: 'echo' }, { qualifier: '1' })).cold).toBe(true);

    rt.putProvisionedConcurrency('p', 'live', 1);
    expect(rt.provisionedConcurrency('p', 'live')).toMatchObject({ requested: 1, allocated: 1 });
    rt.deleteProvisionedConcurrency('p', 'live');
    expect(() => rt.provisionedConcurrency('p', 'live')).toThrow('No Provisioned Concurrency Config found for this function');
    expect(rt.stats().p.provisioned).toBe(0);
  });

  it('writes the JSON format\'s platform.initStart and initReport for a provisioned INIT, and no initDurationMs on its report', async () => {
    const rt = await start({ ...provisioned, aliases: [{ name: 'live', version: 1, provisionedConcurrency: 1 }], logging: { format: 'JSON' } });
    expectOk(await rt.invoke('p', { action: 'echo' }, { qualifier: 'live' }));
    await until(() => events('"platform.report"').length === 1);
    const record = (type: string) => JSON.parse(events(`"${type}"`)[0]!.message).record;
    expect(record('platform.initStart')).toMatchObject({ initializationType: 'provisioned-concurrency', functionVersion: '1' });
    expect(record('platform.initReport')).toMatchObject({ initializationType: 'provisioned-concurrency', status: 'success', metrics: { durationMs: expect.any(Number) } });
    expect(record('platform.report').metrics.initDurationMs).toBeUndefined();
    expect(record('platform.start').version).toBe('1');
  });
});

describe('Provisioned concurrency for a runtime that speaks the Runtime API (Python)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-provisioned-py-'));
  writeFileSync(
    join(dir, 'app.py'),
    'import os\ninit_type = os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"]\n\ndef handler(event, context):\n    return {"init": init_type, "version": context.function_version, "arn": context.invoked_function_arn}\n',
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('INITs the process ahead, and its invocations run warm on version 1', async () => {
    const python: FunctionDefinition = { name: 'p', code: { kind: 'handler', dir, handler: 'app.handler' }, runtime: 'python3.12', memoryMB: 256, timeoutSeconds: 5 };
    const rt = await start(provisioned, {}, python);
    const out = expectOk(await rt.invoke('p', {}, { qualifier: 'live' }));
    expect(out.cold).toBe(false);
    expect(out.result).toEqual({ init: 'provisioned-concurrency', version: '1', arn: 'arn:aws:lambda:us-east-1:000000000000:function:p:live' });
    await until(() => events('"REPORT RequestId"').length === 1);
    expect(events('"REPORT RequestId"')[0]!.message).not.toContain('Init Duration');
  });
});

describe('An allocation whose INIT fails', () => {
  it('is FAILED with FUNCTION_ERROR_INIT_FAILURE, and its version\'s invocations run on demand', async () => {
    const rt = await start({ entry: fixture('init-throws.ts'), ...provisioned });
    expect(rt.provisionedConcurrency('p', 'live')).toMatchObject({ requested: 2, allocated: 0, status: 'FAILED', statusReason: 'FUNCTION_ERROR_INIT_FAILURE' });
    const out = await rt.invoke('p', {}, { qualifier: 'live' });
    expect(out.kind).toBe('error');
    expect(rt.stats().p).toMatchObject({ provisioned: 0, provisionedInvocations: 0, spilloverInvocations: 1 });
  });
});

describe('What Lambda refuses, in its words', () => {
  it('refuses provisioned concurrency on $LATEST, on an unknown qualifier, and twice on one version', async () => {
    const rt = await start({ versions: [{ provisionedConcurrency: 1 }], aliases: [{ name: 'live', version: 1 }] });
    expect(() => rt.putProvisionedConcurrency('p', '$LATEST', 1)).toThrow('Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
    expect(() => rt.putProvisionedConcurrency('p', '7', 1)).toThrow('Function not found: arn:aws:lambda:us-east-1:000000000000:function:p:7');
    expect(() => rt.putProvisionedConcurrency('p', 'live', 1)).toThrow("Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version");
    await expect(rt.invoke('p', {}, { qualifier: 'nope' })).rejects.toThrow('Function not found: arn:aws:lambda:us-east-1:000000000000:function:p:nope');
  });

  it('refuses a template whose provisioned concurrency exceeds the reserved, or the account\'s unreserved pool, naming the field', async () => {
    await expect(start({ reservedConcurrency: 1, ...provisioned })).rejects.toThrow(
      'lambda runtime: functions[0].aliases[0].provisionedConcurrency: Provisioned Concurrency cannot exceed Reserved Concurrency for the function.',
    );
    await expect(start({ versions: [{ provisionedConcurrency: 950 }] })).rejects.toThrow(
      "lambda runtime: functions[0].versions[0].provisionedConcurrency: Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
    );
    await expect(start({ aliases: [{ name: 'live', version: 3 }] })).rejects.toThrow(
      'lambda runtime: functions[0].aliases[0].version: Function not found: arn:aws:lambda:us-east-1:000000000000:function:p:3',
    );
  });
});
