import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import type { StackDescription } from '../../emulator/stack-model/stack-description.ts';
import { readTemplateStack } from '../../emulator/stack-model/template-reader.ts';
import { stackResources } from '../../emulator/cloudformation/stack-resources.ts';

/**
 * A SAM function's SQS, SNS (to the function, and through a queue with SqsSubscription),
 * DynamoDB, EventBridgeRule and CloudWatchEvent events, its EventInvokeConfig and DeadLetterQueue,
 * read as the SAM transform expands them (issue 60): the queues, subscriptions, rules and mappings
 * SAM makes, with SAM's logical ids, run; a Schedule event stays not emulated.
 */
const dir = mkdtempSync(join(tmpdir(), 'template-fanout-sam-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEMPLATE = `
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
    CodeUri: src/
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: { Name: chat, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action }
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: { ApiId: !Ref Api, RouteKey: $default, Target: !Sub 'integrations/\${Integration}' }
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${SendFunction.Arn}/invocations
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: { ApiId: !Ref Api, StageName: prod }
  Jobs:
    Type: AWS::SQS::Queue
  Alerts:
    Type: AWS::SNS::Topic
  Ordered:
    Type: AWS::SNS::Topic
    Properties: { FifoTopic: true }
  Messages:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      BillingMode: PAY_PER_REQUEST
      StreamSpecification: { StreamViewType: NEW_IMAGE }
  Failures:
    Type: AWS::SQS::Queue
  SendFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: send.handler
  FanoutFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: fanout.handler
      DeadLetterQueue: { Type: SQS, TargetArn: !GetAtt Failures.Arn }
      EventInvokeConfig:
        MaximumRetryAttempts: 0
        MaximumEventAgeInSeconds: 120
        DestinationConfig:
          OnFailure: { Type: SQS }
          OnSuccess: { Type: Lambda, Destination: !GetAtt SendFunction.Arn }
      Events:
        FromJobs:
          Type: SQS
          Properties: { Queue: !GetAtt Jobs.Arn, BatchSize: 5, FunctionResponseTypes: [ReportBatchItemFailures] }
        Alert:
          Type: SNS
          Properties:
            Topic: !Ref Alerts
            FilterPolicy: { severity: [high] }
            FilterPolicyScope: MessageAttributes
        Queued:
          Type: SNS
          Properties: { Topic: !Ref Ordered, SqsSubscription: true }
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Messages.StreamArn
            StartingPosition: LATEST
            BatchSize: 50
            DestinationConfig: { OnFailure: { Type: SQS, Destination: !GetAtt Failures.Arn } }
        Orders:
          Type: EventBridgeRule
          Properties:
            Pattern: { source: [shop] }
            InputPath: $.detail
            RetryPolicy: { MaximumRetryAttempts: 3 }
            DeadLetterConfig: { Type: SQS }
        Legacy:
          Type: CloudWatchEvent
          Properties:
            Pattern: { source: [legacy] }
            Target: { Id: legacy-target }
            Input: '{"legacy":true}'
            Enabled: false
        Nightly:
          Type: Schedule
          Properties: { Schedule: rate(1 day) }
`;

async function read(text: string, name: string, parameters: Record<string, string> = {}): Promise<StackDescription> {
  const project = join(dir, name);
  mkdirSync(join(project, 'src'), { recursive: true });
  for (const f of ['send', 'fanout']) writeFileSync(join(project, 'src', `${f}.js`), 'exports.handler = async () => ({ statusCode: 200 });\n');
  writeFileSync(join(project, 'template.yaml'), text);
  return readTemplateStack({ path: join(project, 'template.yaml'), parameters, region: 'us-east-1', accountId: '123456789012', apiId: 'abcdef1234', workDir: join(project, 'work') });
}

describe("a SAM function's fan-out events", () => {
  let d: StackDescription;
  beforeAll(async () => {
    d = await read(TEMPLATE, 'sam');
  });
  const fanout = () => d.functions.find((f) => f.logicalId === 'FanoutFunction')!;
  const queue = (id: string) => d.queues!.find((q) => q.logicalId === id)!;

  it('SQS and DynamoDB events become event source mappings named {Function}{Event}', () => {
    expect(d.eventSourceMappings).toEqual([
      expect.objectContaining({ logicalId: 'FanoutFunctionFromJobs', functionName: fanout().name, kind: 'sqs', sourceArn: queue('Jobs').arn, batchSize: 5, reportBatchItemFailures: true, enabled: true }),
      // SqsSubscription: SAM's mapping from the queue it makes, batch 10
      expect.objectContaining({ logicalId: 'FanoutFunctionQueuedEventSourceMapping', kind: 'sqs', sourceArn: queue('FanoutFunctionQueuedQueue').arn, batchSize: 10, enabled: true }),
      expect.objectContaining({
        logicalId: 'FanoutFunctionChanges',
        kind: 'dynamodb-stream',
        sourceArn: d.tables.find((t) => t.logicalId === 'Messages')!.stream!.arn,
        startingPosition: 'LATEST',
        batchSize: 50,
        onFailure: queue('Failures').arn,
      }),
    ]);
  });

  it('SNS events become subscriptions: to the function, and through the FIFO queue SAM makes for a FIFO topic', () => {
    const alerts = d.topics!.find((t) => t.logicalId === 'Alerts')!;
    expect(alerts.subscriptions).toEqual([
      { logicalId: 'FanoutFunctionAlert', protocol: 'lambda', endpoint: expect.stringMatching(/:function:sam-FanoutFunction-/), filterPolicy: { severity: ['high'] }, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false },
    ]);
    const ordered = d.topics!.find((t) => t.logicalId === 'Ordered')!;
    expect(ordered).toMatchObject({ fifo: true, name: expect.stringMatching(/\.fifo$/) });
    expect(ordered.subscriptions).toEqual([expect.objectContaining({ logicalId: 'FanoutFunctionQueued', protocol: 'sqs', endpoint: queue('FanoutFunctionQueuedQueue').arn })]);
    expect(queue('FanoutFunctionQueuedQueue')).toMatchObject({ fifo: true, name: expect.stringMatching(/\.fifo$/) });
  });

  it('EventBridgeRule and CloudWatchEvent events become rules targeting the function, with a dead-letter queue SAM makes', () => {
    expect(d.rules).toEqual([
      {
        logicalId: 'FanoutFunctionOrders',
        name: expect.stringMatching(/^sam-FanoutFunctionOrders-/),
        arn: expect.stringMatching(/^arn:aws:events:us-east-1:123456789012:rule\/sam-FanoutFunctionOrders-/),
        busName: 'default',
        eventPattern: { source: ['shop'] },
        state: 'ENABLED',
        targets: [{ id: 'FanoutFunctionOrdersLambdaTarget', arn: expect.stringMatching(/:function:sam-FanoutFunction-/), inputPath: '$.detail', retryPolicy: { maximumRetryAttempts: 3 }, deadLetterArn: queue('FanoutFunctionOrdersQueue').arn }],
      },
      expect.objectContaining({ logicalId: 'FanoutFunctionLegacy', state: 'DISABLED', targets: [expect.objectContaining({ id: 'legacy-target', input: '{"legacy":true}' })] }),
    ]);
  });

  it('EventInvokeConfig and DeadLetterQueue set the asynchronous invocation, the OnFailure queue made by SAM', () => {
    expect(fanout().asyncInvoke).toEqual({
      maximumRetryAttempts: 0,
      maximumEventAgeSeconds: 120,
      onSuccess: expect.stringMatching(/:function:sam-SendFunction-/),
      onFailure: queue('FanoutFunctionEventInvokeConfigOnFailureQueue').arn,
      deadLetterArn: queue('Failures').arn,
    });
  });

  it('a Schedule stays not emulated; what SAM makes for the others is read (the permissions too)', () => {
    expect(d.notEmulated).toEqual([{ logicalId: 'FanoutFunctionNightly', type: 'AWS::Serverless::Function event Schedule' }]);
    expect(d.notEmulatedPaths!.map((p) => [p.source, p.resource, p.function])).toEqual([['schedule', 'FanoutFunctionNightly', 'FanoutFunction']]);
    expect(d.invokePermissions!.map((p) => [p.logicalId, p.principal])).toEqual([
      ['FanoutFunctionAlertPermission', 'sns.amazonaws.com'],
      ['FanoutFunctionOrdersPermission', 'events.amazonaws.com'],
      ['FanoutFunctionLegacyPermission', 'events.amazonaws.com'],
    ]);
    expect(d.functions.map((f) => f.logicalId).sort()).toEqual(['FanoutFunction', 'SendFunction']);
  });

  it('explicit names are kept, with Globals and through !Sub, on what runs and on what is only listed (ListStackResources too)', async () => {
    // the fixture's header (its Globals give Runtime and CodeUri) and API
    const named = `${TEMPLATE.split('  Jobs:')[0]}  Jobs:
    Type: AWS::SQS::Queue
    Properties: { QueueName: jobs-queue }
  Alerts:
    Type: AWS::SNS::Topic
    Properties: { TopicName: alerts-topic }
  Bus:
    Type: AWS::Events::EventBus
    Properties: { Name: chat-bus }
  Orders:
    Type: AWS::Events::Rule
    Properties:
      Name: orders-rule
      EventBusName: !Ref Bus
      EventPattern: { source: [shop] }
      Targets: [{ Id: q, Arn: !GetAtt Jobs.Arn }]
  Rooms:
    Type: AWS::Serverless::SimpleTable
    Properties: { TableName: rooms-table }
  SendFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: send.handler
      FunctionName: !Sub '\${AWS::StackName}-send'
      Events:
        FromJobs: { Type: SQS, Properties: { Queue: !GetAtt Jobs.Arn } }
  CreateTestJwt:
    Type: AWS::Serverless::Function
    Properties:
      Handler: fanout.handler
      FunctionName: CreateTestJwt
`;
    const x = await read(named, 'named');
    expect(x.functions.map((f) => [f.logicalId, f.name])).toEqual([['SendFunction', 'named-send']]);
    expect([x.queues![0]!.name, x.topics![0]!.name, x.eventBuses![0]!.name, x.rules![0]!.name, x.tables[0]!.definition.TableName]).toEqual(['jobs-queue', 'alerts-topic', 'chat-bus', 'orders-rule', 'rooms-table']);
    // a function nothing invokes offline is listed, not run: under its own name, as CloudFormation lists it
    expect(x.notEmulated).toContainEqual({ logicalId: 'CreateTestJwt', type: 'AWS::Lambda::Function', physicalId: 'CreateTestJwt' });
    const physical = Object.fromEntries(stackResources(x, 'abcdef1234').map((r) => [r.logicalId, r.physicalId]));
    expect(physical).toMatchObject({ CreateTestJwt: 'CreateTestJwt', SendFunction: 'named-send', Bus: 'chat-bus', Orders: 'chat-bus|orders-rule', Rooms: 'rooms-table' });
    expect(physical.CreateTestJwtRole).toMatch(/^named-CreateTestJwtRole-[A-Z0-9]{13}$/);
  });

  it("an event missing what SAM requires is refused, naming it", async () => {
    const bad = TEMPLATE.replace(/ *Stream: !GetAtt Messages.StreamArn\n/, '');
    await expect(read(bad, 'bad')).rejects.toThrow(UserError);
    await expect(read(bad, 'bad2')).rejects.toThrow(/resource FanoutFunction property Events\.Changes\.Properties\.Stream: missing: a DynamoDB event needs it$/);
  });

  it("a topic the account has outside the stack, named by a parameter's ARN (a public SNS-to-WebSocket stack's shape), runs with its subscription; one of another account does not", async () => {
    const external = `
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  BroadcastTopic: { Type: String }
  PartnerTopic: { Type: String }
Resources:
${TEMPLATE.split('Resources:\n')[1]!.split('  Jobs:')[0]}  FanoutFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      CodeUri: src/
      Handler: fanout.handler
      Events:
        Broadcast: { Type: SNS, Properties: { Topic: !Ref BroadcastTopic } }
        Partner: { Type: SNS, Properties: { Topic: !Ref PartnerTopic } }
  SendFunction:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs22.x, CodeUri: src/, Handler: send.handler }
`;
    const x = await read(external, 'external', { BroadcastTopic: 'arn:aws:sns:us-east-1:123456789012:broadcast', PartnerTopic: 'arn:aws:sns:us-east-1:999999999999:partner' });
    expect(x.topics).toEqual([
      {
        logicalId: 'broadcast',
        name: 'broadcast',
        arn: 'arn:aws:sns:us-east-1:123456789012:broadcast',
        fifo: false,
        contentBasedDeduplication: false,
        outsideStack: true,
        subscriptions: [expect.objectContaining({ logicalId: 'FanoutFunctionBroadcast', protocol: 'lambda', endpoint: expect.stringMatching(/:function:external-FanoutFunction-/) })],
      },
    ]);
    // the fan-out function runs (a topic reaches it); the account's topic is no resource of the stack
    expect(x.functions.map((f) => f.logicalId).sort()).toEqual(['FanoutFunction', 'SendFunction']);
    expect(stackResources(x, 'abcdef1234').filter((r) => r.type === 'AWS::SNS::Topic')).toEqual([]);
    expect(x.notEmulated.map((n) => n.logicalId)).toContain('FanoutFunctionPartner');
  });
});
