import { Match, Template } from 'aws-cdk-lib/assertions';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { chatStackPropsFromContext, stackNameFromContext } from '../../reference-stack/infra/context.ts';
import { DEFAULT_STAGE_THROTTLE, FUNCTIONS, PUSH_FUNCTIONS, PUSH_QUEUE } from '../../reference-stack/functions/manifest.ts';
import { REFERENCE_TABLES } from '../../src/contracts/reference-tables.ts';
import { readTemplateStack } from '../../emulator/stack-model/template-reader.ts';
import { deployedAs, synth, synthesized, synthFromContext } from './synth.ts';
import { DEFAULT_STACK_NAME } from '../../reference-stack/functions/stack-names.ts';

// Synthesis in process (synth.ts: bundling and the CDK's built-in validation skipped, each set of
// props once), and once through the CDK CLI with bundling (the last test).

/**
 * Resources as deployed: the code's S3 keys aside (with bundling skipped, synth.ts, an asset's key
 * is not its bundle's hash), and so the hash in a function's current version's logical id (the
 * CDK's hash of its configuration, code included), and no Metadata (construct paths, not deployed).
 */
const normalized = (resources: unknown) =>
  JSON.parse(JSON.stringify(Object.values(resources as object), (key, v) => (key === 'Metadata' ? undefined : key === 'S3Key' ? 'asset' : typeof v === 'string' ? v.replace(/CurrentVersion[0-9A-Fa-f]{40,}/, 'CurrentVersion') : v)));

describe('CDK reference stack', () => {
  const template = synth({ memoryByFunction: { 'fanout-send-message': 512 }, broadcast: true });

  it('declares one function per route and every route of the manifest when broadcast is asked for (and the direct push function)', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', FUNCTIONS.length);
    template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length + 1);
    for (const spec of FUNCTIONS) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: spec.route });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
  });

  it('sets memory per function and makes message routes two-way', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 512, Runtime: 'nodejs22.x' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'sendMessage',
      RouteResponseSelectionExpression: '$default',
    });
  });

  it('creates the three tables, named as the harness pulls their metrics, with the byConnection index', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    for (const t of REFERENCE_TABLES) template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: t.name });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byConnection' })],
    });
  });

  it('grants @connections access only to the fan-out functions (sendMessage, the push and, when deployed, broadcast)', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const manage = Object.entries(policies).filter(([, p]) =>
      JSON.stringify(p).includes('execute-api:ManageConnections'),
    );
    // sendMessage, broadcast and the direct push, nothing else
    expect(manage).toHaveLength(3);
    const text = JSON.stringify(policies);
    expect(text).not.toContain('"dynamodb:*"');
  });
});

describe('CDK reference stack: safe to deploy by default', () => {
  it('leaves the naive broadcast route and its function out unless asked for', () => {
    const t = synthFromContext({});
    t.resourceCountIs('AWS::ApiGatewayV2::Route', FUNCTIONS.length - 1);
    // every route's function but broadcast's, the $connect authorizer (on by default) and the direct push
    t.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length - 1 + 1 + 1);
    expect(Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey)).not.toContain('broadcast');
    t.resourcePropertiesCountIs('AWS::Lambda::Function', { FunctionName: 'fanout-broadcast' }, 0);
    t.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'fanout-send-message' });
    // only sendMessage and the push may post to connections now
    const manage = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('execute-api:ManageConnections'));
    expect(manage).toHaveLength(2);

    // the server push, direct by default: the bus (logical id pinned, as publish phases name it), the rule on
    // push events whose one target is the push function, no queue
    t.hasResourceProperties('AWS::Events::EventBus', { Name: 'fanout-push' });
    expect(Object.keys(t.findResources('AWS::Events::EventBus'))).toEqual(['PushBus']);
    t.hasResourceProperties('AWS::Events::Rule', {
      Name: 'fanout-push-rule',
      EventBusName: { Ref: 'PushBus' },
      EventPattern: { source: ['fanout-bench.push'], 'detail-type': ['push'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^fanoutpush[0-9A-F]{8}$'), 'Arn'] } })],
    });
    t.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': ['PushRule', 'Arn'] } });
    t.resourceCountIs('AWS::SQS::Queue', 0);
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);

    const withBroadcast = synthFromContext({ broadcast: 'true' });
    withBroadcast.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'broadcast' });
    withBroadcast.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'fanout-broadcast' });
  });

  it("gives $connect's and sendMessage's functions provisioned concurrency on an alias live only where asked, the route then invoking the alias", () => {
    const aliases = (t: Template) => Object.values(t.findResources('AWS::Lambda::Alias')) as Array<{ Properties: { Name: string; FunctionName: unknown; ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: unknown } } }>;
    const uris = (t: Template) => JSON.stringify(Object.values(t.findResources('AWS::ApiGatewayV2::Integration')).map((r) => (r as { Properties: { IntegrationUri: unknown } }).Properties.IntegrationUri));
    // none asked (the default): no version, no alias, every route invokes its function unqualified, as ever
    const none = synthFromContext({});
    none.resourceCountIs('AWS::Lambda::Alias', 0);
    none.resourceCountIs('AWS::Lambda::Version', 0);
    none.hasParameter('ConnectProvisioned', { Type: 'Number', Default: 0, MinValue: 0 });
    none.hasParameter('SendProvisioned', { Type: 'Number', Default: 0, MinValue: 0 });
    // -c connectProvisioned=2: $connect's function published and aliased, 2 environments; sendMessage's left unqualified
    const connect = synthFromContext({ connectProvisioned: '2' });
    connect.hasParameter('ConnectProvisioned', { Default: 2 });
    connect.resourceCountIs('AWS::Lambda::Version', 1);
    const [alias] = aliases(connect);
    expect(aliases(connect)).toHaveLength(1);
    // (a parameter's value, as CloudFormation passes it: text)
    expect(alias!.Properties).toMatchObject({ Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: '2' } });
    expect(uris(connect).match(/"Ref":"[^"]*live[^"]*"/g)).toHaveLength(1);
    // and the same template deployed with the parameters: both
    const both = Template.fromJSON(deployedAs(synthesized({}, DEFAULT_STACK_NAME), DEFAULT_STACK_NAME, { ConnectProvisioned: '1', SendProvisioned: '3' }));
    expect(aliases(both).map((a) => a.Properties.ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions).sort()).toEqual(['1', '3']);
  });

  it('throttles the stage by default, and takes rate and burst from context', () => {
    synthFromContext({}).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: DEFAULT_STAGE_THROTTLE.rateLimit, ThrottlingBurstLimit: DEFAULT_STAGE_THROTTLE.burstLimit },
    });
    synthFromContext({ throttleRate: '2500', throttleBurst: '4000' }).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 2500, ThrottlingBurstLimit: 4000 },
    });
    synthFromContext({ throttleRate: '0.5' }).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 0.5, ThrottlingBurstLimit: DEFAULT_STAGE_THROTTLE.burstLimit },
    });
  });

  it.each([
    [{ throttleRate: '0' }, 'context throttleRate: must be a number above 0 (requests per second), got 0'],
    [{ throttleRate: 'fast' }, 'context throttleRate: must be a number above 0 (requests per second), got fast'],
    [{ throttleBurst: '1.5' }, 'context throttleBurst: must be an integer from 0 to 5000000 requests, got 1.5'],
    [{ broadcast: 'yes' }, 'context broadcast: must be true or false, got yes'],
    [{ detailedMetrics: 'on' }, 'context detailedMetrics: must be true or false, got on'],
    [{ memory: '64' }, 'context memory: must be an integer from 128 to 10240 MB, got 64'],
    [{ arch: 'ppc' }, 'context arch: must be x86_64 or arm64, got ppc'],
    [{ pushFanout: 'fast' }, 'context pushFanout: must be direct or queued, got fast'],
    [{ connectProvisioned: '-1' }, 'context connectProvisioned: must be an integer from 0 to 100000 environments, got -1'],
    [{ sendProvisioned: 'many' }, 'context sendProvisioned: must be an integer from 0 to 100000 environments, got many'],
  ])('refuses bad context %j with one line naming the key', (context, message) => {
    expect(() => chatStackPropsFromContext((key) => (context as Record<string, string>)[key])).toThrow(message);
  });

  it('the app exits 2 with that one line, before synthesizing anything', async () => {
    const app = fileURLToPath(new URL('../../reference-stack/infra/app.ts', import.meta.url));
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', app], {
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ throttleRate: 'fast' }), CDK_OUTDIR: '/nonexistent-never-written' },
    });
    const failure = await run.then(
      () => expect.fail('the app accepted a bad throttleRate'),
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure.code).toBe(2);
    expect(failure.stderr.trim()).toBe('context throttleRate: must be a number above 0 (requests per second), got fast');
  });
});

describe('CDK reference stack: stacks side by side (-c name=…)', () => {
  it('names functions, log groups, tables, the push path and the token parameter after the stack; the default keeps the manifest names', () => {
    // (the queued push rides this synth: one non-default synth for both settings)
    const arm = synthFromContext({ name: 'FanoutBenchChatArm', broadcast: 'true', pushFanout: 'queued' });
    const deployedName = (manifestName: string) => manifestName.replace(/^fanout-/, 'FanoutBenchChatArm-');
    const queued = PUSH_FUNCTIONS.filter((f) => f.fanout === 'queued').map((f) => f.name);
    for (const name of [...FUNCTIONS.map((f) => f.name), ...queued, 'fanout-authorizer']) {
      arm.hasResourceProperties('AWS::Lambda::Function', { FunctionName: deployedName(name) });
      arm.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/lambda/${deployedName(name)}` });
    }
    for (const t of REFERENCE_TABLES) arm.hasResourceProperties('AWS::DynamoDB::Table', { TableName: deployedName(t.name) });
    arm.hasResourceProperties('AWS::SSM::Parameter', { Name: '/fanout-bench/FanoutBenchChatArm/connect-token' });
    arm.resourcePropertiesCountIs('AWS::Lambda::Function', { FunctionName: 'FanoutBenchChatArm-push' }, 0);
    arm.hasResourceProperties('AWS::Events::EventBus', { Name: 'FanoutBenchChatArm-push' });
    arm.hasResourceProperties('AWS::Events::Rule', {
      Name: 'FanoutBenchChatArm-push-rule',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^fanoutpushfanout'), 'Arn'] } })],
    });
    // queued: the queue (visibility six times the worker's timeout) redriving to its dead-letter queue, consumed by the workers' mapping
    arm.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'FanoutBenchChatArm-push-queue',
      VisibilityTimeout: PUSH_QUEUE.visibilityTimeoutSeconds,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['PushDeadLetterQueue', 'Arn'] }, maxReceiveCount: PUSH_QUEUE.maxReceiveCount },
    });
    arm.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'FanoutBenchChatArm-push-dlq', MessageRetentionPeriod: PUSH_QUEUE.deadLetterRetentionSeconds });
    arm.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': ['PushQueue', 'Arn'] },
      BatchSize: PUSH_QUEUE.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: PUSH_QUEUE.maximumConcurrency },
    });
    // the fan-out may send to the queue (and is told its URL), not post; the worker posts
    const policies = Object.entries(arm.findResources('AWS::IAM::Policy'));
    const policyOf = (prefix: string) => JSON.stringify(policies.find(([id]) => id.startsWith(prefix))![1]);
    expect(policyOf('fanoutpushfanoutrole')).toContain('"sqs:SendMessage"');
    expect(policyOf('fanoutpushfanoutrole')).not.toContain('execute-api:ManageConnections');
    expect(policyOf('fanoutpushworkerrole')).toContain('execute-api:ManageConnections');
    arm.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'FanoutBenchChatArm-push-fanout', Environment: { Variables: Match.objectLike({ PUSH_QUEUE_URL: { Ref: 'PushQueue' } }) } });
    // nothing keeps a default name that a second stack in the account would collide with
    const text = JSON.stringify(arm.toJSON().Resources);
    expect(text).not.toMatch(/"fanout-(connect|send-message|authorizer|connections|messages|room-members|push|push-rule|push-queue|push-dlq|push-fanout|push-worker)"/);

    const byDefault = synthFromContext({});
    expect(stackNameFromContext(() => undefined)).toBe('FanoutBenchChat');
    byDefault.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'fanout-send-message' });
    byDefault.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'fanout-connections' });
    byDefault.hasResourceProperties('AWS::SSM::Parameter', { Name: '/fanout-bench/FanoutBenchChat/connect-token' });
  });

  it('synthesizes one template whatever the name: CloudFormation works the names out from AWS::StackName', () => {
    const resources = (t: Record<string, unknown>) => normalized(t.Resources);
    const arm = synthesized({}, 'FanoutBenchChatArm');
    const byDefault = synthesized({});
    expect(resources(arm)).toEqual(resources(byDefault));
    expect(arm.Conditions).toEqual(byDefault.Conditions);
    expect(arm.Outputs).toEqual(byDefault.Outputs);
    // (only the construct paths in Metadata say the name: they are not deployed)
    expect(JSON.stringify({ ...arm, Resources: resources(arm) })).not.toContain('FanoutBenchChatArm');
  });

  // the parameters decide the shape at create time: the default template given them is what the
  // context would have synthesized (each shape's own assertions are in this file and connect-authorizer.test.ts)
  it.each([
    [{ AuthIdentity: 'none' }, { auth: 'false' }],
    [{ AuthIdentity: 'query', AuthParameter: '/team/ws-token' }, { authIdentity: 'query', authParameter: '/team/ws-token' }],
    [{ PushFanout: 'queued', Broadcast: 'true', ApiStage: 'bench' }, { pushFanout: 'queued', broadcast: 'true', stage: 'bench' }],
  ])('is one template for every shape: parameters %j deploy what context %j synthesizes', (parameters, context) => {
    const deployedWith = (json: Record<string, unknown>, p: Record<string, string> = {}) => {
      const d = deployedAs(json, 'FanoutBenchChat', p);
      return { resources: normalized(d.Resources), outputs: d.Outputs };
    };
    const fromContext = (c: Record<string, string>) => synthesized(chatStackPropsFromContext((key) => c[key]));
    expect(deployedWith(fromContext({}), parameters)).toEqual(deployedWith(fromContext(context)));
  });

  it('keeps the outputs contract whatever the name', () => {
    const keys = (t: Template) => Object.keys(t.toJSON().Outputs).sort();
    expect(keys(synthFromContext({ name: 'FanoutBenchChatArm' }))).toEqual(keys(synthFromContext({})));
  });

  it.each([
    [{ name: 'arm_64' }, 'context name: must start with a letter and hold only letters, digits and "-", got arm_64'],
    [{ name: '9lives' }, 'context name: must start with a letter and hold only letters, digits and "-", got 9lives'],
    [{ name: 'A'.repeat(52) }, `context name: must be at most 51 characters, so that its function names fit Lambda's 64, got ${'A'.repeat(52)}`],
  ])('refuses a bad name %j with one line', (context, message) => {
    expect(() => stackNameFromContext((key) => (context as Record<string, string>)[key])).toThrow(message);
  });

  // The CDK CLI pinned in package.json, as `npm run cdk -- synth -c name=…` runs it: the app, the
  // functions bundled by NodejsFunction (esbuild), the assembly written and read back by the CLI.
  // Offline where the host allows a network namespace of one's own: a synth needs no AWS account
  // and no network. This is CI's synth of the app (.ci/run ran one beside the suite before).
  // CDK_VALIDATION=false: the CDK's built-in CloudFormation validation off, as in synth.ts (about
  // 11 of this synth's 26 CPU-s; without the validateAgainstDefaultRules flag, which the app does
  // not set, it only warns, and its validation-report.json for this stack was empty, 2026-11-27).
  it('the app deploys the stack under that name (`npm run cdk -- synth -c name=…`), offline', { timeout: 180_000 }, async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const out = mkdtempSync(join(tmpdir(), 'cdk-out-'));
    const cdk = [join(root, 'node_modules', '.bin', 'cdk'), '--app', 'tsx reference-stack/infra/app.ts', '--output', out, '--no-notices', 'synth', '--quiet', '-c', 'name=FanoutBenchChatArm'];
    const offline = await promisify(execFile)('unshare', ['-rn', 'true']).then(
      () => ['unshare', '-rn'],
      () => [],
    );
    const [command, ...args] = [...offline, ...cdk];
    try {
      // node_modules/.bin first on PATH, as `npm run` puts it: the app runs through its tsx
      await promisify(execFile)(command!, args, { cwd: root, timeout: 170_000, env: { ...process.env, CDK_VALIDATION: 'false', PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` } });
      // read as the emulator reads a user's assembly: the names worked out from the stack's name
      const stack = await readTemplateStack({ path: out, parameters: {}, region: 'eu-west-1', accountId: '123456789012', apiId: 'a1b2c3d4e5', workDir: out });
      expect(stack.stackName).toBe('FanoutBenchChatArm');
      expect(stack.functions.map((f) => f.name)).toContain('FanoutBenchChatArm-send-message');
      // bundled: each function's code is an asset directory holding its esbuild bundle
      const assets = readdirSync(out).filter((f) => f.startsWith('asset.'));
      expect(assets.length).toBeGreaterThanOrEqual(stack.functions.length);
      for (const dir of assets) expect(readdirSync(join(out, dir))).toContain('index.mjs');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

});
