import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { connect, type TestClient } from '../fixtures/gateway/clients.ts';
import { until } from './lambda-test-helpers.ts';
import { UserError } from '../../common/errors.ts';

/**
 * test/fixtures/stacks/snapstart-connect: SnapStart on a Python 3.12 function published through
 * SAM's AutoPublishAlias, run from its template. The version's INIT runs when the stack starts
 * (the snapshot, its before-snapshot hook); each connection's environment is restored from it (the
 * after-restore hook), and Lambda's API says the version is optimized.
 */
const TEMPLATE = fileURLToPath(new URL('../fixtures/stacks/snapstart-connect/template.yaml', import.meta.url));
let stack: RunningStack | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stack?.close();
  stack = undefined;
});

type Held = { initId: string; snapshot: boolean; restores: number; initType: string; version: string };

describe('SnapStart from a template', () => {
  it('takes the version snapshot at start and restores each environment from it', async () => {
    const config = defaultStackConfig({ template: { path: TEMPLATE }, lambda: { preparedPerFunction: 0 } });
    const said: string[] = [];
    const s = (stack = await startStack({ config, stack: (await describeStack(config)).stack, log: (line) => said.push(line) }));
    const fn = s.stack.functions.find((f) => f.logicalId === 'ChatFunction')!;
    expect(said).toContainEqual(expect.stringMatching(new RegExp(`^stack: SnapStart: ${fn.name} version 1 snapshot taken \\(INIT \\d+ ms\\)$`)));

    const lambda = new LambdaClient({ endpoint: s.ready.lambdaEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const status = async (Qualifier?: string) => (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name, ...(Qualifier ? { Qualifier } : {}) }))).SnapStart;
    expect(await status('1')).toEqual({ ApplyOn: 'PublishedVersions', OptimizationStatus: 'On' });
    expect(await status()).toEqual({ ApplyOn: 'PublishedVersions', OptimizationStatus: 'Off' });

    // two connections at once: two environments restored from the one snapshot
    const both = await Promise.all([0, 1].map(() => connect(s.ready.websocketUrl)));
    clients.push(...both);
    const held = await Promise.all(
      both.map(async (c) => {
        c.send({ action: 'state' });
        return (await c.nextJson()) as Held;
      }),
    );
    expect(held[0]!.initId).toBe(held[1]!.initId);
    for (const h of held) expect(h).toMatchObject({ snapshot: true, restores: 1, initType: 'snap-start', version: '1' });

    const group = `/aws/lambda/${fn.name}`;
    const events = (pattern: string) => s.logs.filter({ logGroupName: group, filterPattern: pattern })?.events ?? [];
    await until(() => events('"Restore Duration"').length >= 1);
    expect(events('"before snapshot: INIT"')).toHaveLength(1);
    expect(events('"after restore: environment"').length).toBe(s.runtime.stats()[fn.name]!.coldStarts);
    expect(events('"Init Duration"').filter((e) => e.message.startsWith('REPORT'))).toHaveLength(0);
  });

  it("turns SnapStart off and on through Lambda's API: each version published as the function is configured then, the alias moved to it", async () => {
    const config = defaultStackConfig({ template: { path: TEMPLATE }, lambda: { preparedPerFunction: 0 } });
    const s = (stack = await startStack({ config, stack: (await describeStack(config)).stack, log: () => {} }));
    const fn = s.stack.functions.find((f) => f.logicalId === 'ChatFunction')!;
    const lambda = new LambdaClient({ endpoint: s.ready.lambdaEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const held = async (): Promise<Held> => {
      const c = await connect(s.ready.websocketUrl);
      clients.push(c);
      c.send({ action: 'state' });
      return (await c.nextJson()) as Held;
    };
    const publishWith = async (ApplyOn: 'None' | 'PublishedVersions') => {
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn.name, SnapStart: { ApplyOn } }));
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: fn.name });
      const published = await lambda.send(new PublishVersionCommand({ FunctionName: fn.name }));
      // a SnapStart version is Pending until its snapshot is taken, then Active, as on AWS
      expect(['Pending', 'Active']).toContain(published.State);
      let active = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name, Qualifier: published.Version }));
      while (active.State === 'Pending') {
        await new Promise((r) => setTimeout(r, 20));
        active = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name, Qualifier: published.Version }));
      }
      await lambda.send(new UpdateAliasCommand({ FunctionName: fn.name, Name: 'live', FunctionVersion: published.Version }));
      return active;
    };

    const off = await publishWith('None');
    expect(off).toMatchObject({ Version: '2', SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' } });
    expect(await held()).toMatchObject({ snapshot: false, restores: 0, initType: 'on-demand', version: '2' });

    const on = await publishWith('PublishedVersions');
    expect(on).toMatchObject({ Version: '3', SnapStart: { ApplyOn: 'PublishedVersions', OptimizationStatus: 'On' } });
    expect(await held()).toMatchObject({ snapshot: true, restores: 1, initType: 'snap-start', version: '3' });
    lambda.destroy();
  });

  it('refuses to start a stack whose SnapStart version cannot be published, naming the resource, in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-snapstart-failed-'));
    try {
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'src', 'app.py'), 'from snapshot_restore_py import register_before_snapshot\n@register_before_snapshot\ndef close_pool():\n    raise RuntimeError("pool still open")\ndef handler(event, context):\n    return {"statusCode": 200}\n');
      const template = readFileSync(TEMPLATE, 'utf8');
      writeFileSync(join(dir, 'template.yaml'), template);
      const config = defaultStackConfig({ template: { path: join(dir, 'template.yaml') }, lambda: { preparedPerFunction: 0 } });
      const described = await describeStack(config);
      const started = startStack({ config, stack: described.stack, log: () => {} });
      await expect(started).rejects.toThrow(UserError);
      await expect(started).rejects.toThrow(
        /^resource ChatFunctionVersion: SnapStart: version 1 of \S+ could not be published: its INIT failed \(Runtime\.BeforeSnapshotError: pool still open\), so Lambda takes no snapshot and marks the version Failed$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
