import { fileURLToPath } from 'node:url';
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListProvisionedConcurrencyConfigsCommand,
  ListVersionsByFunctionCommand,
  ProvisionedConcurrencyConfigNotFoundException,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  ResourceConflictException,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { ApiGatewayV2Client, GetIntegrationsCommand } from '@aws-sdk/client-apigatewayv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';

/**
 * Versions, aliases and provisioned concurrency through the Lambda API, with the SDK's
 * LambdaClient at the emulator's endpoint, on test/fixtures/stacks/warm-connect (its $connect
 * function has the alias `live` on version 1, provisioned 2).
 */
const TEMPLATE = fileURLToPath(new URL('../fixtures/stacks/warm-connect/template.yaml', import.meta.url));
let stack: RunningStack;
let lambda: LambdaClient;
let fn: string;

beforeAll(async () => {
  const config = defaultStackConfig({ template: { path: TEMPLATE, parameters: {} }, lambda: { preparedPerFunction: 0 } });
  const described = await describeStack(config);
  stack = await startStack({ config, stack: described.stack, log: () => {} });
  lambda = new LambdaClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: stack.ready.lambdaEndpoint });
  fn = stack.stack.functions.find((f) => f.logicalId === 'ConnectFunction')!.name;
}, 60_000);

afterAll(async () => {
  lambda?.destroy();
  await stack?.close();
});

const failure = (p: Promise<unknown>) => p.then(() => expect.fail('not refused'), (e: unknown) => e as Error);

describe("the template's versions and aliases", () => {
  it('are listed and read as Lambda answers them; Invoke with a qualifier runs that version', async () => {
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }));
    expect(versions.Versions!.map((v) => [v.Version, v.FunctionArn!.split(':').slice(6).join(':')])).toEqual([
      ['$LATEST', fn],
      ['1', `${fn}:1`],
    ]);
    const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: fn }));
    expect(aliases.Aliases!.map((a) => [a.Name, a.FunctionVersion])).toEqual([['live', '1']]);
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: 'live' }))).Version).toBe('1');
    expect(await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: 'live' }))).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 2,
      AllocatedProvisionedConcurrentExecutions: 2,
      Status: 'READY',
    });
    const invoked = await lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: 'live', Payload: Buffer.from('{}') }));
    expect(invoked.ExecutedVersion).toBe('1');
    expect(stack.runtime.stats()[fn]!.provisionedInvocations).toBe(1);
    expect((await lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from('{}') }))).ExecutedVersion).toBe('$LATEST');
  });

  it("keeps the alias in the $connect integration's URI, as API Gateway v2's GetIntegrations answers it", async () => {
    const v2 = new ApiGatewayV2Client({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: stack.ready.apiGatewayV2Endpoint });
    try {
      const uris = (await v2.send(new GetIntegrationsCommand({ ApiId: stack.ready.apiId }))).Items!.map((i) => i.IntegrationUri);
      expect(uris).toContainEqual(expect.stringMatching(new RegExp(`:function:${fn}:live/invocations$`)));
    } finally {
      v2.destroy();
    }
  });
});

describe('publishing, aliasing and provisioning through the API', () => {
  it('publishes a version, points a new alias at it and allocates its provisioned concurrency', async () => {
    const published = await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    expect(published.Version).toBe('2');
    const alias = await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'canary', FunctionVersion: '2', Description: 'next' }));
    expect(alias).toMatchObject({ Name: 'canary', FunctionVersion: '2', Description: 'next', AliasArn: expect.stringMatching(new RegExp(`:function:${fn}:canary$`)) });
    const put = await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: 'canary', ProvisionedConcurrentExecutions: 1 }));
    expect(put.RequestedProvisionedConcurrentExecutions).toBe(1);
    expect(put.$metadata.httpStatusCode).toBe(202);
    await stack.runtime.whenProvisioned(fn);
    expect(await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: 'canary' }))).toMatchObject({ AllocatedProvisionedConcurrentExecutions: 1, Status: 'READY' });
    const list = await lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: fn }));
    expect(list.ProvisionedConcurrencyConfigs!.map((c) => [c.FunctionArn!.split(':').slice(-1)[0], c.RequestedProvisionedConcurrentExecutions]).sort()).toEqual([
      ['canary', 1],
      ['live', 2],
    ]);

    await lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: 'canary' }));
    expect(await failure(lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: 'canary' })))).toBeInstanceOf(ProvisionedConcurrencyConfigNotFoundException);
    await lambda.send(new DeleteAliasCommand({ FunctionName: fn, Name: 'canary' }));
    const gone = await failure(lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'canary' })));
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone.message).toMatch(/^Alias not found: arn:aws:lambda:us-east-1:\d{12}:function:.+:canary$/);
  });

  it('refuses what Lambda refuses, in its words', async () => {
    const latest = await failure(lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: '$LATEST', ProvisionedConcurrentExecutions: 1 })));
    expect(latest).toBeInstanceOf(InvalidParameterValueException);
    expect(latest.message).toBe('Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
    const twice = await failure(lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: '1', ProvisionedConcurrentExecutions: 1 })));
    expect(twice).toBeInstanceOf(ResourceConflictException);
    const unknown = await failure(lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: 'nope' })));
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
  });
});
