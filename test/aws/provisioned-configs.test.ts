import { fileURLToPath } from 'node:url';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { readProvisioned } from '../../src/aws/provisioned-configs.ts';

/**
 * A deployed function's provisioned concurrency as a remote target reads it (aws:<stackName>),
 * through the real @aws-sdk/client-lambda at the emulator's Lambda API: the warm-connect
 * fixture's $connect function has the alias `live` on version 1 with 2 provisioned environments.
 */
const TEMPLATE = fileURLToPath(new URL('../fixtures/stacks/warm-connect/template.yaml', import.meta.url));
let stack: RunningStack;
let lambda: LambdaClient;

beforeAll(async () => {
  const config = defaultStackConfig({ template: { path: TEMPLATE, parameters: {} }, lambda: { preparedPerFunction: 0 } });
  stack = await startStack({ config, stack: (await describeStack(config)).stack, log: () => {} });
  lambda = new LambdaClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: stack.ready.lambdaEndpoint });
}, 60_000);

afterAll(async () => {
  lambda?.destroy();
  await stack?.close();
});

describe('readProvisioned', () => {
  it("names each configuration's alias, the version holding it and its environments; nothing for a function without", async () => {
    const name = (id: string) => stack.stack.functions.find((f) => f.logicalId === id)!.name;
    expect(await readProvisioned(lambda, name('ConnectFunction'))).toEqual([{ qualifier: 'live', version: '1', environments: 2 }]);
    expect(await readProvisioned(lambda, name('EchoFunction'))).toBeUndefined();
    // a function Lambda does not have: described without it, not refused here (GetFunctionConfiguration says so)
    expect(await readProvisioned(lambda, 'nope')).toBeUndefined();
  });
});
