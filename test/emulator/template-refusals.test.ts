import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { RETENTION_DAYS } from '../../emulator/stack-model/log-group-reader.ts';
import { readTemplateStack } from '../../emulator/stack-model/template-reader.ts';
import { extractZip } from '../../emulator/stack-model/zip-extract.ts';
import { writeZip } from './zip-fixture.ts';

// "Bad templates are input, not code": everything the reader cannot run is refused before
// anything starts, as a UserError of one line naming the resource and the property; bounds on
// size, aliases, loops and zips hold. Unrecognized resource types are listed, not fatal.

const dir = mkdtempSync(join(tmpdir(), 'template-refusals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>;

const uri = (fn: string) => ({ 'Fn::Sub': `arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${fn}.Arn}/invocations` });

/** A small valid WebSocket stack: one $default route to an inline function. */
function base(): { Resources: Resources; [k: string]: unknown } {
  return {
    Resources: {
      Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'a', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' } },
      Route: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Api' }, RouteKey: '$default', Target: { 'Fn::Sub': 'integrations/${Integration}' } } },
      Integration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Api' }, IntegrationType: 'AWS_PROXY', IntegrationUri: uri('Fn') } },
      Stage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Api' }, StageName: 'prod' } },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: 'exports.handler = async () => ({ statusCode: 200 });' } } },
    },
  };
}

let n = 0;
async function read(template: unknown, options: { ext?: string; text?: string; parameters?: Record<string, string> } = {}) {
  const sub = join(dir, `case${n++}`);
  mkdirSync(sub, { recursive: true });
  const file = join(sub, `stack.${options.ext ?? 'json'}`);
  writeFileSync(file, options.text ?? JSON.stringify(template));
  return readTemplateStack({ path: file, parameters: options.parameters ?? {}, region: 'us-east-1', accountId: '123456789012', apiId: 'abcdef1234', workDir: join(sub, 'work') });
}

async function refusal(template: unknown, options?: Parameters<typeof read>[1]): Promise<string> {
  try {
    await read(template, options);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message.replace(/^.*?stack\.(json|yaml): /, '');
  }
  throw new Error('expected a refusal');
}

function withProps(id: string, props: Record<string, unknown>) {
  const t = base();
  t.Resources[id]!.Properties = { ...t.Resources[id]!.Properties, ...props };
  return t;
}

describe('the base template', () => {
  it('reads (so each refusal below is the one change it makes)', async () => {
    const d = await read(base());
    expect(d.routes).toEqual([{ logicalId: 'Route', routeKey: '$default', functionId: 'Fn', integrationId: 'Integration', authorizationType: 'NONE', twoWay: false }]);
    expect(d.functions[0]!.code).toMatchObject({ kind: 'handler', dir: expect.stringMatching(/work\/inline\/Fn$/), handler: 'index.handler' });
    // a .template file is JSON or YAML
    const asTemplate = await read(base(), { ext: 'template' });
    expect(asTemplate.routes).toEqual(d.routes);
  });
});

describe('an HTTP API beside the WebSocket API', () => {
  // served beside it (test/emulator/http-api.test.ts runs one); one without a route is not served,
  // listed as not emulated with a warning saying why
  it('is read with its route and function; one without a route is listed as not emulated', async () => {
    const t = base();
    Object.assign(t.Resources, {
      Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'h', ProtocolType: 'HTTP' } },
      HttpRoute: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Http' }, RouteKey: 'GET /health', Target: { 'Fn::Sub': 'integrations/${HttpIntegration}' } } },
      HttpIntegration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Http' }, IntegrationType: 'AWS_PROXY', IntegrationUri: { 'Fn::GetAtt': ['HealthFn', 'Arn'] }, PayloadFormatVersion: '2.0' } },
      HttpStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Http' }, StageName: '$default', AutoDeploy: true } },
      HealthFn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: 'exports.handler = async () => ({ statusCode: 200 });' } } },
    });
    const d = await read(t);
    expect(d.routes.map((r) => r.routeKey)).toEqual(['$default']);
    expect(d.functions.map((f) => f.logicalId)).toEqual(['Fn', 'HealthFn']);
    expect(d.httpApis).toEqual([
      {
        logicalId: 'Http',
        name: 'h',
        id: expect.stringMatching(/^[a-z0-9]{10}$/),
        stage: { logicalId: 'HttpStage', name: '$default', variables: {}, routeThrottles: {}, detailedMetrics: false },
        routes: [{ logicalId: 'HttpRoute', routeKey: 'GET /health', integrationType: 'AWS_PROXY', functionId: 'HealthFn', integrationId: 'HttpIntegration', payloadFormatVersion: '2.0', timeoutMs: 30_000 }],
      },
    ]);
    expect(d.notEmulated.map((r) => r.logicalId)).not.toEqual(expect.arrayContaining(['Http']));
    delete t.Resources.HttpRoute;
    const unrouted = await read(t);
    expect(unrouted.warnings).toContain('HTTP API Http is not served: it has no route');
    expect(unrouted.notEmulated).toEqual(
      expect.arrayContaining([
        // each under the physical id CloudFormation would give it (ListStackResources lists it so)
        { logicalId: 'Http', type: 'AWS::ApiGatewayV2::Api', physicalId: expect.stringMatching(/^[a-z0-9]{10}$/) },
        { logicalId: 'HttpIntegration', type: 'AWS::ApiGatewayV2::Integration', physicalId: expect.stringMatching(/^[a-z0-9]{7}$/) },
        { logicalId: 'HttpStage', type: 'AWS::ApiGatewayV2::Stage', physicalId: '$default' },
        { logicalId: 'HealthFn', type: 'AWS::Lambda::Function', physicalId: expect.stringMatching(/^case\d+-HealthFn-[A-Z0-9]{13}$/) },
      ]),
    );
    const sam = { Transform: 'AWS::Serverless-2016-10-31', ...base() };
    // SAM's HttpApi is what the SAM transform makes of it (sam-http-api.ts): an Api of the same id and its stage, here without a route
    sam.Resources.Http = { Type: 'AWS::Serverless::HttpApi', Properties: { StageName: 'api' } };
    expect((await read(sam)).notEmulated).toEqual(
      expect.arrayContaining([
        { logicalId: 'Http', type: 'AWS::ApiGatewayV2::Api', physicalId: expect.stringMatching(/^[a-z0-9]{10}$/) },
        { logicalId: 'HttpapiStage', type: 'AWS::ApiGatewayV2::Stage', physicalId: 'api' },
      ]),
    );
  });
});

describe('what cannot run is refused, naming the resource and the property', () => {
  it('code only in S3', async () => {
    expect(await refusal(withProps('Fn', { Code: { S3Bucket: 'my-bucket', S3Key: 'fn.zip' } }))).toBe(
      "resource Fn property Code: the code is only in S3 (s3://my-bucket/fn.zip): the emulator runs local code (a CodeUri directory or zip, a CDK asset, a Serverless package's zip, or ZipFile)",
    );
  });

  it('an HTTP, HTTP_PROXY, MOCK integration, and an AWS one to another service', async () => {
    for (const type of ['HTTP', 'HTTP_PROXY', 'MOCK']) {
      expect(await refusal(withProps('Integration', { IntegrationType: type, IntegrationUri: 'https://example.com' }))).toBe(
        `resource Integration property IntegrationType: ${type} integrations are not emulated: only AWS_PROXY to a Lambda function, and AWS to SQS, SNS or EventBridge`,
      );
    }
    expect(await refusal(withProps('Integration', { IntegrationType: 'AWS', IntegrationUri: 'https://example.com' }))).toBe(
      "resource Integration property IntegrationUri: https://example.com is not an AWS service's integration URI (arn:aws:apigateway:{region}:{service}:path/… or :action/…)",
    );
    expect(await refusal(withProps('Integration', { IntegrationType: 'AWS', IntegrationMethod: 'POST', IntegrationUri: 'arn:aws:apigateway:us-east-1:dynamodb:action/PutItem' }))).toBe(
      'resource Integration property IntegrationUri: an AWS integration to dynamodb (action/PutItem) is not emulated: only SQS (path/{account}/{queue}, action/SendMessage), SNS (action/Publish) and EventBridge (action/PutEvents)',
    );
  });

  it('a log group kept for a period CloudWatch Logs does not offer, or two groups of one name', async () => {
    const t = base();
    t.Resources.Logs = { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/app/logs', RetentionInDays: 4 } };
    expect(await refusal(t)).toBe(`resource Logs property RetentionInDays: must be one of ${RETENTION_DAYS.join(', ')} (days)`);
    t.Resources.Logs.Properties = { LogGroupName: '/app/logs', RetentionInDays: '14' };
    expect((await read(t)).logGroups).toEqual([{ logicalId: 'Logs', name: '/app/logs', retentionInDays: 14 }]);
    t.Resources.Again = { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/app/logs' } };
    expect(await refusal(t)).toBe("resource Again property LogGroupName: /app/logs is also resource Logs's name");
  });

  it('an integration with a function outside the stack', async () => {
    expect(await refusal(withProps('Integration', { IntegrationUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:other/invocations' }))).toBe(
      'resource Integration property IntegrationUri: arn:aws:lambda:us-east-1:1:function:other is not a function of this stack: the emulator runs the stack\'s own functions',
    );
  });

  it("an integration URI that is not a function's", async () => {
    expect(await refusal(withProps('Integration', { IntegrationUri: 'https://example.com/hook' }))).toBe(
      "resource Integration property IntegrationUri: https://example.com/hook is not a Lambda function's invocation URI (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations)",
    );
    // the function's ARN itself is taken, as HTTP APIs take it
    const d = await read(withProps('Integration', { IntegrationUri: { 'Fn::GetAtt': ['Fn', 'Arn'] } }));
    expect(d.routes[0]!.functionId).toBe('Fn');
  });

  it("SnapStart on a runtime Lambda does not take it on, in CreateFunction's words; kept on Python 3.12 and later, from SAM's function too", async () => {
    const snap = { SnapStart: { ApplyOn: 'PublishedVersions' } };
    expect(await refusal(withProps('Fn', snap))).toBe('resource Fn property SnapStart: nodejs22.x is not supported for SnapStart enabled functions.');
    const python = (runtime: string) => withProps('Fn', { ...snap, Runtime: runtime, Handler: 'index.handler', Code: { ZipFile: 'def handler(e, c):\n    return {}\n' } });
    expect(await refusal(python('python3.11'))).toBe('resource Fn property SnapStart: python3.11 is not supported for SnapStart enabled functions.');
    const kept = python('python3.12');
    kept.Outputs = { Applied: { Value: { 'Fn::GetAtt': ['Fn', 'SnapStartResponse.ApplyOn'] } }, Status: { Value: { 'Fn::GetAtt': ['Fn', 'SnapStartResponse.OptimizationStatus'] } } };
    const d = await read(kept);
    expect(d.functions[0]!.snapStart).toBe('PublishedVersions');
    // Fn::GetAtt answers as CloudFormation does of $LATEST
    expect(d.outputs.map((o) => [o.key, o.value])).toEqual([['Applied', 'PublishedVersions'], ['Status', 'Off']]);
    // ApplyOn None is SnapStart off, on any runtime
    expect((await read(withProps('Fn', { SnapStart: { ApplyOn: 'None' } }))).functions[0]!.snapStart).toBeUndefined();
    expect(await refusal(withProps('Fn', { SnapStart: { ApplyOn: 'Always' } }))).toMatch(/^resource Fn property SnapStart\.ApplyOn: /);
    const sam = {
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: {
        ...base().Resources,
        Fn: { Type: 'AWS::Serverless::Function', Properties: { ...snap, Runtime: 'python3.13', Handler: 'index.handler', InlineCode: 'def handler(e, c):\n    return {}\n' } },
      },
    };
    expect((await read(sam)).functions[0]!.snapStart).toBe('PublishedVersions');
  });

  it('a runtime it does not run, listing the ones it does; a retired one named as retired', async () => {
    const runs = 'nodejs10.x…nodejs24.x, python3.6…python3.14, provided, provided.al2, provided.al2023, go1.x';
    expect(await refusal(withProps('Fn', { Runtime: 'nodejs8.10' }))).toBe(
      `resource Fn property Runtime: nodejs8.10 is retired by Lambda (deprecation completed 2020-03-06; Lambda no longer invokes it): the emulator runs ${runs}`,
    );
    expect(await refusal(withProps('Fn', { Runtime: 'python2.7' }))).toBe(
      `resource Fn property Runtime: python2.7 is Python 2, which the host's Python 3 does not run: the emulator runs ${runs}`,
    );
    for (const runtime of ['java21', 'dotnet8', 'ruby3.3']) {
      expect(await refusal(withProps('Fn', { Runtime: runtime }))).toBe(`resource Fn property Runtime: ${runtime} is not run offline: the emulator runs ${runs}`);
    }
    expect(await refusal(withProps('Fn', { Runtime: 'cobol1' }))).toBe(`resource Fn property Runtime: cobol1 is not a runtime the emulator runs (it runs ${runs})`);
  });

  it("a Python handler whose module is not in the code; inline Python code is index.py", async () => {
    expect(await refusal(withProps('Fn', { Runtime: 'python3.12', Handler: 'app.handler', Code: { ZipFile: 'def handler(e, c):\n    return {}\n' } }))).toMatch(
      /^resource Fn property Handler: app\.handler: no app\.py \(nor that package\) in /,
    );
    expect(await refusal(withProps('Fn', { Runtime: 'python3.12', Handler: 'handler' }))).toBe('resource Fn property Handler: "handler" is not [package/]module.function');
    const d = await read(withProps('Fn', { Runtime: 'python3.12', Handler: 'index.handler', Code: { ZipFile: 'def handler(e, c):\n    return {}\n' } }));
    expect(d.functions[0]).toMatchObject({ runtime: 'python3.12', code: { kind: 'handler', handler: 'index.handler' } });
    expect(existsSync(join((d.functions[0]!.code as { dir: string }).dir, 'index.py'))).toBe(true);
  });

  it('a custom runtime without an executable bootstrap, or with inline code', async () => {
    const code = join(dir, 'provided-code');
    mkdirSync(code, { recursive: true });
    const provided = (props: Record<string, unknown>) => withProps('Fn', { Runtime: 'provided.al2023', Code: code, ...props });
    expect(await refusal(provided({}))).toBe(`resource Fn property Code: no executable bootstrap in ${code} (a provided runtime runs the code's \`bootstrap\`)`);
    writeFileSync(join(code, 'bootstrap'), '#!/bin/sh\n', { mode: 0o644 });
    expect(await refusal(provided({}))).toBe(`resource Fn property Code: ${join(code, 'bootstrap')} is not executable (chmod +x it, as the deployment zip must keep it)`);
    expect(await refusal(provided({ Code: { ZipFile: 'echo' } }))).toMatch(/^resource Fn property Code\.ZipFile: inline code is for Node\.js and Python functions/);
    chmodSync(join(code, 'bootstrap'), 0o755);
    const d = await read(provided({ Handler: undefined }));
    expect(d.functions[0]).toMatchObject({ runtime: 'provided.al2023', code: { kind: 'handler', dir: code, handler: 'bootstrap' } });
  });

  it('Fn::ImportValue', async () => {
    expect(await refusal(withProps('Fn', { Environment: { Variables: { TABLE: { 'Fn::ImportValue': 'shared-table' } } } }))).toBe(
      "resource Fn property Environment.Variables.TABLE.Fn::ImportValue: Fn::ImportValue reads another stack's export, which the emulator does not have: give the value as a parameter instead",
    );
  });

  it('a stack whose only API is HTTP is read without a WebSocket API; one none of whose APIs is served, or with no API, is refused', async () => {
    const http = withProps('Api', { ProtocolType: 'HTTP' });
    http.Resources.Integration!.Properties = { ...http.Resources.Integration!.Properties, PayloadFormatVersion: '2.0' };
    const d = await read(http);
    expect(d.api).toBeUndefined();
    expect(d.routes).toEqual([]);
    expect(d.httpApis?.map((a) => a.logicalId)).toEqual(['Api']);
    // an HTTP API without a route is not served (a warning beside a WebSocket API): alone, nothing would run
    const unserved = withProps('Api', { ProtocolType: 'HTTP' });
    for (const id of ['Route', 'Integration']) delete unserved.Resources[id];
    expect(await refusal(unserved)).toMatch(/^Resources: no API the emulator serves: no WebSocket API, and .*Api.*not served/);
    const none = { Resources: { Table: { Type: 'AWS::DynamoDB::Table', Properties: {} } } };
    expect(await refusal(none)).toBe("Resources: no API: no AWS::ApiGatewayV2::Api (WebSocket or HTTP) and no AWS::ApiGateway::RestApi: the emulator runs a stack's APIs and what they invoke");
  });

  it('functions without a WebSocket API: the API is not in the CloudFormation', async () => {
    const t = base();
    for (const id of ['Api', 'Route', 'Integration', 'Stage']) delete t.Resources[id];
    expect(await refusal(t)).toBe(
      'Resources: 1 Lambda function but no AWS::ApiGatewayV2::Api: the WebSocket API is not in this CloudFormation (made at deploy time by a plugin or a script?), so it cannot be read from the template',
    );
  });

  it('a Serverless package whose API serverless-websockets-plugin makes at deploy time', async () => {
    // What `serverless package` leaves for a service on the old plugin: functions, no API.
    const sls = join(dir, 'sls-plugin', '.serverless');
    mkdirSync(sls, { recursive: true });
    const t = base();
    for (const id of ['Api', 'Route', 'Integration', 'Stage']) delete t.Resources[id];
    writeFileSync(join(sls, 'cloudformation-template-update-stack.json'), JSON.stringify(t));
    writeFileSync(
      join(sls, 'serverless-state.json'),
      JSON.stringify({
        service: {
          service: 'chat',
          provider: { name: 'aws', stage: 'dev', websocketApiName: 'chat-websockets' },
          plugins: ['serverless-websockets-plugin'],
          functions: { connectionManager: { handler: 'handler.connectionManager', events: [{ websocket: { routeKey: '$connect' } }] } },
        },
      }),
    );
    const err = await readTemplateStack({ path: join(dir, 'sls-plugin'), parameters: {}, region: 'us-east-1', accountId: '123456789012', apiId: 'abcdef1234', workDir: join(dir, 'sls-plugin-work') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(
      `${join(sls, 'cloudformation-template-update-stack.json')}: Resources: no AWS::ApiGatewayV2::Api, though serverless.yml declares a WebSocket API (plugins: serverless-websockets-plugin): a plugin makes that API at deploy time with SDK calls, so it cannot be read from the template; declare the routes as the framework's own \`websocket\` events and package again`,
    );
  });

  it('a Serverless service file (serverless.yml): what to run first, and where the package lands', async () => {
    const project = join(dir, 'sls-source');
    mkdirSync(project, { recursive: true });
    const source = 'service: chat\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  connect:\n    handler: handler.connect\n    events:\n      - websocket: $connect\n';
    const refused = async (path: string) => {
      const err = await readTemplateStack({ path, parameters: {}, region: 'us-east-1', accountId: '123456789012', apiId: 'abcdef1234', workDir: join(project, 'work') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).not.toContain('\n');
      return (err as Error).message;
    };
    for (const name of ['serverless.yml', 'serverless.ts']) {
      writeFileSync(join(project, name), name.endsWith('.ts') ? 'export default { service: "chat" };' : source);
      expect(await refused(join(project, name))).toBe(
        `--template ${join(project, name)}: a Serverless Framework service file, not its CloudFormation: run \`npx serverless package\` first (it writes ${join(project, '.serverless', 'cloudformation-template-update-stack.json')}), then --template ${join(project, '.serverless')}`,
      );
    }
    // known by its shape under another name, and once packaged, pointed at the package
    writeFileSync(join(project, 'chat.yml'), source);
    mkdirSync(join(project, '.serverless'));
    writeFileSync(join(project, '.serverless', 'cloudformation-template-update-stack.json'), '{}');
    expect(await refused(join(project, 'chat.yml'))).toBe(
      `--template ${join(project, 'chat.yml')}: a Serverless Framework service file, not its CloudFormation: its package is at ${join(project, '.serverless', 'cloudformation-template-update-stack.json')}: give --template ${join(project, '.serverless')}`,
    );
  });

  it('a route without an integration', async () => {
    const t = base();
    delete t.Resources.Route!.Properties!.Target;
    expect(await refusal(t)).toBe('resource Route property Target: route $default has no integration (Target: integrations/<id>)');
  });

  it('a missing Handler file, a layer from outside the template with no folder mapped, a container image', async () => {
    expect(await refusal(withProps('Fn', { Handler: 'app.handler' }))).toMatch(/^resource Fn property Handler: app\.handler: no app\.js, \.mjs or \.cjs in /);
    expect(await refusal(withProps('Fn', { Layers: ['arn:aws:lambda:us-east-1:1:layer:x:1'] }))).toMatch(/^resource Fn property Layers\.0: arn:aws:lambda:us-east-1:1:layer:x:1 is a layer from outside the template, so its content is not here: map it to a local folder/);
    expect(await refusal(withProps('Fn', { PackageType: 'Image' }))).toMatch(/^resource Fn property PackageType: a container image/);
  });

  it("the Lambda Insights extension's layer is the one accepted (the emulator writes its record); another beside it is still refused", async () => {
    const insights = 'arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:53';
    const d = await read(withProps('Fn', { Layers: [insights] }));
    expect(d.functions[0]!.lambdaInsights).toBe(true);
    expect(await refusal(withProps('Fn', { Layers: [insights, 'arn:aws:lambda:us-east-1:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:20'] }))).toMatch(/^resource Fn property Layers\.1: arn:aws:lambda:us-east-1:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:20 is a layer from outside the template/);
  });

  it('a logical id CloudFormation would refuse (one would also name a directory outside the work directory)', async () => {
    const t = base();
    t.Resources['../../Escape'] = t.Resources.Fn!;
    expect(await refusal(t)).toBe('Resources: "../../Escape" is not a logical id (letters and digits, at most 255)');
  });

  it('a macro, and Fn::ForEach', async () => {
    expect(await refusal({ ...base(), Transform: 'MyMacro' })).toBe('Transform: MyMacro is a macro the emulator cannot run: give the template as CloudFormation processed it');
    const t = base();
    (t.Resources as Record<string, unknown>)['Fn::ForEach::Topics'] = ['T', ['a'], {}];
    expect(await refusal({ ...t, Transform: 'AWS::LanguageExtensions' })).toMatch(/^resource Fn::ForEach::Topics: Fn::ForEach/);
  });

  it('a CodeUri that does not exist (SAM)', async () => {
    const sam = {
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: {
        ...base().Resources,
        Fn: { Type: 'AWS::Serverless::Function', Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', CodeUri: 'nowhere/' } },
      },
    };
    expect(await refusal(sam)).toMatch(/^resource Fn property Code: \/.*\/nowhere does not exist$/);
  });

  it('resources that refer to each other in a cycle', async () => {
    const t = withProps('Fn', { Environment: { Variables: { Q: { Ref: 'Queue' } } } });
    t.Resources.Queue = { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'fn', Value: { 'Fn::GetAtt': ['Fn', 'Arn'] } }] } };
    expect(await refusal(t)).toBe('resource Fn: resources refer to each other in a cycle: Fn → Queue → Fn (CloudFormation refuses a circular dependency)');
  });

  it('properties out of range or missing, each named', async () => {
    expect(await refusal(withProps('Fn', { MemorySize: 64 }))).toBe('resource Fn property MemorySize: Too small: expected number to be >=128');
    expect(await refusal(withProps('Fn', { Timeout: '901' }))).toBe('resource Fn property Timeout: Too big: expected number to be <=900');
    const t = base();
    t.Resources.Table = { Type: 'AWS::DynamoDB::Table', Properties: { AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] } };
    expect(await refusal(t)).toBe("resource Table property ProvisionedThroughput: missing: BillingMode is PROVISIONED (CloudFormation's default) and needs it");
    t.Resources.Table.Properties = { ...t.Resources.Table.Properties, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] };
    expect(await refusal(t)).toBe('resource Table property KeySchema[0].AttributeName: pk is not in AttributeDefinitions');
    const noStage = base();
    delete noStage.Resources.Stage;
    expect(await refusal(noStage)).toBe('resource Api: no AWS::ApiGatewayV2::Stage for this API: a WebSocket API is reached through a stage');
    const authorizedDefault = withProps('Route', { AuthorizationType: 'CUSTOM', AuthorizerId: 'x' });
    expect(await refusal(authorizedDefault)).toBe('resource Route property AuthorizationType: CUSTOM on a route other than $connect: a WebSocket API authorizes $connect only');
  });

  it('two functions of one name', async () => {
    const t = withProps('Fn', { FunctionName: 'chat' });
    t.Resources.Other = { Type: 'AWS::Lambda::Function', Properties: { ...t.Resources.Fn!.Properties, FunctionName: { 'Fn::Join': ['', ['ch', 'at']] } } };
    expect(await refusal(t)).toBe("resource Other property FunctionName: chat is also resource Fn's name");
  });

  it('an unknown --parameter', async () => {
    expect(await refusal(base(), { parameters: { Nope: '1' } })).toBe('Parameters: --parameter Nope: the template has no such parameter (it declares none)');
  });
});

describe('bounds', () => {
  it('a template larger than CloudFormation allows (1 MB from S3)', async () => {
    const t = base();
    (t as Record<string, unknown>).Description = 'x'.repeat(1024 * 1024);
    const message = await refusal(t);
    expect(message).toMatch(/larger than 1 MiB, the most a template may be$/);
  });

  it("more resources than CloudFormation's 500, and a chain of names longer than 100", async () => {
    const many = base();
    for (let i = 0; i < 500; i++) many.Resources[`Topic${i}`] = { Type: 'AWS::SNS::Topic' };
    expect(await refusal(many)).toBe("Resources: 505 resources, more than CloudFormation's limit of 500 per template");
    const chain = base();
    chain.Resources.Fn!.Properties!.FunctionName = { 'Fn::Sub': '${Q0.QueueName}' };
    for (let i = 0; i < 150; i++) chain.Resources[`Q${i}`] = { Type: 'AWS::SQS::Queue', Properties: i < 149 ? { QueueName: { 'Fn::Sub': `\${Q${i + 1}}-x` } } : {} };
    expect(await refusal(chain)).toMatch(/^resource Q\d+ property QueueName: a value that refers through more than 100 resources' properties$/);
  });

  it('YAML aliases', async () => {
    const lines = ['Resources: {}', 'a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    expect(await refusal(undefined, { ext: 'yaml', text: lines.join('\n') })).toMatch(/not valid YAML: Excessive alias count/);
  });

  it('zips that would unpack outside their directory, hold a symlink, or unpack past the bound', async () => {
    const zipDir = join(dir, 'zips');
    mkdirSync(zipDir, { recursive: true });
    const cases: Array<[string, Parameters<typeof writeZip>[1], RegExp]> = [
      ['slip', [{ name: '../../escaped.js', data: 'x' }], /an entry would unpack outside its directory \(invalid relative path: \.\.\/\.\.\/escaped\.js\)$/],
      ['absolute', [{ name: '/tmp/escaped.js', data: 'x' }], /an entry would unpack outside its directory \(absolute path: \/tmp\/escaped\.js\)$/],
      ['backslash', [{ name: 'a\\..\\..\\escaped.js', data: 'x' }], /an entry would unpack outside its directory/],
      ['symlink', [{ name: 'index.js', data: '/etc/passwd', mode: 0o120777 }], /entry "index\.js" is a symbolic link, which is not unpacked$/],
      ['lying', [{ name: 'index.js', data: Buffer.alloc(100_000), deflate: true, declaredSize: 10 }], /an entry's size is not what the zip says it is/],
      ['big', [{ name: 'a.bin', data: Buffer.alloc(64 * 1024), deflate: true }, { name: 'b.bin', data: Buffer.alloc(64 * 1024), deflate: true }], /unpacks to more than 100000 bytes \(Lambda's limit on a function's unzipped code is 250 MB\)$/],
    ];
    for (const [name, entries, expected] of cases) {
      writeZip(join(zipDir, `${name}.zip`), entries);
      const target = join(zipDir, `out-${name}`);
      const err = await extractZip(join(zipDir, `${name}.zip`), target, { what: `resource Fn property Code (${name}.zip)`, maxBytes: 100_000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(UserError);
      expect((err as Error).message, name).toMatch(expected);
      expect((err as Error).message).toMatch(new RegExp(`^resource Fn property Code \\(${name}\\.zip\\): `));
      expect(existsSync(join(dir, 'escaped.js')) || existsSync('/tmp/escaped.js')).toBe(false);
    }
  });

  it("the reader refuses a bad zip as a function's code, naming the resource", async () => {
    const t = withProps('Fn', { Code: 'code.zip' });
    const sub = join(dir, `case${n}`);
    mkdirSync(sub, { recursive: true });
    writeZip(join(sub, 'code.zip'), [{ name: '../evil.js', data: 'x' }]);
    expect(await refusal(t)).toMatch(/^resource Fn property Code \(code\.zip\): .*code\.zip: an entry would unpack outside its directory/);
    expect(readdirSync(sub)).not.toContain('evil.js');
  });

  it('a good zip unpacks in the work directory, modes and directories kept', async () => {
    const t = withProps('Fn', { Code: 'code.zip', Handler: 'lib/app.handler' });
    const sub = join(dir, `case${n}`);
    mkdirSync(sub, { recursive: true });
    writeZip(join(sub, 'code.zip'), [{ name: 'lib/' }, { name: 'lib/app.js', data: 'exports.handler = async () => ({})', deflate: true }, { name: 'bin/tool', data: '#!/bin/sh', mode: 0o100755 }]);
    const d = await read(t);
    const code = d.functions[0]!.code as { dir: string; handler: string };
    expect(code.handler).toBe('lib/app.handler');
    expect(code.dir.startsWith(join(sub, 'work', 'unzipped'))).toBe(true);
    expect(readdirSync(code.dir, { recursive: true }).sort()).toEqual(['bin', 'bin/tool', 'lib', 'lib/app.js']);
  });
});

describe('what is not emulated is listed, not fatal', () => {
  it('lists unrecognized types and SAM events once each', async () => {
    const t = base();
    t.Resources.Bucket = { Type: 'AWS::S3::Bucket' };
    t.Resources.Custom = { Type: 'Custom::Thing', Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:1:function:x' } };
    t.Resources.Fn!.Properties!.Environment = { Variables: { BUCKET: { Ref: 'Bucket' }, BUCKET_ARN: { 'Fn::GetAtt': ['Bucket', 'Arn'] } } };
    const d = await read(t);
    // the bucket listed under the name its function is given
    expect(d.notEmulated).toEqual([
      { logicalId: 'Bucket', type: 'AWS::S3::Bucket', physicalId: d.functions[0]!.environment.BUCKET },
      { logicalId: 'Custom', type: 'Custom::Thing', physicalId: expect.stringMatching(/^case\d+-Custom-[A-Z0-9]{13}$/) },
    ]);
    expect(d.functions[0]!.environment.BUCKET).toMatch(/^case\d+-bucket-[a-z0-9]{13}$/);
    expect(d.functions[0]!.environment.BUCKET_ARN).toBe(`arn:aws:s3:::${d.functions[0]!.environment.BUCKET}`);

    const sam = {
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: {
        ...base().Resources,
        Fn: {
          Type: 'AWS::Serverless::Function',
          Properties: {
            Runtime: 'nodejs22.x',
            Handler: 'index.handler',
            InlineCode: 'exports.handler = async () => ({})',
            AutoPublishAlias: 'live',
            FunctionUrlConfig: { AuthType: 'NONE' },
            Events: { Nightly: { Type: 'Schedule', Properties: { Schedule: 'rate(1 day)' } }, Jobs: { Type: 'SQS', Properties: { Queue: 'arn:aws:sqs:us-east-1:1:q' } } },
          },
        },
      },
    };
    const s = await read(sam);
    // the alias AutoPublishAlias makes runs (template-lambda-versions.test.ts)
    expect(s.notEmulated).toEqual([
      { logicalId: 'FnUrl', type: 'AWS::Lambda::Url' },
      { logicalId: 'FnNightly', type: 'AWS::Serverless::Function event Schedule' },
      // SAM's mapping from a queue outside the stack: nothing here feeds it
      { logicalId: 'FnJobs', type: 'AWS::Lambda::EventSourceMapping', physicalId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/) },
    ]);
  });
});
