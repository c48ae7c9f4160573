import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CONNECT_AUTHORIZER, TOKEN_PARAMETER_PLACEHOLDER } from '../../reference-stack/functions/manifest.ts';
import { chatStackPropsFromContext } from '../../reference-stack/infra/context.ts';
import { ROUTE_FUNCTION_OUTPUTS } from '../../common/stack-outputs.ts';
import { parseStackOutputs } from '../../src/targets/stack-description.ts';
import { synthFromContext } from './synth.ts';

// The $connect authorizer in the synthesized template (synth.ts: no AWS account needed, bundling
// skipped).

/** The IAM statements of the policies attached to the role of the function named `name`. */
function statementsOf(t: Template, name: string): any[] {
  const [fnId, fn] = Object.entries(t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: name } }))[0]!;
  expect(fnId).toBeTruthy();
  const roleId = (fn as any).Properties.Role['Fn::GetAtt'][0];
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('CDK: the $connect authorizer', () => {
  const t = synthFromContext({});

  it('is on by default: a REQUEST authorizer on $connect with the x-api-key header as identity source', () => {
    t.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.header.x-api-key'],
      Name: 'fanout-connect-authorizer',
    });
    const authorizerId = Object.keys(t.findResources('AWS::ApiGatewayV2::Authorizer'))[0]!;
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$connect', AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
    // no other route is authorized (WebSocket APIs authorize $connect only)
    const others = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).filter((r: any) => r.Properties.RouteKey !== '$connect');
    expect(others.length).toBeGreaterThan(0);
    for (const r of others as any[]) expect(r.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
  });

  it('deploys fanout-authorizer, which API Gateway may invoke, pointed at its parameter', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: CONNECT_AUTHORIZER.name,
      MemorySize: CONNECT_AUTHORIZER.memoryMB,
      Timeout: CONNECT_AUTHORIZER.timeoutSeconds,
      Runtime: 'nodejs22.x',
      Environment: { Variables: Match.objectLike({ AUTH_TOKEN_PARAMETER: '/fanout-bench/FanoutBenchChat/connect-token' }) },
    });
    t.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/fanout-authorizer' });
  });

  it('creates the parameter as a String holding the placeholder (never the token), named per stack', () => {
    t.resourceCountIs('AWS::SSM::Parameter', 1);
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/fanout-bench/FanoutBenchChat/connect-token', Type: 'String', Value: TOKEN_PARAMETER_PLACEHOLDER, Tier: 'Standard' });
    t.hasOutput('AuthTokenParameter', { Value: '/fanout-bench/FanoutBenchChat/connect-token' });
    t.hasOutput('AuthIdentitySource', { Value: 'route.request.header.x-api-key' });
    t.hasOutput('AuthorizerFunction', {});
    synthFromContext({ name: 'Other' }).hasResourceProperties('AWS::SSM::Parameter', { Name: '/fanout-bench/Other/connect-token' });
  });

  it('grants the authorizer ssm:GetParameter on that parameter and its own log group, nothing else; no other function reads it', () => {
    const statements = statementsOf(t, CONNECT_AUTHORIZER.name);
    const parameterId = Object.keys(t.findResources('AWS::SSM::Parameter'))[0]!;
    const logGroupId = Object.entries(t.findResources('AWS::Logs::LogGroup')).find(([, g]) => g.Properties.LogGroupName === '/aws/lambda/fanout-authorizer')![0];
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: expect.anything() },
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } },
    ]);
    expect(JSON.stringify(statements[0].Resource)).toContain(parameterId);
    expect(JSON.stringify(statements[0].Resource)).not.toContain('*');
    const ssmGrants = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('ssm:'));
    expect(ssmGrants).toHaveLength(1);
    // its role has no managed policy (AWSLambdaBasicExecutionRole would allow every log group)
    const fn = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: CONNECT_AUTHORIZER.name } }))[0] as any;
    const role = t.toJSON().Resources[fn.Properties.Role['Fn::GetAtt'][0]];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('publishes AuthorizerFunction, which the outputs contract reads as the $connect authorizer', () => {
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    const fnId = Object.entries(t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: CONNECT_AUTHORIZER.name } }))[0]![0];
    expect(outputs.AuthorizerFunction!.Value).toEqual({ Ref: fnId });
    const deployed: Record<string, string> = {
      WebSocketUrl: 'wss://abc.execute-api.us-east-1.amazonaws.com/prod',
      CallbackUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/prod',
      ApiId: 'abc',
      StageName: 'prod',
      Region: 'us-east-1',
      ConnectionsTable: 'c',
      RoomMembersTable: 'r',
      MessagesTable: 'm',
      ...Object.fromEntries(Object.entries(ROUTE_FUNCTION_OUTPUTS).filter(([route]) => route !== 'broadcast').map(([route, key]) => [key, `fn-${route}`])),
      AuthorizerFunction: CONNECT_AUTHORIZER.name,
    };
    const parsed = parseStackOutputs(deployed);
    expect(parsed.ok && parsed.value.functions.at(-1)).toEqual({ route: '$connect', name: CONNECT_AUTHORIZER.name, authorizer: true });
    expect(parseStackOutputs({ ...deployed, AuthorizerFunction: ' ' })).toEqual({ ok: false, issue: 'output AuthorizerFunction: must not be empty' });
  });

  it('reads an existing parameter by name instead (e.g. a SecureString), scoped to that ARN', () => {
    const own = synthFromContext({ authParameter: '/team/ws-token', authIdentity: 'query' });
    own.resourceCountIs('AWS::SSM::Parameter', 0);
    own.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { IdentitySource: ['route.request.querystring.token'] });
    own.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: CONNECT_AUTHORIZER.name,
      Environment: { Variables: Match.objectLike({ AUTH_TOKEN_PARAMETER: '/team/ws-token' }) },
    });
    const [statement] = statementsOf(own, CONNECT_AUTHORIZER.name);
    expect(statement.Action).toBe('ssm:GetParameter');
    expect(JSON.stringify(statement.Resource)).toMatch(/:parameter\/team\/ws-token"/);
  });

  it('leaves the authorizer out with -c auth=false, and refuses bad auth context in one line', () => {
    const open = synthFromContext({ auth: 'false' });
    open.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    open.resourceCountIs('AWS::SSM::Parameter', 0);
    open.resourcePropertiesCountIs('AWS::Lambda::Function', { FunctionName: CONNECT_AUTHORIZER.name }, 0);
    expect(() => chatStackPropsFromContext((k) => ({ authIdentity: 'cookie' })[k])).toThrow('context authIdentity: must be header or query, got cookie');
    expect(() => chatStackPropsFromContext((k) => ({ authParameter: 'no-slash' })[k])).toThrow(/^context authParameter: must be a Parameter Store path/);
    expect(() => chatStackPropsFromContext((k) => ({ auth: 'false', authIdentity: 'query' })[k])).toThrow('context authIdentity / authParameter: need auth=true');
  });

  it('gives the authorizer the stack-wide memory and architecture from context', () => {
    synthFromContext({ memory: '512', arch: 'arm64' }).hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: CONNECT_AUTHORIZER.name,
      MemorySize: 512,
      Architectures: ['arm64'],
    });
  });
});
