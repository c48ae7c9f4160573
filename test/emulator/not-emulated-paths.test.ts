import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notEmulatedPathText } from '../../common/not-emulated-paths.ts';
import { readTemplateStack } from '../../emulator/stack-model/template-reader.ts';
import { inlineFunction, websocketTemplates } from './websocket-template.ts';

/**
 * Every path into a function that the emulator does not run (issue 59), read from the template:
 * Kinesis mappings, schedules, other SNS protocols, rule targets of other services, pipes, an HTTP
 * API's integrations, and SAM's events of those kinds; each names the function it would invoke and
 * whether the template says that function posts to @connections. What runs since issue 60 (SNS
 * subscriptions to functions and queues, SQS and DynamoDB stream mappings, rules with patterns) is
 * not listed.
 */
const { read, dir } = websocketTemplates('not-emulated-paths-');
const inline = inlineFunction;

describe('paths the emulator does not run', () => {
  it('an SNS subscription to a function runs (not listed); one by email is named', async () => {
    const stack = await read({
      Topic: { Type: 'AWS::SNS::Topic' },
      Sub: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'lambda', TopicArn: { Ref: 'Topic' }, Endpoint: { 'Fn::GetAtt': ['Fanout', 'Arn'] } } },
      Mail: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'email', TopicArn: { Ref: 'Topic' }, Endpoint: 'ops@example.com' } },
      Fanout: inline({ Role: { 'Fn::GetAtt': ['FanoutRole', 'Arn'] } }),
      FanoutRole: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: {}, Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'execute-api:ManageConnections', Resource: '*' }] } }] },
      },
    });
    expect(stack.notEmulatedPaths).toEqual([{ kind: 'trigger', source: 'SNS topic', resource: 'Topic', text: 'its email subscription Mail will not be delivered here' }]);
    expect(notEmulatedPathText(stack.notEmulatedPaths![0]!)).toBe('SNS topic Topic (its email subscription Mail will not be delivered here)');
    // the subscribed function runs: it is read, and the topic delivers to it
    expect(stack.functions.map((f) => f.logicalId).sort()).toEqual(['Fanout', 'Fn']);
    expect(stack.topics![0]!.subscriptions.map((s) => [s.logicalId, s.protocol])).toEqual([['Sub', 'lambda'], ['Mail', 'email']]);
  });

  it('SQS and DynamoDB stream mappings run; a Kinesis mapping, a schedule and an HTTP API integration are listed; a function that runs here is marked so', async () => {
    const stack = await read({
      Queue: { Type: 'AWS::SQS::Queue' },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST', StreamSpecification: { StreamViewType: 'NEW_IMAGE' } } },
      FromQueue: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] }, FunctionName: { Ref: 'Worker' } } },
      FromStream: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] }, FunctionName: { Ref: 'Fn' }, StartingPosition: 'LATEST' } },
      Nightly: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 day)', Targets: [{ Id: 't', Arn: { 'Fn::GetAtt': ['Worker', 'Arn'] } }] } },
      Stream: { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: 1 } },
      FromKinesis: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: { 'Fn::GetAtt': ['Stream', 'Arn'] }, FunctionName: { Ref: 'Worker' }, StartingPosition: 'LATEST' } },
      Worker: inline({ Environment: { Variables: { CALLBACK: { 'Fn::Sub': 'https://${Api}.execute-api.${AWS::Region}.amazonaws.com/prod' } } } }),
      Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'h', ProtocolType: 'HTTP' } },
      HttpIntegration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Http' }, IntegrationType: 'AWS_PROXY', IntegrationUri: { 'Fn::GetAtt': ['Worker', 'Arn'] }, PayloadFormatVersion: '2.0' } },
    });
    expect(stack.notEmulatedPaths!.map(notEmulatedPathText)).toEqual([
      'schedule Nightly → Worker (its schedule will not invoke it here)',
      "Kinesis stream Stream → Worker (the stream's records will not invoke it here)",
      'HTTP API Http → Worker (its requests are not served here)',
    ]);
    // Worker is given the WebSocket API (the endpoint it posts to), and runs here by its queue's mapping
    expect(stack.notEmulatedPaths!.map((p) => [p.function, p.fansOut ?? false, p.runsHere ?? false])).toEqual([
      ['Worker', true, true],
      ['Worker', true, true],
      ['Worker', true, true],
    ]);
    expect(stack.eventSourceMappings!.map((m) => [m.logicalId, m.kind])).toEqual([
      ['FromQueue', 'sqs'],
      ['FromStream', 'dynamodb-stream'],
    ]);
    expect(stack.notEmulated.map((n) => n.logicalId)).toEqual(expect.arrayContaining(['Stream', 'FromKinesis']));
    expect(stack.notEmulated.map((n) => n.logicalId)).not.toContain('FromQueue');
  });

  it("a rule's target of another service, a pipe, and a FIFO queue's high-throughput mode are named", async () => {
    const stack = await read({
      Rule: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { source: ['app'] }, Targets: [{ Id: 'sfn', Arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:flow' }, { Id: 'fn', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }] } },
      Pipe: { Type: 'AWS::Pipes::Pipe', Properties: { RoleArn: 'arn:aws:iam::123456789012:role/p', Source: { 'Fn::GetAtt': ['Jobs', 'Arn'] }, Target: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
      Jobs: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true, DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' } },
    });
    expect(stack.notEmulatedPaths!.map(notEmulatedPathText)).toEqual([
      'EventBridge rule Rule (its states target will not be invoked here)',
      'EventBridge pipe Pipe → Fn (the pipe will not run here)',
      'SQS queue Jobs (it runs as a plain FIFO queue: high-throughput mode (DeduplicationScope, FifoThroughputLimit) is not emulated)',
    ]);
    expect(stack.rules![0]!.targets.map((t) => t.id)).toEqual(['fn']);
    expect(stack.queues![0]).toMatchObject({ logicalId: 'Jobs', fifo: true, highThroughput: true, name: expect.stringMatching(/-Jobs-[A-Z0-9]{13}\.fifo$/) });
  });

  it("SAM's events: the fixture stack's SNS event now runs (its subscription read, nothing listed)", async () => {
    const template = resolve(import.meta.dirname, '../fixtures/stacks/sns-fanout/template.yaml');
    const stack = await readTemplateStack({ path: template, parameters: {}, region: 'us-east-1', accountId: '123456789012', apiId: 'abcdef1234', workDir: join(dir, 'sam') });
    expect(stack.notEmulatedPaths).toEqual([]);
    expect(stack.topics![0]!.subscriptions).toEqual([
      { logicalId: 'FanoutFunctionAlert', protocol: 'lambda', endpoint: expect.stringMatching(/:function:sns-fanout-FanoutFunction-\w+$/), filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false },
    ]);
  });

  it('a stack with none lists none', async () => {
    expect((await read({})).notEmulatedPaths).toEqual([]);
  });
});
