import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { evaluate } from '../../common/iam/policy-evaluation.ts';
import { checkConfigAgainstStack, defaultStackConfig } from '../../emulator/config.ts';
import { startStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { referenceAssembly } from '../../emulator/stack-model/reference-assembly.ts';
import { ROUTE_ACCESS } from '../../reference-stack/functions/route-access.ts';
import { TABLE_DEFAULT_NAMES } from '../../reference-stack/functions/shared/tables.ts';
import { connect } from '../fixtures/gateway/clients.ts';
import { findFunction, type StackDescription } from '../../emulator/stack-model/stack-description.ts';
import { readTemplateStack, type ReadTemplateOptions } from '../../emulator/stack-model/template-reader.ts';
import { CONNECT_AUTHORIZER, DEFAULT_PUSH_FANOUT, FUNCTIONS, pushFunctions, TOKEN_IDENTITY_SOURCES } from '../../reference-stack/functions/manifest.ts';
import { DEFAULT_STACK_NAME, stackPushNames, stackResourceName, stackTableNames, stackTokenParameter } from '../../reference-stack/functions/stack-names.ts';
import { writeZip } from './zip-fixture.ts';

// The template reader over each format it reads, each producing the description the emulator
// runs: the SAM fixture, the CloudFormation JSON fixture, a Serverless Framework package, and
// the reference stack's own cloud assembly, synthesized by the repository's CDK app.

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/stacks');
const work = mkdtempSync(join(tmpdir(), 'template-formats-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const API_ID = 'r00ms4p1x2';
function options(path: string, more: Partial<ReadTemplateOptions> = {}): ReadTemplateOptions {
  return { path, parameters: {}, region: 'eu-west-1', accountId: '111122223333', apiId: API_ID, workDir: join(work, 'work'), ...more };
}

function fn(d: StackDescription, id: string) {
  const f = findFunction(d, id);
  if (!f) throw new Error(`no function ${id}`);
  return f;
}

describe('SAM: the rooms fixture', () => {
  let d: StackDescription;
  beforeAll(async () => {
    d = await readTemplateStack(options(join(FIXTURES, 'sam-rooms/template.yaml')));
  });

  it('names the stack after its directory and the functions as CloudFormation would', () => {
    expect(d.stackName).toBe('sam-rooms');
    expect(d.source).toEqual({ format: 'sam', path: join(FIXTURES, 'sam-rooms/template.yaml'), templateFile: join(FIXTURES, 'sam-rooms/template.yaml') });
    expect(d.functions.map((f) => f.logicalId)).toEqual(['JoinFunction', 'LeaveFunction', 'PublishFunction']);
    for (const f of d.functions) expect(f.name).toMatch(new RegExp(`^sam-rooms-${f.logicalId}-[A-Z0-9]{13}$`));
  });

  it('reads the API, the stage with its throttles, and routes to functions', () => {
    expect(d.api).toEqual({
      logicalId: 'RoomsApi',
      name: 'sam-rooms-rooms',
      routeSelectionExpression: '$request.body.action',
      stage: { logicalId: 'Stage', name: 'live', throttle: { rateLimit: 200, burstLimit: 400 }, routeThrottles: { publish: { rateLimit: 100, burstLimit: 50 } } },
    });
    expect(d.routes.map((r) => [r.routeKey, r.functionId, r.integrationId, r.authorizationType, r.twoWay])).toEqual([
      ['$connect', 'JoinFunction', 'ConnectIntegration', 'NONE', false],
      ['$disconnect', 'LeaveFunction', 'DisconnectIntegration', 'NONE', false],
      ['publish', 'PublishFunction', 'PublishIntegration', 'NONE', false],
    ]);
    expect(d.authorizer).toBeUndefined();
  });

  it('merges Globals into each function: code dir, handler, runtime, memory, timeout, environment', () => {
    const members = d.tables.find((t) => t.logicalId === 'MembersTable')!.definition.TableName;
    const stats = d.tables.find((t) => t.logicalId === 'RoomStatsTable')!.definition.TableName;
    expect(fn(d, 'PublishFunction')).toEqual({
      logicalId: 'PublishFunction',
      name: expect.stringMatching(/^sam-rooms-PublishFunction-/),
      code: { kind: 'handler', dir: join(FIXTURES, 'sam-rooms/src'), handler: 'publish.handler', shownAs: { package: 'src', base: join(FIXTURES, 'sam-rooms') } },
      runtime: 'nodejs22.x',
      memoryMB: 512,
      timeoutSeconds: 10,
      environment: { MEMBERS_TABLE: members, BY_CONNECTION_INDEX: 'byConnection', STATS_TABLE: stats },
      // the role SAM makes for it, with the basic execution role SAM attaches (the fixture names no Policies)
      role: expect.objectContaining({ name: expect.stringMatching(/^sam-rooms-PublishFunctionRole-/), notes: [] }),
    });
    expect(fn(d, 'JoinFunction').memoryMB).toBe(256);
    expect(fn(d, 'LeaveFunction').code).toMatchObject({ kind: 'handler', dir: join(FIXTURES, 'sam-rooms/src'), handler: 'leave.handler' });
    expect(fn(d, 'LeaveFunction').environment).toEqual({ MEMBERS_TABLE: members, BY_CONNECTION_INDEX: 'byConnection' });
  });

  it('reads the table with its GSI and TTL, and the SimpleTable on demand', () => {
    expect(d.tables).toEqual([
      {
        logicalId: 'MembersTable',
        definition: {
          TableName: expect.stringMatching(/^sam-rooms-MembersTable-[A-Z0-9]{13}$/),
          AttributeDefinitions: [
            { AttributeName: 'room', AttributeType: 'S' },
            { AttributeName: 'connectionId', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'room', KeyType: 'HASH' },
            { AttributeName: 'connectionId', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
          GlobalSecondaryIndexes: [{ IndexName: 'byConnection', KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
        },
        ttlAttribute: 'expiresAt',
      },
      {
        logicalId: 'RoomStatsTable',
        definition: {
          TableName: expect.stringMatching(/^sam-rooms-RoomStatsTable-/),
          AttributeDefinitions: [{ AttributeName: 'room', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'room', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        },
      },
    ]);
  });

  it('lists what it does not emulate (nothing: the roles and invoke permissions are read, for IAM), and resolves the outputs', () => {
    expect(d.notEmulated).toEqual([]);
    expect(fn(d, 'JoinFunction').role!.resources).toEqual(['JoinFunctionRole']);
    expect(d.outputs).toEqual([
      { key: 'WebSocketUrl', value: `wss://${API_ID}.execute-api.eu-west-1.amazonaws.com/live`, description: 'where clients connect (add ?room=<name>)' },
      { key: 'ConnectionsUrl', value: `https://${API_ID}.execute-api.eu-west-1.amazonaws.com/live` },
    ]);
  });

  it('follows --parameter, conditions and --stack-name', async () => {
    const prod = await readTemplateStack(options(join(FIXTURES, 'sam-rooms/template.yaml'), { parameters: { Environment: 'prod', StageName: 'beta', PublishMemory: '1024' }, stackName: 'RoomsProd' }));
    expect(prod.stackName).toBe('RoomsProd');
    expect(prod.api!.stage).toMatchObject({ name: 'beta', throttle: { rateLimit: 1000, burstLimit: 2000 } });
    expect(fn(prod, 'PublishFunction')).toMatchObject({ memoryMB: 1024, reservedConcurrency: 50, name: expect.stringMatching(/^RoomsProd-PublishFunction-/) });
    expect(fn(d, 'PublishFunction').reservedConcurrency).toBeUndefined();
    expect(prod.outputs.map((o) => o.key)).toEqual(['WebSocketUrl', 'ConnectionsUrl', 'ProdOnly']);
    await expect(readTemplateStack(options(join(FIXTURES, 'sam-rooms/template.yaml'), { parameters: { PublishMemory: '2048' } }))).rejects.toThrow(
      /template\.yaml: parameter PublishMemory: "2048" is not one of AllowedValues 256, 512, 1024$/,
    );
    await expect(readTemplateStack(options(join(FIXTURES, 'sam-rooms/template.yaml'), { stackName: '9rooms' }))).rejects.toThrow(UserError);
  });

  it('is the same description on every read (generated names are deterministic)', async () => {
    expect(await readTemplateStack(options(join(FIXTURES, 'sam-rooms/template.yaml')))).toEqual(d);
  });
});

describe('CloudFormation JSON: the provisioned fixture', () => {
  let d: StackDescription;
  beforeAll(async () => {
    d = await readTemplateStack(options(join(FIXTURES, 'provisioned-cfn/template.json'), { workDir: join(work, 'cfn') }));
  });

  it('reads a PROVISIONED table small enough to throttle', () => {
    expect(d.source.format).toBe('cloudformation');
    expect(d.tables).toEqual([
      {
        logicalId: 'ConnectionsTable',
        definition: {
          TableName: expect.stringMatching(/^provisioned-cfn-ConnectionsTable-[A-Z0-9]{13}$/),
          AttributeDefinitions: [{ AttributeName: 'connectionId', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
        },
        ttlAttribute: 'expiresAt',
      },
    ]);
  });

  it('writes inline ZipFile code out as index.js, and reads a local code directory', () => {
    const connect = fn(d, 'ConnectFunction');
    expect(connect.name).toBe('provisioned-cfn-connect');
    // messages name inline code as such (an import found outside it, package-boundary.ts)
    expect(connect.code).toEqual({ kind: 'handler', dir: join(work, 'cfn/inline/ConnectFunction'), handler: 'index.handler', shownAs: { package: "resource ConnectFunction's inline ZipFile", base: join(FIXTURES, 'provisioned-cfn') } });
    const template = JSON.parse(readFileSync(join(FIXTURES, 'provisioned-cfn/template.json'), 'utf8'));
    expect(readFileSync(join(work, 'cfn/inline/ConnectFunction/index.js'), 'utf8')).toBe(template.Resources.ConnectFunction.Properties.Code.ZipFile);
    expect(fn(d, 'SendFunction')).toMatchObject({
      name: expect.stringMatching(/^provisioned-cfn-SendFunction-[A-Z0-9]{13}$/),
      code: { kind: 'handler', dir: join(FIXTURES, 'provisioned-cfn/src'), handler: 'send.handler', shownAs: { package: 'src', base: join(FIXTURES, 'provisioned-cfn') } },
      memoryMB: 1024,
      environment: { CONNECTIONS_TABLE: d.tables[0]!.definition.TableName, CALLBACK_URL: `https://${API_ID}.execute-api.eu-west-1.amazonaws.com/v1` },
    });
  });

  it('reads the two-way route, the stage, what is not emulated and the outputs', () => {
    expect(d.routes.map((r) => [r.routeKey, r.functionId, r.twoWay])).toEqual([
      ['$connect', 'ConnectFunction', false],
      ['$disconnect', 'DisconnectFunction', false],
      ['send', 'SendFunction', true],
    ]);
    expect(d.api!.stage).toEqual({ logicalId: 'Stage', name: 'v1', throttle: { rateLimit: 500, burstLimit: 1000 }, routeThrottles: {} });
    // the role and the invoke permissions are read (IAM): nothing is left unread
    expect(d.notEmulated).toEqual([]);
    expect(d.invokePermissions!.map((p) => p.logicalId)).toEqual(['ApiInvokePermission', 'ConnectInvokePermission', 'DisconnectInvokePermission']);
    expect(d.outputs).toEqual([
      { key: 'WebSocketUrl', value: `wss://${API_ID}.execute-api.eu-west-1.amazonaws.com/v1` },
      { key: 'ConnectionsTableName', value: d.tables[0]!.definition.TableName, exportName: 'provisioned-cfn-connections' },
    ]);
  });

  it('takes the capacity as a parameter', async () => {
    const bigger = await readTemplateStack(options(join(FIXTURES, 'provisioned-cfn/template.json'), { parameters: { ReadCapacity: '50', WriteCapacity: '25' }, workDir: join(work, 'cfn2') }));
    expect(bigger.tables[0]!.definition.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 50, WriteCapacityUnits: 25 });
  });
});

describe('a Serverless Framework package', () => {
  it("reads .serverless/: the template, the service's zip unpacked, the stack named {service}-{stage}", async () => {
    // What `serverless package` leaves for a service `rooms` at stage `dev`, functions packaged together.
    const project = join(work, 'sls-project');
    const sls = join(project, '.serverless');
    mkdirSync(sls, { recursive: true });
    const template = JSON.parse(readFileSync(join(FIXTURES, 'provisioned-cfn/template.json'), 'utf8'));
    template.Resources.ServerlessDeploymentBucket = { Type: 'AWS::S3::Bucket', Properties: {} };
    for (const id of ['ConnectFunction', 'DisconnectFunction', 'SendFunction']) {
      const handler = { ConnectFunction: 'handlers/connect.handler', DisconnectFunction: 'handlers/disconnect.handler', SendFunction: 'src/send.handler' }[id]!;
      template.Resources[id].Properties.Code = { S3Bucket: { Ref: 'ServerlessDeploymentBucket' }, S3Key: 'serverless/rooms/dev/1732400000000-2024-11-23T22:13:20.000Z/rooms.zip' };
      template.Resources[id].Properties.Handler = handler;
      template.Resources[id].Properties.FunctionName = `rooms-dev-${id.replace('Function', '').toLowerCase()}`;
    }
    writeFileSync(join(sls, 'cloudformation-template-update-stack.json'), JSON.stringify(template));
    writeFileSync(join(sls, 'serverless-state.json'), JSON.stringify({ service: { service: 'rooms', provider: { name: 'aws', stage: 'dev', region: 'eu-west-1' } } }));
    writeZip(join(sls, 'rooms.zip'), [
      { name: 'handlers/connect.js', data: 'exports.handler = async () => ({ statusCode: 200 });', deflate: true },
      { name: 'handlers/disconnect.js', data: 'exports.handler = async () => ({ statusCode: 200 });', deflate: true },
      { name: 'src/send.mjs', data: readFileSync(join(FIXTURES, 'provisioned-cfn/src/send.mjs')), deflate: true },
    ]);
    const workDir = join(work, 'sls-work');
    for (const path of [project, sls]) {
      const d = await readTemplateStack(options(path, { workDir }));
      expect(d.stackName).toBe('rooms-dev');
      expect(d.source).toMatchObject({ format: 'serverless', templateFile: join(sls, 'cloudformation-template-update-stack.json') });
      expect(d.functions.map((f) => f.name)).toEqual(['rooms-dev-connect', 'rooms-dev-disconnect', 'rooms-dev-send']);
      const dirs = new Set(d.functions.map((f) => (f.code as { dir: string }).dir));
      expect(dirs.size).toBe(1); // one zip for the service, unpacked once
      const [dir] = [...dirs];
      expect(dir!.startsWith(join(workDir, 'unzipped'))).toBe(true);
      expect(existsSync(join(dir!, 'src/send.mjs'))).toBe(true);
      // an unpacked zip is named by the zip (what the template gives)
      expect(fn(d, 'SendFunction').code).toEqual({ kind: 'handler', dir, handler: 'src/send.handler', shownAs: { package: 'rooms.zip', base: expect.stringMatching(/\/\.serverless$/) } });
      expect(d.notEmulated).toContainEqual({ logicalId: 'ServerlessDeploymentBucket', type: 'AWS::S3::Bucket', physicalId: expect.stringMatching(/^rooms-dev-serverlessdeploymentbucket-[a-z0-9]{13}$/) });
    }
    rmSync(join(sls, 'rooms.zip'));
    await expect(readTemplateStack(options(sls, { workDir }))).rejects.toThrow(/resource ConnectFunction property Code\.S3Key: rooms\.zip .* is not in .*\.serverless: run serverless package again$/);
  });

  it("runs under iam: enforce with the IamRoleLambdaExecution role its iamRoleStatements became: the send's Scan allowed; without the statement, denied", async () => {
    // What `serverless package` makes of `provider.iam.role.statements` (iamRoleStatements): one
    // role for the service, its logs statements and the service's own statements inline, every function's Role.
    const project = join(work, 'sls-iam');
    const sls = join(project, '.serverless');
    mkdirSync(sls, { recursive: true });
    const template = JSON.parse(readFileSync(join(FIXTURES, 'provisioned-cfn/template.json'), 'utf8'));
    delete template.Resources.FunctionRole;
    const logs = (suffix: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/rooms-dev*${suffix}` });
    const iamRoleStatements = [
      { Effect: 'Allow', Action: ['dynamodb:Scan', 'dynamodb:DeleteItem'], Resource: [{ 'Fn::GetAtt': ['ConnectionsTable', 'Arn'] }] },
      { Effect: 'Allow', Action: ['execute-api:ManageConnections'], Resource: [{ 'Fn::Join': ['', ['arn:aws:execute-api:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', { Ref: 'Api' }, '/*']] }] },
    ];
    const role = (statements: unknown[]) => ({
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }] },
        Policies: [
          {
            PolicyName: { 'Fn::Join': ['-', ['rooms', 'dev', 'lambda']] },
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:TagResource'], Resource: [logs(':*')] },
                { Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: [logs(':*:*')] },
                ...statements,
              ],
            },
          },
        ],
        Path: '/',
        RoleName: { 'Fn::Join': ['-', ['rooms', 'dev', { Ref: 'AWS::Region' }, 'lambdaRole']] },
      },
    });
    template.Resources.IamRoleLambdaExecution = role(iamRoleStatements);
    for (const id of ['ConnectFunction', 'DisconnectFunction', 'SendFunction']) {
      template.Resources[id].Properties.Role = { 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] };
      template.Resources[id].Properties.Code = { S3Bucket: 'serverless-deployment-bucket', S3Key: 'serverless/rooms/dev/1732400000000/rooms.zip' };
      template.Resources[id].Properties.Handler = { ConnectFunction: 'handlers/connect.handler', DisconnectFunction: 'handlers/connect.handler', SendFunction: 'src/send.handler' }[id];
    }
    writeFileSync(join(sls, 'cloudformation-template-update-stack.json'), JSON.stringify(template));
    writeFileSync(join(sls, 'serverless-state.json'), JSON.stringify({ service: { service: 'rooms', provider: { name: 'aws', stage: 'dev', region: 'us-east-1' } } }));
    writeZip(join(sls, 'rooms.zip'), [
      { name: 'handlers/connect.js', data: 'exports.handler = async () => ({ statusCode: 200 });', deflate: true },
      { name: 'src/send.mjs', data: readFileSync(join(FIXTURES, 'provisioned-cfn/src/send.mjs')), deflate: true },
    ]);
    const config = defaultStackConfig({ template: { path: sls, parameters: {} }, lambda: { preparedPerFunction: 0 }, iam: 'enforce' });
    const { stack: described } = await describeStack(config);
    const send = fn(described, 'SendFunction');
    expect(send.role).toMatchObject({ name: 'rooms-dev-us-east-1-lambdaRole', arn: expect.stringMatching(/:role\/rooms-dev-us-east-1-lambdaRole$/) });
    const lines: string[] = [];
    const stack = await startStack({ config, stack: described, log: (line) => lines.push(line) });
    try {
      const client = await connect(stack.ready.websocketUrl);
      client.send({ action: 'send', text: 'hi' });
      // the Scan went through (no connection row: the stub $connect writes none, so nothing to post)
      expect(await client.nextJson()).toEqual({ sent: 0 });
      client.close();
      expect(lines.filter((l) => l.startsWith('iam: denied'))).toEqual([]);
    } finally {
      await stack.close();
    }
    // the same package without the service's statements: the Scan is denied
    const table = described.tables[0]!.definition.TableName;
    const tableArn = `arn:aws:dynamodb:us-east-1:${config.accountId}:table/${table}`;
    expect(evaluate(send.role!.statements, 'dynamodb:Scan', tableArn).allowed).toBe(true);
    template.Resources.IamRoleLambdaExecution = role([]);
    writeFileSync(join(sls, 'cloudformation-template-update-stack.json'), JSON.stringify(template));
    const bare = fn((await describeStack(config)).stack, 'SendFunction');
    expect(evaluate(bare.role!.statements, 'dynamodb:Scan', tableArn)).toEqual({ allowed: false, reason: 'no-allow' });
  }, 60_000);
});

describe("a CDK cloud assembly: the reference stack's", () => {
  let out: string;
  let d: StackDescription;

  beforeAll(async () => {
    // The repository's own CDK app synthesized by its CLI, bundled with the installed esbuild,
    // offline: the build's, or the cache's for sources changed since (reference-assembly.ts).
    out = await referenceAssembly();
    d = await readTemplateStack(options(out, { parameters: { Broadcast: 'true' }, workDir: join(work, 'cdk-work') }));
  }, 300_000);

  it('picks the only stack, with its name', () => {
    expect(d.stackName).toBe('FanoutBenchChat');
    expect(d.source).toEqual({ format: 'cdk-assembly', path: out, templateFile: join(out, 'FanoutBenchChat.template.json') });
  });

  it("has the reference stack's 10 route functions, each on its route, from its asset directory", () => {
    expect(d.routes).toHaveLength(10);
    for (const spec of FUNCTIONS) {
      const route = d.routes.find((r) => r.routeKey === spec.route);
      expect(route, spec.route).toBeDefined();
      const f = fn(d, route!.functionId);
      expect(f.name).toBe(spec.name);
      expect(f.memoryMB).toBe(spec.memoryMB);
      expect(f.timeoutSeconds).toBe(spec.timeoutSeconds);
      expect(f.runtime).toBe('nodejs22.x');
      expect(route!.twoWay).toBe(spec.returnResponse);
      const code = f.code as { kind: string; dir: string; handler: string };
      expect(code.kind).toBe('handler');
      expect(code.handler).toBe('index.handler');
      expect(code.dir.startsWith(join(out, 'asset.'))).toBe(true);
      expect(existsSync(join(code.dir, 'index.mjs'))).toBe(true);
      expect(f.environment.CALLBACK_URL).toBe(`https://${API_ID}.execute-api.eu-west-1.amazonaws.com/prod`);
    }
  });

  it('has the $connect authorizer with its token parameter, the stage throttle and the 3 tables', () => {
    expect(d.authorizer).toMatchObject({ functionId: expect.any(String), identitySource: ['route.request.header.x-api-key'], tokenParameter: '/fanout-bench/FanoutBenchChat/connect-token' });
    expect(fn(d, d.authorizer!.functionId).name).toBe('fanout-authorizer');
    expect(d.routes.find((r) => r.routeKey === '$connect')!.authorizationType).toBe('CUSTOM');
    expect(d.api!.stage).toMatchObject({ name: 'prod', throttle: { rateLimit: 500, burstLimit: 1000 } });
    expect(d.tables.map((t) => t.definition.TableName).sort()).toEqual(['fanout-connections', 'fanout-messages', 'fanout-room-members']);
    for (const t of d.tables) expect(t.definition.BillingMode).toBe('PAY_PER_REQUEST');
    expect(d.parameters).toEqual([{ logicalId: expect.any(String), name: '/fanout-bench/FanoutBenchChat/connect-token', type: 'String', value: expect.stringMatching(/^unset/) }]);
  });

  it("reads the roles, their policies and the invoke permissions (IAM); creates the log groups with the stack and sets the CDK metadata aside, nothing left not emulated (one log group, one invoke permission and one grant policy per function: the routes', the authorizer's, the server push's)", () => {
    // every resource emulated: the functions' log groups are the stack's, created with it; the CDK's version report does nothing
    expect(d.notEmulated).toEqual([]);
    expect(d.logGroups).toHaveLength(12);
    expect(d.logGroups).toContainEqual({ logicalId: expect.any(String), name: '/aws/lambda/fanout-send-message', retentionInDays: 7 });
    expect(d.inert?.map((r) => r.type)).toEqual(['AWS::CDK::Metadata']);
    expect(d.invokePermissions).toHaveLength(12);
    expect(d.functions.flatMap((f) => f.role?.resources ?? []).filter((id) => id.includes('Policy'))).toHaveLength(12);
    expect(d.outputs.find((o) => o.key === 'ApiId')!.value).toBe(API_ID);
  });

  it("allows each function's calls by the AWS::IAM::Policy its grant* attached to the role CDK synthesized; without those policies, denies them", async () => {
    const arnOf = (table: keyof typeof TABLE_DEFAULT_NAMES, index?: string) => `arn:aws:dynamodb:eu-west-1:111122223333:table/${TABLE_DEFAULT_NAMES[table]}${index ? `/index/${index}` : ''}`;
    const calls = (route: string) => [
      ...ROUTE_ACCESS[route]!.dynamodb.flatMap((g) => g.actions.map((a) => [`dynamodb:${a}`, arnOf(g.table, g.index)] as const)),
      ...(ROUTE_ACCESS[route]!.postsToConnections ? [['execute-api:ManageConnections', `arn:aws:execute-api:eu-west-1:111122223333:${API_ID}/prod/POST/@connections/*`] as const] : []),
    ];
    const decisions = (stack: StackDescription) =>
      stack.routes.flatMap((r) => calls(r.routeKey).map(([action, resource]) => [r.routeKey, action, evaluate(fn(stack, r.functionId).role!.statements, action, resource).allowed] as const));
    const all = decisions(d);
    expect(all.length).toBeGreaterThan(15);
    expect(all.filter(([, , allowed]) => !allowed)).toEqual([]);
    // the same assembly with its AWS::IAM::Policy resources (what grant* synthesized) removed
    const bare = join(work, 'cdk-no-grants');
    cpSync(out, bare, { recursive: true });
    const file = join(bare, 'FanoutBenchChat.template.json');
    const template = JSON.parse(readFileSync(file, 'utf8'));
    for (const [id, r] of Object.entries<{ Type: string }>(template.Resources)) if (r.Type === 'AWS::IAM::Policy') delete template.Resources[id];
    for (const r of Object.values<{ DependsOn?: string[] }>(template.Resources)) if (Array.isArray(r.DependsOn)) r.DependsOn = r.DependsOn.filter((id) => template.Resources[id]);
    writeFileSync(file, JSON.stringify(template));
    const denied = decisions(await readTemplateStack(options(bare, { parameters: { Broadcast: 'true' }, workDir: join(work, 'cdk-no-grants-work') })));
    expect(denied.filter(([, , allowed]) => allowed)).toEqual([]);
  });

  it('chooses among several stacks by --stack-name, and refuses to guess', async () => {
    const two = join(work, 'cdk-two');
    cpSync(out, two, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(two, 'manifest.json'), 'utf8'));
    manifest.artifacts.Copy = { ...manifest.artifacts.FanoutBenchChat, properties: { ...manifest.artifacts.FanoutBenchChat.properties, stackName: 'FanoutBenchChatCopy' } };
    writeFileSync(join(two, 'manifest.json'), JSON.stringify(manifest));
    await expect(readTemplateStack(options(two, { workDir: join(work, 'cdk-two-work') }))).rejects.toThrow(
      `${two}: the cloud assembly has 2 stacks (FanoutBenchChat, FanoutBenchChatCopy): choose one with --stack-name`,
    );
    const copy = await readTemplateStack(options(two, { stackName: 'FanoutBenchChatCopy', parameters: { Broadcast: 'true' }, workDir: join(work, 'cdk-two-work') }));
    expect(copy.stackName).toBe('FanoutBenchChatCopy');
    expect(copy.routes).toHaveLength(10);
    await expect(readTemplateStack(options(two, { stackName: 'Nope', workDir: join(work, 'cdk-two-work') }))).rejects.toThrow(/no stack Nope in the cloud assembly \(it has FanoutBenchChat, FanoutBenchChatCopy\)$/);
  });

  // The emulator's default stack is this assembly with the config's shape as its parameters (describeStack).
  it.each([
    ['the default: no authorizer, the direct push', {}],
    ['auth by header', { auth: { enabled: true } }],
    ['auth by query with an existing parameter, the queued push, stage bench', { auth: { enabled: true, identitySource: 'query' as const, parameterName: '/team/ws-token' }, pushFanout: 'queued' as const, stage: 'bench' }],
    ['on nodejs20.x', { lambda: { runtime: 'nodejs20.x' as const } }],
    // the assembly synthesized as FanoutBenchChat, deployed under another name: every name follows it
    ['deployed as FanoutBenchChatArm, auth on', { auth: { enabled: true }, stackName: 'FanoutBenchChatArm' }],
  ])("is the emulator's default stack in the shape the config asks for: %s", async (_, overrides) => {
    const config = defaultStackConfig(overrides);
    const { stack, dispose } = await describeStack(config);
    try {
      const stackName = config.stackName ?? DEFAULT_STACK_NAME;
      const named = (name: string) => stackResourceName(stackName, name);
      const tables = stackTableNames(stackName);
      expect(stack.source).toMatchObject({ format: 'cdk-assembly', path: out });
      expect(stack.stackName).toBe(stackName);
      expect(stack.api!.stage.name).toBe(config.stage);
      expect(stack.tables.map((t) => t.definition.TableName).sort()).toEqual(Object.values(tables).sort());
      // every route's function named after the stack, on the config's runtime, with its tables and the local post timeout
      expect(stack.routes.map((r) => [r.routeKey, fn(stack, r.functionId).name]).sort()).toEqual(FUNCTIONS.map((f) => [f.route, named(f.name)]).sort());
      for (const f of stack.functions) expect(f.runtime, f.name).toBe(config.lambda.runtime);
      for (const r of stack.routes) expect(fn(stack, r.functionId).environment, r.routeKey).toMatchObject({ POST_TIMEOUT_MS: '20000', CONNECTIONS_TABLE: tables.connections });
      // the server push: the fan-out's functions, none prepared ahead; queued, its queue, dead-letter queue and workers
      const fanout = config.pushFanout ?? DEFAULT_PUSH_FANOUT;
      const push = pushFunctions(fanout);
      expect(stack.functions.filter((f) => f.preparedEnvironments === 0).map((f) => f.name).sort()).toEqual(push.map((f) => named(f.name)).sort());
      const pushNames = stackPushNames(stackName);
      expect((stack.queues ?? []).map((q) => q.name).sort()).toEqual(fanout === 'queued' ? [pushNames.queue, pushNames.deadLetterQueue].sort() : []);
      expect((stack.eventSourceMappings ?? []).map((m) => m.functionName)).toEqual(push.filter((f) => f.trigger === 'queue').map((f) => named(f.name)));
      expect(stack.rules?.map((r) => [r.name, r.busName])).toEqual([[pushNames.rule, pushNames.bus]]);
      // the authorizer: the config's identity source, its token in the stack's own parameter or the account's
      if (!config.auth.enabled) {
        expect(stack.authorizer).toBeUndefined();
        expect(stack.parameters).toEqual([]);
      } else {
        const parameter = config.auth.parameterName ?? stackTokenParameter(stackName);
        expect(stack.authorizer).toMatchObject({ identitySource: [TOKEN_IDENTITY_SOURCES[config.auth.identitySource]], tokenParameter: parameter });
        expect(fn(stack, stack.authorizer!.functionId).name).toBe(named(CONNECT_AUTHORIZER.name));
        expect(stack.parameters.map((p) => p.name)).toEqual(config.auth.parameterName ? [] : [parameter]);
      }
    } finally {
      await dispose();
    }
  });

  it('names the setting that brings in a function the shape leaves out', async () => {
    const overrides = { functions: { 'fanout-authorizer': { memoryMB: 512 } } };
    const config = defaultStackConfig(overrides);
    const { stack, dispose } = await describeStack(config);
    await dispose();
    expect(() => checkConfigAgainstStack(config, stack, { overrides, flagFor: () => '--memory' })).toThrow(
      new UserError('--memory: functions.fanout-authorizer: not created: its Condition AuthOn is false (it runs with auth.enabled, --auth)'),
    );
  });

  it('refuses an asset path outside the assembly, and a manifest that is not one', async () => {
    const evil = join(work, 'cdk-evil');
    cpSync(out, evil, { recursive: true });
    const templateFile = join(evil, 'FanoutBenchChat.template.json');
    const template = JSON.parse(readFileSync(templateFile, 'utf8'));
    const connect = Object.entries<{ Type: string; Metadata: Record<string, unknown> }>(template.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Function')!;
    connect[1].Metadata['aws:asset:path'] = '../../../etc';
    writeFileSync(templateFile, JSON.stringify(template));
    await expect(readTemplateStack(options(evil, { workDir: join(work, 'cdk-evil-work') }))).rejects.toThrow(new RegExp(`resource ${connect[0]} Metadata aws:asset:path: \\.\\./\\.\\./\\.\\./etc is outside the cloud assembly$`));
    writeFileSync(join(evil, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts: { X: { type: 'aws:cloudformation:stack', properties: 42 } } }));
    await expect(readTemplateStack(options(evil))).rejects.toThrow(/manifest\.json: not a valid cloud assembly manifest/);
  });
});

describe("a template's work directory", () => {
  it('is made only when written into (inline code, not the reference assembly), and gone when the process ends without disposing it (a second signal, or an owner gone, exit without dispose)', () => {
    // its own process and TMPDIR (tsx keeps its cache there too)
    const tmp = mkdtempSync(join(work, 'tmp-'));
    const script = [
      `const { describeStack } = await import(${JSON.stringify(join(ROOT, 'emulator/stack-model/describe-stack.ts'))});`,
      `const { defaultStackConfig } = await import(${JSON.stringify(join(ROOT, 'emulator/config.ts'))});`,
      `await describeStack(defaultStackConfig({ template: { path: ${JSON.stringify(join(FIXTURES, 'provisioned-cfn/template.json'))}, parameters: {} } }));`,
      'await describeStack(defaultStackConfig());',
      `const { readdirSync } = await import('node:fs');`,
      `process.stdout.write(readdirSync(${JSON.stringify(tmp)}).filter((d) => d.startsWith('fanout-bench-stack-')).join(','));`,
      'process.exit(1);',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^fanout-bench-stack-\d+-[0-9a-f]+$/);
    expect(readdirSync(tmp).filter((d) => d.startsWith('fanout-bench-stack-'))).toEqual([]);
  }, 30_000);
});
