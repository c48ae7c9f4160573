import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { authorizerInvokeRefusal } from '../../emulator/iam/invoke-permission.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { pullExecutionLogFailures } from '../../src/metrics/cloudwatch/execution-log-failures.ts';
import { connect, eventually, handshakeStatus, type TestClient } from '../fixtures/gateway/clients.ts';

// IAM as AWS enforces it, through the whole emulator: the iam-permissions fixture's functions make
// their calls with the real SDK v3 (and boto3) clients from their own sessions, and answer what
// came of them. One stack under enforce, one under report, each shared by its cases.

const FIXTURE = fileURLToPath(new URL('../fixtures/stacks/iam-permissions/template.yaml', import.meta.url));
const ACCOUNT = '123456789012';
const clients: TestClient[] = [];

async function start(iam: 'enforce' | 'report', lines: string[]): Promise<RunningStack> {
  const config = defaultStackConfig({ template: { path: FIXTURE, parameters: {} }, lambda: { preparedPerFunction: 0 }, accountId: ACCOUNT, iam });
  const described = await describeStack(config);
  return startStack({ config, stack: described.stack, log: (line) => lines.push(line) });
}

async function ask(stack: RunningStack, action: string): Promise<{ client: TestClient; answer: any }> {
  const client = await connect(stack.ready.websocketUrl);
  clients.push(client);
  client.send({ action });
  const answer = await client.take((f) => f.route === action || f.message !== undefined);
  return { client, answer };
}

const nameOf = (stack: RunningStack, logicalId: string) => stack.stack.functions.find((f) => f.logicalId === logicalId)!.name;

// every template a test writes, removed with the file
const work = mkdtempSync(join(tmpdir(), 'iam-stack-'));
afterAll(() => {
  for (const c of clients) c.close();
  rmSync(work, { recursive: true, force: true });
});

describe('iam: enforce', () => {
  const lines: string[] = [];
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await start('enforce', lines);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('says at start which route API Gateway may not invoke', () => {
    expect(lines).toContainEqual(expect.stringMatching(/^iam: route unpermitted: API Gateway may not invoke .*Unpermitted.*: no AWS::Lambda::Permission lets apigateway\.amazonaws\.com do lambda:InvokeFunction from arn:aws:execute-api:us-east-1:123456789012:[a-z0-9]+\/live\/unpermitted: the route fails as on AWS/));
  });

  it('refuses a post without execute-api:ManageConnections with 403 AccessDeniedException in AWS’s words, in the function’s log', async () => {
    const { answer } = await ask(stack, 'postBare');
    const fn = nameOf(stack, 'PostBareFunction');
    const resource = `arn:aws:execute-api:us-east-1:********9012:${stack.ready.apiId}/live/POST/@connections/{connectionId}`;
    expect(answer).toEqual({
      route: 'postBare',
      error: 'AccessDeniedException',
      status: 403,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/${stack.stack.functions.find((f) => f.logicalId === 'PostBareFunction')!.role!.name}/${fn} is not authorized to perform: execute-api:ManageConnections on resource: ${resource}`,
    });
    // the function's own error line, read back as the harness reads logs (no function's session: not checked)
    const logs = new CloudWatchLogsClient({ endpoint: stack.ready.cloudwatchEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const events = await eventually(async () => {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}`, filterPattern: '"postBare failed"' }));
      return out.events?.length ? out.events : undefined;
    });
    logs.destroy();
    expect(events[0]!.message).toContain('postBare failed: AccessDeniedException (403): User: ');
    expect(lines).toContainEqual(expect.stringMatching(/^iam: denied: User: .* is not authorized to perform: execute-api:ManageConnections/));
  });

  it('boto3 raises AccessDeniedException for the same post', async () => {
    const { answer } = await ask(stack, 'postBarePy');
    expect(answer.error).toMatch(/^An error occurred \(AccessDeniedException\) when calling the PostToConnection operation: User: arn:aws:sts::123456789012:assumed-role\/.+ is not authorized to perform: execute-api:ManageConnections on resource: arn:aws:execute-api:us-east-1:\*{8}9012:/);
  });

  it('delivers with AmazonAPIGatewayInvokeFullAccess', async () => {
    const { client, answer } = await ask(stack, 'postFull');
    expect(answer).toEqual({ route: 'postFull', ok: true });
    expect(client.frames.map((f) => f.data)).toContain('delivered postFull');
  });

  it('refuses DynamoDBCrudPolicy on another table, and an explicit Deny beside Allow *', async () => {
    const put = (await ask(stack, 'putOther')).answer;
    expect(put).toMatchObject({ error: 'AccessDeniedException', status: 400 });
    expect(put.message).toMatch(/is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table\/.*MainTable.* because no identity-based policy allows the dynamodb:PutItem action$/);
    const deny = (await ask(stack, 'denyBeside')).answer;
    expect(deny).toMatchObject({ error: 'AccessDeniedException', status: 403 });
  });

  it('fails a route without its AWS::Lambda::Permission as AWS does: Internal server error, the execution log’s line, the function never invoked', async () => {
    const { answer } = await ask(stack, 'unpermitted');
    expect(answer).toEqual({ message: 'Internal server error', connectionId: expect.any(String), requestId: expect.any(String) });
    expect(lines).toContainEqual(expect.stringMatching(/^gateway: Execution failed due to configuration error: Invalid permissions on Lambda function \(route unpermitted: /));
    expect(stack.logs.filter({ logGroupName: `/aws/lambda/${nameOf(stack, 'UnpermittedFunction')}`, limit: 10 })?.events ?? []).toEqual([]);
    // the stage's execution log, read as the harness reads it (FilterLogEvents through the SDK)
    const group = `API-Gateway-Execution-Logs_${stack.ready.apiId}/live`;
    const functionArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${nameOf(stack, 'UnpermittedFunction')}`;
    expect(stack.logs.filter({ logGroupName: group })!.events.map((e) => e.message)).toEqual([
      `(${answer.requestId}) WebSocket Request Route: [unpermitted], Connection Id: [${answer.connectionId}]`,
      `(${answer.requestId}) Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/${functionArn}/invocations`,
      `(${answer.requestId}) Execution failed due to configuration error: Invalid permissions on Lambda function`,
      `(${answer.requestId}) Method completed with status: 500`,
    ]);
    const logs = new CloudWatchLogsClient({ endpoint: stack.ready.cloudwatchEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const failures = await pullExecutionLogFailures(logs, { apiId: stack.ready.apiId, stage: 'live' }, { startMs: Date.now() - 60_000, endMs: Date.now() }, { maxPages: 5, deadlineMs: 10_000 });
    // a stage without an execution log says nothing
    expect(await pullExecutionLogFailures(logs, { apiId: stack.ready.apiId, stage: 'other' }, { startMs: 0, endMs: Date.now() }, { maxPages: 5, deadlineMs: 10_000 })).toBeUndefined();
    logs.destroy();
    expect(failures).toEqual({ invokePermission: [{ route: 'unpermitted', functionArn, authorizer: false, count: 1, firstAt: expect.any(Number) }], integration: [] });
  });

  it('counts every post under the @connections pattern, one ledger line per function and method', async () => {
    const ledger = await stack.iamAccess();
    const posts = ledger.filter((r) => r.action === 'execute-api:ManageConnections');
    expect(posts.map((r) => r.resource)).toEqual(posts.map(() => `arn:aws:execute-api:us-east-1:${ACCOUNT}:${stack.ready.apiId}/live/POST/@connections/*`));
    expect(posts.find((r) => r.function === nameOf(stack, 'PostFullFunction'))).toMatchObject({ decision: 'allowed', count: 1 });
    expect(posts.find((r) => r.function === nameOf(stack, 'DenyBesideFunction'))).toMatchObject({ decision: 'explicit-deny' });
  });
});

describe('iam: report', () => {
  const lines: string[] = [];
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await start('report', lines);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('lets every call through and records what would have been denied', async () => {
    const bare = await ask(stack, 'postBare');
    expect(bare.answer).toEqual({ route: 'postBare', ok: true });
    expect((await ask(stack, 'unpermitted')).answer).toEqual({ route: 'unpermitted', ok: true });
    expect(lines).toContainEqual(expect.stringMatching(/^iam: would deny \(report\): User: .* is not authorized to perform: execute-api:ManageConnections/));
    expect(lines).toContainEqual(expect.stringMatching(/^iam: would fail \(report\): Execution failed due to configuration error: Invalid permissions on Lambda function/));
    const ledger = await stack.iamAccess();
    expect(ledger).toContainEqual(expect.objectContaining({ function: nameOf(stack, 'PostBareFunction'), action: 'execute-api:ManageConnections', decision: 'no-allow', count: 1 }));
  });
});

describe("the \$connect authorizer's own invoke permission", () => {
  // an authorizer whose AuthorizerCredentialsArn role may not invoke it, and no AWS::Lambda::Permission for it
  const TEMPLATE = [
    "AWSTemplateFormatVersion: '2010-09-09'",
    'Resources:',
    '  Api: { Type: AWS::ApiGatewayV2::Api, Properties: { Name: auth, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action } }',
    '  Stage: { Type: AWS::ApiGatewayV2::Stage, Properties: { ApiId: !Ref Api, StageName: live } }',
    "  Authorizer: { Type: AWS::ApiGatewayV2::Authorizer, Properties: { ApiId: !Ref Api, Name: tokens, AuthorizerType: REQUEST, IdentitySource: [route.request.querystring.token], AuthorizerCredentialsArn: !GetAtt InvokerRole.Arn, AuthorizerUri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Auth.Arn}/invocations' } }",
    "  Route: { Type: AWS::ApiGatewayV2::Route, Properties: { ApiId: !Ref Api, RouteKey: $connect, AuthorizationType: CUSTOM, AuthorizerId: !Ref Authorizer, Target: !Sub 'integrations/${Integration}' } }",
    "  Integration: { Type: AWS::ApiGatewayV2::Integration, Properties: { ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Connect.Arn}/invocations' } }",
    "  ConnectPermission: { Type: AWS::Lambda::Permission, Properties: { Action: 'lambda:InvokeFunction', FunctionName: !Ref Connect, Principal: apigateway.amazonaws.com, SourceArn: !Sub 'arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*' } }",
    "  Connect: { Type: AWS::Lambda::Function, Properties: { Runtime: nodejs22.x, Handler: index.handler, Role: !GetAtt FnRole.Arn, Code: { ZipFile: 'exports.handler = async () => ({ statusCode: 200 });' } } }",
    "  Auth: { Type: AWS::Lambda::Function, Properties: { Runtime: nodejs22.x, Handler: index.handler, Role: !GetAtt FnRole.Arn, Code: { ZipFile: 'exports.handler = async () => { throw new Error(\"never invoked\") };' } } }",
    "  FnRole: { Type: AWS::IAM::Role, Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: 'sts:AssumeRole' }] } } }",
    "  InvokerRole: { Type: AWS::IAM::Role, Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: Allow, Principal: { Service: apigateway.amazonaws.com }, Action: 'sts:AssumeRole' }] }, Policies: [{ PolicyName: p, PolicyDocument: { Statement: [{ Effect: Allow, Action: 'lambda:InvokeFunction', Resource: !GetAtt Connect.Arn }] } }] } }",
  ].join('\n');

  it("knows the account's parameter the authorizer reads its token from (where a run's token goes): named in its environment, readable by its role", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iam-authorizer-token-'));
    const tokenParameterOf = async (granted: string) => {
      const role = `  AuthRole: { Type: AWS::IAM::Role, Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: 'sts:AssumeRole' }] }, Policies: [{ PolicyName: p, PolicyDocument: { Statement: [{ Effect: Allow, Action: 'ssm:GetParameter', Resource: !Sub 'arn:aws:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${granted}' }] } }] } }`;
      const template = TEMPLATE.replace(
        "Auth: { Type: AWS::Lambda::Function, Properties: { Runtime: nodejs22.x, Handler: index.handler, Role: !GetAtt FnRole.Arn,",
        'Auth: { Type: AWS::Lambda::Function, Properties: { Runtime: nodejs22.x, Handler: index.handler, Role: !GetAtt AuthRole.Arn, Environment: { Variables: { TOKEN_AT: /team/ws-token, STAGE: live } },',
      );
      writeFileSync(join(dir, 'template.yaml'), `${template}\n${role}`);
      const { stack, dispose } = await describeStack(defaultStackConfig({ template: { path: join(dir, 'template.yaml'), parameters: {} }, accountId: ACCOUNT }));
      await dispose();
      return stack.authorizer?.tokenParameter;
    };
    try {
      expect(await tokenParameterOf('/team/ws-token')).toBe('/team/ws-token');
      expect(await tokenParameterOf('/team/*')).toBe('/team/ws-token');
      // a name its role may not read is not where its token is
      expect(await tokenParameterOf('/team/other')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses every $connect with 500 when API Gateway may not invoke it, the execution log saying so; an AWS::Lambda::Permission or an allowed role lets it', async () => {
    const dir = mkdtempSync(join(work, 'authorizer-'));
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
    const config = defaultStackConfig({ template: { path: join(dir, 'template.yaml'), parameters: {} }, lambda: { preparedPerFunction: 0 }, accountId: ACCOUNT, iam: 'enforce' });
    const { stack: described } = await describeStack(config);
    const lines: string[] = [];
    const stack = await startStack({ config, stack: described, log: (line) => lines.push(line) });
    try {
      expect(lines).toContainEqual(expect.stringMatching(/^iam: authorizer tokens: API Gateway may not invoke .*Auth.*: no AWS::Lambda::Permission lets apigateway\.amazonaws\.com do lambda:InvokeFunction from arn:aws:execute-api:us-east-1:123456789012:\w+\/authorizers\/[a-z0-9]{7}, and its role .*InvokerRole.* is not allowed lambda:InvokeFunction on it: every \$connect fails as on AWS \(500 at handshake\)$/));
      expect(await handshakeStatus(`${stack.ready.websocketUrl}?token=t`)).toBe(500);
      const auth = described.functions.find((f) => f.logicalId === 'Auth')!;
      const messages = stack.logs.filter({ logGroupName: `API-Gateway-Execution-Logs_${stack.ready.apiId}/live` })!.events.map((e) => e.message.replace(/^\([^)]+\) /, ''));
      expect(messages).toEqual([
        expect.stringMatching(/^WebSocket Request Route: \[\$connect\], Connection Id: \[\S+\]$/),
        `Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:${ACCOUNT}:function:${auth.name}/invocations`,
        'Execution failed due to configuration error: Invalid permissions on Lambda function',
        'Execution failed due to configuration error: Authorizer error',
        'Method completed with status: 500',
      ]);
      // never invoked: no log of its own
      expect(stack.logs.hasGroup(`/aws/lambda/${auth.name}`)).toBe(false);
      // the same authorizer with its AWS::Lambda::Permission, or with a role that may invoke it: permitted
      const at = { region: 'us-east-1', accountId: ACCOUNT, apiId: stack.ready.apiId, stage: 'live' };
      const permission = { logicalId: 'AuthPermission', functionId: 'Auth', principal: 'apigateway.amazonaws.com', action: 'lambda:InvokeFunction', sourceArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${stack.ready.apiId}/*` };
      expect(authorizerInvokeRefusal(described.authorizer!, auth, [...described.invokePermissions!, permission], at)).toBeUndefined();
      const allowed = { ...described.authorizer!.credentials!, statements: [{ effect: 'Allow' as const, action: ['lambda:InvokeFunction'], resource: ['*'], source: 'inline policy invoke' }] };
      expect(authorizerInvokeRefusal({ ...described.authorizer!, credentials: allowed }, auth, described.invokePermissions, at)).toBeUndefined();
    } finally {
      await stack.close();
    }
  }, 60_000);
});

describe('a policy IAM would refuse, through `stack up --template`', () => {
  const ROOT = fileURLToPath(new URL('../..', import.meta.url));
  const template = (role: string, policies = '') =>
    [
      "AWSTemplateFormatVersion: '2010-09-09'",
      'Resources:',
      '  Api: { Type: AWS::ApiGatewayV2::Api, Properties: { Name: bad, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action } }',
      '  Stage: { Type: AWS::ApiGatewayV2::Stage, Properties: { ApiId: !Ref Api, StageName: live } }',
      "  Route: { Type: AWS::ApiGatewayV2::Route, Properties: { ApiId: !Ref Api, RouteKey: $default, Target: !Sub 'integrations/${Integration}' } }",
      "  Integration: { Type: AWS::ApiGatewayV2::Integration, Properties: { ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations' } }",
      `  Fn: { Type: AWS::Lambda::Function, Properties: { Runtime: nodejs22.x, Handler: index.handler, Role: ${role}, Code: { ZipFile: 'exports.handler = async () => ({ statusCode: 200 });' } } }`,
      "  FnRole: { Type: AWS::IAM::Role, Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: 'sts:AssumeRole' }] }" + policies + ' } }',
    ].join('\n');
  const stackUp = (file: string): Promise<{ code: number | null; stderr: string; stdout: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['bin/fanout-bench.js', 'stack', 'up', '--template', file, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.once('exit', (code) => resolve({ code, stderr, stdout }));
    });

  // Through the CLI once (the stack program refusing at start: one line, exit 2, nothing on
  // stdout); a policy the template reader refuses is the same kind of refusal, read in-process.
  it('names the resource and field in one line, exit 2, before anything listens', async () => {
    const dir = mkdtempSync(join(work, 'refusals-'));
    writeFileSync(join(dir, 'external.yaml'), template('arn:aws:iam::000000000000:role/shared'));
    writeFileSync(join(dir, 'effect.yaml'), template('!GetAtt FnRole.Arn', ", Policies: [{ PolicyName: p, PolicyDocument: { Statement: [{ Effect: Maybe, Action: 'dynamodb:*', Resource: '*' }] } }]"));
    expect(await stackUp(join(dir, 'external.yaml'))).toEqual({
      code: 2,
      stdout: '',
      stderr: 'fanout-bench: iam: resource Fn property Role: arn:aws:iam::000000000000:role/shared is no AWS::IAM::Role of the template, so its policies cannot be evaluated: add the role to the template, or run with iam: report\n',
    });
    const effect = await describeStack(defaultStackConfig({ template: { path: join(dir, 'effect.yaml'), parameters: {} } })).catch((e: unknown) => e);
    expect(effect).toBeInstanceOf(UserError);
    expect((effect as UserError).message).toBe(`${join(dir, 'effect.yaml')}: resource FnRole property Policies[0].PolicyDocument.Statement[0].Effect: "Maybe": must be Allow or Deny`);
  }, 30_000);
});
