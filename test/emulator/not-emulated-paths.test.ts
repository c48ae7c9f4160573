import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notEmulatedPathText } from '../../common/not-emulated-paths.ts';
import { readTemplateStack } from '../../emulator/stack-model/template-reader.ts';

/**
 * Every path into a function that the emulator does not run (issue 59), read from the template:
 * SNS subscriptions, event source mappings, EventBridge rules and schedules, an HTTP API's
 * integrations, and SAM's events; each names the function it would invoke and whether the
 * template says that function posts to @connections.
 */
const dir = mkdtempSync(join(tmpdir(), 'not-emulated-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const uri = (fn: string) => ({ 'Fn::Sub': `arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${fn}.Arn}/invocations` });
const inline = (extra: Record<string, unknown> = {}) => ({ Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: 'exports.handler = async () => ({ statusCode: 200 });' }, ...extra } });

let n = 0;
async function read(resources: Record<string, unknown>) {
  const sub = join(dir, `case${n++}`);
  mkdirSync(sub, { recursive: true });
  const file = join(sub, 'stack.json');
  writeFileSync(
    file,
    JSON.stringify({
      Resources: {
        Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'a', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' } },
        Route: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Api' }, RouteKey: '$default', Target: { 'Fn::Sub': 'integrations/${Integration}' } } },
        Integration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Api' }, IntegrationType: 'AWS_PROXY', IntegrationUri: uri('Fn') } },
        Stage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Api' }, StageName: 'prod' } },
        Fn: inline(),
        ...resources,
      },
    }),
  );
  return readTemplateStack({ path: file, parameters: {}, region: 'us-east-1', accountId: '123456789012', apiId: 'abcdef1234', workDir: join(sub, 'work') });
}

describe('paths the emulator does not run', () => {
  it('an SNS subscription to a function that posts (its role grants ManageConnections)', async () => {
    const stack = await read({
      Topic: { Type: 'AWS::SNS::Topic' },
      Sub: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'lambda', TopicArn: { Ref: 'Topic' }, Endpoint: { 'Fn::GetAtt': ['Fanout', 'Arn'] } } },
      Fanout: inline({ Role: { 'Fn::GetAtt': ['FanoutRole', 'Arn'] } }),
      FanoutRole: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: {}, Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'execute-api:ManageConnections', Resource: '*' }] } }] },
      },
    });
    expect(stack.notEmulatedPaths).toEqual([
      { kind: 'trigger', source: 'SNS topic', resource: 'Topic', function: 'Fanout', functionName: expect.stringMatching(/-Fanout-/), fansOut: true, text: "its subscription's deliveries will not run here" },
    ]);
    expect(notEmulatedPathText(stack.notEmulatedPaths![0]!)).toBe("SNS topic Topic → Fanout (its subscription's deliveries will not run here)");
  });

  it('an SQS and a DynamoDB stream event source mapping, a schedule and a rule, an HTTP API integration; a function a route runs is marked so', async () => {
    const stack = await read({
      Queue: { Type: 'AWS::SQS::Queue' },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST', StreamSpecification: { StreamViewType: 'NEW_IMAGE' } } },
      FromQueue: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] }, FunctionName: { Ref: 'Worker' } } },
      FromStream: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] }, FunctionName: { Ref: 'Fn' }, StartingPosition: 'LATEST' } },
      Nightly: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 day)', Targets: [{ Id: 't', Arn: { 'Fn::GetAtt': ['Worker', 'Arn'] } }] } },
      Worker: inline({ Environment: { Variables: { CALLBACK: { 'Fn::Sub': 'https://${Api}.execute-api.${AWS::Region}.amazonaws.com/prod' } } } }),
      Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'h', ProtocolType: 'HTTP' } },
      HttpIntegration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Http' }, IntegrationType: 'AWS_PROXY', IntegrationUri: { 'Fn::GetAtt': ['Worker', 'Arn'] }, PayloadFormatVersion: '2.0' } },
    });
    expect(stack.notEmulatedPaths!.map(notEmulatedPathText)).toEqual([
      'SQS queue Queue → Worker (its event source mapping will not poll the queue here)',
      "DynamoDB stream Table → Fn (the stream's records will not invoke it here)",
      'schedule Nightly → Worker (its schedule will not invoke it here)',
      'HTTP API Http → Worker (its requests are not served here)',
    ]);
    // Worker is given the WebSocket API (the endpoint it posts to); Fn runs here by its route
    expect(stack.notEmulatedPaths!.map((p) => [p.function, p.fansOut ?? false, p.runsHere ?? false])).toEqual([
      ['Worker', true, false],
      ['Fn', false, true],
      ['Worker', true, false],
      ['Worker', true, false],
    ]);
  });

  it("SAM's events: the fixture stack's SNS event names its topic and the function that posts", async () => {
    const template = resolve(import.meta.dirname, '../fixtures/stacks/sns-fanout/template.yaml');
    const stack = await readTemplateStack({ path: template, parameters: {}, region: 'us-east-1', accountId: '123456789012', apiId: 'abcdef1234', workDir: join(dir, 'sam') });
    expect(stack.notEmulatedPaths).toEqual([
      { kind: 'trigger', source: 'SNS topic', resource: 'Alerts', function: 'FanoutFunction', functionName: expect.stringMatching(/^sns-fanout-FanoutFunction-\w+$/), fansOut: true, text: "its subscription's deliveries will not run here" },
    ]);
  });

  it('a stack with none lists none', async () => {
    expect((await read({})).notEmulatedPaths).toEqual([]);
  });
});
