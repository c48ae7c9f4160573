import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import type { StackDescription } from '../../emulator/stack-model/stack-description.ts';
import { inlineFunction, websocketTemplates } from './websocket-template.ts';

/**
 * Published versions and aliases in a template (issue 68): AWS::Lambda::Version numbered per
 * function in template order, AWS::Lambda::Alias on one of them, each with its provisioned
 * concurrency; their Ref and Fn::GetAtt as CloudFormation gives them; an integration URI, a
 * mapping or a subscription naming an alias invokes it; SAM's AutoPublishAlias made into the
 * version and alias SAM makes, `Fn.Alias` resolved.
 */
const templates = websocketTemplates('template-versions-').read;
const ACCOUNT = '111122223333';
const read = (resources: Record<string, unknown>, outputs: Record<string, unknown> = {}, template: Record<string, unknown> = {}): Promise<StackDescription> =>
  templates(resources, { outputs, template, stackName: 'ver', region: 'eu-west-1', accountId: ACCOUNT });
const aliasUri = (alias: string) => ({ 'Fn::Sub': `arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${alias}}/invocations` });
const integration = (uri: unknown) => ({ Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Api' }, IntegrationType: 'AWS_PROXY', IntegrationUri: uri } });

async function refusal(resources: Record<string, unknown>, template: Record<string, unknown> = {}): Promise<string> {
  try {
    await read(resources, {}, template);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    expect(e.message.split('\n')).toHaveLength(1);
    return e.message.slice(e.message.indexOf(': ') + 2);
  }
  throw new Error('not refused');
}

describe('AWS::Lambda::Version and AWS::Lambda::Alias', () => {
  const resources = {
    Fn: inlineFunction({ FunctionName: 'chat' }),
    V1: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: 'Fn' } } },
    V2: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] }, ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 1 } } },
    Live: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Fn' }, FunctionVersion: { 'Fn::GetAtt': ['V1', 'Version'] }, Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 3 } } },
    Integration: integration(aliasUri('Live')),
    Jobs: { Type: 'AWS::SQS::Queue' },
    FromJobs: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: { Ref: 'Live' }, EventSourceArn: { 'Fn::GetAtt': ['Jobs', 'Arn'] } } },
  };
  const outputs = { V1Ref: { Ref: 'V1' }, V2Number: { 'Fn::GetAtt': ['V2', 'Version'] }, V2Arn: { 'Fn::GetAtt': ['V2', 'FunctionArn'] }, LiveRef: { Ref: 'Live' }, LiveArn: { 'Fn::GetAtt': ['Live', 'AliasArn'] } };

  it('are read onto their function, numbered in template order, with their provisioned concurrency', async () => {
    const d = await read(resources, outputs);
    const fn = d.functions.find((f) => f.logicalId === 'Fn')!;
    expect(fn.versions).toEqual([{ logicalId: 'V1' }, { logicalId: 'V2', provisionedConcurrency: 1 }]);
    expect(fn.aliases).toEqual([{ logicalId: 'Live', name: 'live', version: 1, provisionedConcurrency: 3 }]);
    expect(d.notEmulated.map((n) => n.logicalId)).not.toEqual(expect.arrayContaining(['V1', 'V2', 'Live']));
    const out = Object.fromEntries(d.outputs.map((o) => [o.key, o.value]));
    expect(out).toEqual({
      V1Ref: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:chat:1`,
      V2Number: '2',
      V2Arn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:chat:2`,
      LiveRef: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:chat:live`,
      LiveArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:chat:live`,
    });
  });

  it('invoke the alias where an integration URI or a mapping names it', async () => {
    const d = await read(resources);
    expect(d.routes[0]).toMatchObject({ functionId: 'Fn', qualifier: 'live' });
    expect(d.eventSourceMappings![0]).toMatchObject({ functionName: 'chat', qualifier: 'live' });
    // the unqualified function: no qualifier
    const plain = await read({ Fn: inlineFunction({ FunctionName: 'chat' }) });
    expect(plain.routes[0]!.qualifier).toBeUndefined();
  });

  it('names provisioned concurrency nothing invokes while a mapping invokes the function unqualified', async () => {
    const d = await read({ ...resources, Integration: integration(aliasUri('Fn.Arn')), FromJobs: { ...resources.FromJobs, Properties: { ...resources.FromJobs.Properties, FunctionName: { Ref: 'Fn' } } } });
    expect(d.warnings).toEqual([
      expect.stringMatching(/^route \$default, mapping FromJobs invoke chat unqualified \(\$LATEST\) while its version 2 holds 1 provisioned environment: /),
      expect.stringMatching(/^route \$default, mapping FromJobs invoke chat unqualified \(\$LATEST\) while its alias live holds 3 provisioned environments: .* \(3 × 128 MB, 0\.38 GB-seconds each second\)/),
    ]);
    // the alias invoked by one of them: its environments serve; version 2's still do not
    const one = await read(resources);
    expect(one.warnings).toBeUndefined();
  });

  it("says an alias's weighted routing is not run, and refuses a version the template does not publish", async () => {
    const weighted = await read({ ...resources, Live: { ...resources.Live, Properties: { ...resources.Live.Properties, RoutingConfig: { AdditionalVersionWeights: [{ FunctionVersion: '2', FunctionWeight: 0.1 }] } } } });
    expect(weighted.warnings).toEqual(["Live: the alias's RoutingConfig (weighted versions) is not run: every invocation of live runs version 1"]);
    expect(await refusal({ Fn: inlineFunction(), Live: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Fn' }, FunctionVersion: '3', Name: 'live' } } })).toMatch(
      /^resource Live property FunctionVersion: version 3 of .+ is not published by this template \(it has 0\)$/,
    );
  });
});

describe("SAM's AutoPublishAlias", () => {
  const sam = { Transform: 'AWS::Serverless-2016-10-31' };
  const samFunction = (extra: Record<string, unknown>) => ({ Type: 'AWS::Serverless::Function', Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', InlineCode: 'exports.handler = async () => ({});', ...extra } });

  it('becomes a version and an alias carrying the function\'s ProvisionedConcurrencyConfig, `Fn.Alias` naming it', async () => {
    const d = await read(
      { Fn: samFunction({ FunctionName: 'chat', AutoPublishAlias: 'prod', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 } }), Integration: integration(aliasUri('Fn.Alias')) },
      { Alias: { Ref: 'Fn.Alias' }, Version: { Ref: 'Fn.Version' } },
      sam,
    );
    const fn = d.functions.find((f) => f.logicalId === 'Fn')!;
    expect(fn.versions).toEqual([{ logicalId: 'FnVersion' }]);
    expect(fn.aliases).toEqual([{ logicalId: 'FnAliasprod', name: 'prod', version: 1, provisionedConcurrency: 2 }]);
    expect(d.routes[0]).toMatchObject({ functionId: 'Fn', qualifier: 'prod' });
    expect(Object.fromEntries(d.outputs.map((o) => [o.key, o.value]))).toEqual({
      Alias: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:chat:prod`,
      Version: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:chat:1`,
    });
  });

  it('names SnapStart nothing uses: the function invoked unqualified while SnapStart applies to its versions only', async () => {
    const py = (extra: Record<string, unknown>) =>
      samFunction({ FunctionName: 'chat', Runtime: 'python3.12', InlineCode: 'def handler(event, context):\n    return {}\n', SnapStart: { ApplyOn: 'PublishedVersions' }, ...extra });
    const unqualified = await read({ Fn: py({ AutoPublishAlias: 'live' }), Integration: integration(aliasUri('Fn.Arn')) }, {}, sam);
    expect(unqualified.warnings).toEqual([
      'route $default invokes chat unqualified ($LATEST) while its SnapStart applies to published versions only: every cold start is an INIT on demand, never a restore from a snapshot; invoke chat:live instead (its ARN in the integration URI or the FunctionName; in SAM, ${Fn.Alias})',
    ]);
    const unpublished = await read({ Fn: py({}), Integration: integration(aliasUri('Fn.Arn')) }, {}, sam);
    expect(unpublished.warnings).toEqual([expect.stringMatching(/; publish a version \(AutoPublishAlias in SAM\) and invoke it or an alias of it$/)]);
    expect((await read({ Fn: py({ AutoPublishAlias: 'live' }), Integration: integration(aliasUri('Fn.Alias')) }, {}, sam)).warnings).toBeUndefined();
  });

  it('refuses ProvisionedConcurrencyConfig without AutoPublishAlias, in SAM\'s words', async () => {
    expect(await refusal({ Fn: samFunction({ ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 } }) }, sam)).toBe(
      'resource Fn property ProvisionedConcurrencyConfig: To set ProvisionedConcurrencyConfig AutoPublishALias must be defined on the function',
    );
  });
});
