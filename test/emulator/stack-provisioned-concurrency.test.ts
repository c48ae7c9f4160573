import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { connect, type TestClient } from '../fixtures/gateway/clients.ts';
import { until } from './lambda-test-helpers.ts';

/**
 * test/fixtures/stacks/warm-connect: SAM's AutoPublishAlias with ProvisionedConcurrencyConfig on
 * the $connect function, run from its template. The alias's provisioned environments are
 * allocated when the stack starts; an integration that invokes the alias (`${Fn.Alias}`) is
 * served by one, warm; its twin, invoking the unqualified function, never is: its connects run
 * $LATEST on demand, cold, while the provisioned environments sit idle.
 */
const TEMPLATE = fileURLToPath(new URL('../fixtures/stacks/warm-connect/template.yaml', import.meta.url));
let stack: RunningStack | undefined;
const clients: TestClient[] = [];
let said: string[] = [];

async function start(parameters: Record<string, string>): Promise<RunningStack> {
  const config = defaultStackConfig({ template: { path: TEMPLATE, parameters }, lambda: { preparedPerFunction: 0 } });
  const described = await describeStack(config);
  said = [];
  stack = await startStack({ config, stack: described.stack, log: (line) => said.push(line) });
  return stack;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stack?.close();
  stack = undefined;
});

const reports = (s: RunningStack, name: string) => s.logs.filter({ logGroupName: `/aws/lambda/${name}`, filterPattern: '"REPORT RequestId"' })?.events ?? [];

describe('provisioned concurrency from a template (AutoPublishAlias)', () => {
  it('reads the version and the alias, allocates its environments at start, and serves $connect from them warm', async () => {
    const s = await start({});
    const fn = s.stack.functions.find((f) => f.logicalId === 'ConnectFunction')!;
    expect(fn.versions).toEqual([{ logicalId: 'ConnectFunctionVersion' }]);
    expect(fn.aliases).toEqual([{ logicalId: 'ConnectFunctionAliaslive', name: 'live', version: 1, provisionedConcurrency: 2 }]);
    expect(s.stack.routes.find((r) => r.routeKey === '$connect')).toMatchObject({ functionId: 'ConnectFunction', qualifier: 'live' });
    expect(s.stack.notEmulated.map((n) => n.logicalId)).not.toContain('ConnectFunctionAliaslive');
    expect(s.stack.warnings).toBeUndefined();
    await s.runtime.whenProvisioned(fn.name);
    expect(s.runtime.provisionedConcurrency(fn.name, 'live')).toMatchObject({ requested: 2, allocated: 2, status: 'READY' });
    // allocated before the stack says it is ready, and said
    expect(said).toContain(`stack: provisioned concurrency: ${fn.name}:live (version 1) 2 of 2 environments READY`);

    const client = await connect(s.ready.websocketUrl);
    clients.push(client);
    expect(s.runtime.stats()[fn.name]).toMatchObject({ provisionedInvocations: 1, spilloverInvocations: 0, coldStarts: 0 });
    await until(() => reports(s, fn.name).length === 1);
    expect(reports(s, fn.name)[0]!.message).not.toContain('Init Duration');
    expect(reports(s, fn.name)[0]!.logStreamName).toMatch(/\[1\][0-9a-f]{32}$/);
  });

  it('leaves them idle when the integration invokes the unqualified function: $connect runs $LATEST, cold', async () => {
    const s = await start({ Qualified: 'false' });
    const fn = s.stack.functions.find((f) => f.logicalId === 'ConnectFunction')!;
    expect(s.stack.routes.find((r) => r.routeKey === '$connect')!.qualifier).toBeUndefined();
    // the mistake, named at start: both ends, what the idle environments hold
    expect(s.stack.warnings).toEqual([
      `route $connect invokes ${fn.name} unqualified ($LATEST) while its alias live holds 2 provisioned environments: nothing invokes live, so they serve no request (0 % utilized) ` +
        `and are paid for all the same (2 × 128 MB, 0.25 GB-seconds each second); invoke ${fn.name}:live instead (its ARN in the integration URI or the FunctionName; in SAM, \${Fn.Alias})`,
    ]);
    await s.runtime.whenProvisioned(fn.name);
    const client = await connect(s.ready.websocketUrl);
    clients.push(client);
    expect(s.runtime.stats()[fn.name]).toMatchObject({ provisioned: 2, provisionedInvocations: 0, coldStarts: 1 });
    await until(() => reports(s, fn.name).length === 1);
    expect(reports(s, fn.name)[0]!.message).toContain('Init Duration');
    expect(reports(s, fn.name)[0]!.logStreamName).toMatch(/\[\$LATEST\][0-9a-f]{32}$/);
  });

  it('refuses provisioned concurrency past the account\'s unreserved pool, in Lambda\'s words', async () => {
    await expect(start({ Provisioned: '950' })).rejects.toThrow(
      "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
    );
  });

  it('registers the template\'s scalable target as the stack starts: the alias brought to its minimum, the ready line listing it', async () => {
    const s = await start({ Scaling: 'true' });
    const fn = s.ready.functions.find((f) => f.name === 'warm-connect-connect')!;
    // the alias's 2 raised to the target's minimum, 3
    expect(fn.provisioned).toEqual([{ qualifier: 'live', version: '1', environments: 3 }]);
    expect(fn.autoScaling).toEqual([{ qualifier: 'live', min: 3, max: 10, targetValue: 0.7, scheduledActions: 1 }]);
    expect(s.runtime.provisionedConcurrency('warm-connect-connect', 'live')).toMatchObject({ requested: 3, allocated: 3, status: 'READY' });
  });
});
