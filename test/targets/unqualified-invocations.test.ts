import { fileURLToPath } from 'node:url';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { readProvisioned } from '../../src/aws/provisioned-configs.ts';
import type { TargetFunction } from '../../src/contracts/target-schema.ts';
import { discoverApi } from '../../src/targets/api-discovery.ts';
import { unqualifiedInvocations } from '../../src/targets/unqualified-invocations.ts';

/**
 * The unqualified-invocation mistakes on a deployed stack (issue 68), read as a remote target reads
 * it, through the real SDK clients at the emulator's API Gateway and Lambda APIs: each route's
 * integration URI names the alias it invokes, or none; the $connect function's alias `live` holds
 * 2 provisioned environments (test/fixtures/stacks/warm-connect and its unqualified twin).
 */
const TEMPLATE = fileURLToPath(new URL('../fixtures/stacks/warm-connect/template.yaml', import.meta.url));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let stack: RunningStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** What a remote target lists: the API's functions as discovered, each with its provisioned concurrency. */
async function deployed(qualified: boolean): Promise<TargetFunction[]> {
  const config = defaultStackConfig({ template: { path: TEMPLATE, parameters: { Qualified: String(qualified) } }, lambda: { preparedPerFunction: 0 } });
  stack = await startStack({ config, stack: (await describeStack(config)).stack, log: () => {} });
  const api = new ApiGatewayV2Client({ endpoint: stack.ready.apiGatewayV2Endpoint, region: 'us-east-1', credentials });
  const lambda = new LambdaClient({ endpoint: stack.ready.lambdaEndpoint, region: 'us-east-1', credentials });
  try {
    const found = await discoverApi(api, stack.ready.apiId, stack.ready.stage, { subject: 'test' });
    return await Promise.all(
      found.functions.map(async (f) => {
        const provisioned = await readProvisioned(lambda, f.name);
        return { ...f, memoryMB: 128, ...(provisioned ? { provisioned } : {}) };
      }),
    );
  } finally {
    api.destroy();
    lambda.destroy();
  }
}

describe('what an unqualified invocation wastes, on a deployed stack', () => {
  it("reads the alias an integration URI invokes, and names the route that invokes the function unqualified", async () => {
    const unqualified = await deployed(false);
    expect(unqualified.find((f) => f.route === '$connect')).toMatchObject({ name: 'warm-connect-connect', provisioned: [{ qualifier: 'live', version: '1', environments: 2 }] });
    expect(unqualified.find((f) => f.route === '$connect')!.qualifier).toBeUndefined();
    expect(unqualifiedInvocations(unqualified)).toEqual([
      'route $connect invokes warm-connect-connect unqualified ($LATEST) while its alias live holds 2 provisioned environments: nothing invokes live, so they serve no request (0 % utilized) and are paid for all the same (2 × 128 MB, 0.25 GB-seconds each second); invoke warm-connect-connect:live instead (its ARN in the integration URI or the FunctionName; in SAM, ${Fn.Alias})',
    ]);
    await stack!.close();
    stack = undefined;
    const qualified = await deployed(true);
    expect(qualified.find((f) => f.route === '$connect')!.qualifier).toBe('live');
    expect(unqualifiedInvocations(qualified)).toEqual([]);
  });

  it('names SnapStart every route invokes unqualified, from what GetFunctionConfiguration says', () => {
    const chat = { name: 'chat', memoryMB: 512, snapStart: true as const };
    expect(unqualifiedInvocations([{ ...chat, route: '$connect' }, { ...chat, route: '$default' }])).toEqual([
      'route $connect, route $default invoke chat unqualified ($LATEST) while its SnapStart applies to published versions only: every cold start is an INIT on demand, never a restore from a snapshot; invoke an alias of one of its published versions instead (its ARN in the integration URI)',
    ]);
    expect(unqualifiedInvocations([{ ...chat, route: '$connect', qualifier: 'live' }])).toEqual([]);
  });
});
