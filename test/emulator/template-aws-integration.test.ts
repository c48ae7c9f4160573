import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StackDescription } from '../../emulator/stack-model/stack-description.ts';
import { readTemplateStack } from '../../emulator/stack-model/template-reader.ts';

/**
 * WebSocket routes whose integration is `AWS` (issue 60): the shape of AWS's serverless pattern
 * "apigw-websocket-api-sqs-lambda" (aws-samples/serverless-patterns: a $default route sending each
 * frame to a FIFO queue through a request template, a function consuming the queue), written
 * again here; and SNS Publish and EventBridge PutEvents routes with a route response and an
 * integration response. Each becomes an AwsRouteDescription with its role, parameters and templates.
 */
const dir = mkdtempSync(join(tmpdir(), 'template-aws-integration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SQS_PATTERN = `
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: { CodeUri: ./src, Runtime: nodejs20.x, Timeout: 15 }
Resources:
  WsApi:
    Type: AWS::ApiGatewayV2::Api
    Properties: { Name: ws-sqs, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action }
  WsStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: { ApiId: !Ref WsApi, StageName: production, AutoDeploy: true }
  FrameQueue:
    Type: AWS::SQS::Queue
    Properties: { FifoQueue: true, QueueName: ws-frames.fifo }
  GatewayToQueueRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{ Action: sts:AssumeRole, Effect: Allow, Principal: { Service: apigateway.amazonaws.com } }]
      Policies:
        - PolicyName: send
          PolicyDocument:
            Statement: [{ Action: sqs:SendMessage, Effect: Allow, Resource: !GetAtt FrameQueue.Arn }]
  QueueIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref WsApi
      IntegrationType: AWS
      ConnectionType: INTERNET
      CredentialsArn: !GetAtt GatewayToQueueRole.Arn
      IntegrationMethod: POST
      IntegrationUri: !Join ['', ['arn:aws:apigateway:', !Ref AWS::Region, ':sqs:path/', !Ref AWS::AccountId, '/', !GetAtt FrameQueue.QueueName]]
      PassthroughBehavior: NEVER
      RequestParameters:
        integration.request.header.Content-Type: "'application/x-www-form-urlencoded'"
      RequestTemplates:
        $default: Action=SendMessage&MessageGroupId=$input.path('$.group')&MessageDeduplicationId=$context.requestId&MessageBody=$util.urlEncode($input.json('$'))
      TemplateSelectionExpression: \\$default
  DefaultRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: { ApiId: !Ref WsApi, RouteKey: $default, Target: !Join ['', [integrations/, !Ref QueueIntegration]] }
  Responder:
    Type: AWS::Serverless::Function
    Properties:
      Handler: responder.handler
      Environment:
        Variables:
          ENDPOINT: !Sub '\${WsApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/production'
  ResponderFromQueue:
    Type: AWS::Lambda::EventSourceMapping
    Properties: { FunctionName: !Ref Responder, Enabled: true, EventSourceArn: !GetAtt FrameQueue.Arn }
`;

async function read(text: string, name: string): Promise<StackDescription> {
  const project = join(dir, name);
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'src', 'responder.js'), 'exports.handler = async () => ({});\n');
  writeFileSync(join(project, 'template.yaml'), text);
  return readTemplateStack({ path: join(project, 'template.yaml'), parameters: {}, region: 'us-east-1', accountId: '123456789012', apiId: 'abcdef1234', workDir: join(project, 'work') });
}

describe('AWS integrations on WebSocket routes', () => {
  it('the SQS FIFO pattern: $default to the queue through a template, the queue to a function', async () => {
    const d = await read(SQS_PATTERN, 'ws-sqs');
    expect(d.routes).toEqual([]);
    expect(d.awsRoutes).toEqual([
      {
        logicalId: 'DefaultRoute',
        routeKey: '$default',
        integrationId: 'QueueIntegration',
        integrationUri: 'arn:aws:apigateway:us-east-1:sqs:path/123456789012/ws-frames.fifo',
        integrationMethod: 'POST',
        credentials: expect.objectContaining({ arn: expect.stringMatching(/^arn:aws:iam::123456789012:role\/ws-sqs-GatewayToQueueRole-/), statements: [expect.objectContaining({ effect: 'Allow', action: ['sqs:SendMessage'], resource: ['arn:aws:sqs:us-east-1:123456789012:ws-frames.fifo'] })] }),
        requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
        requestTemplates: { $default: "Action=SendMessage&MessageGroupId=$input.path('$.group')&MessageDeduplicationId=$context.requestId&MessageBody=$util.urlEncode($input.json('$'))" },
        templateSelectionExpression: '\\$default',
        passthroughBehavior: 'NEVER',
        twoWay: false,
      },
    ]);
    expect(d.queues).toEqual([expect.objectContaining({ logicalId: 'FrameQueue', name: 'ws-frames.fifo', fifo: true })]);
    expect(d.eventSourceMappings).toEqual([expect.objectContaining({ logicalId: 'ResponderFromQueue', kind: 'sqs', batchSize: 10, functionName: expect.stringMatching(/^ws-sqs-Responder-/) })]);
    expect(d.functions.map((f) => f.logicalId)).toEqual(['Responder']);
    // the API Gateway role is read (enforced by emulator/iam), nothing left over
    expect(d.notEmulated).toEqual([]);
    expect(d.notEmulatedPaths).toEqual([]);
  });

  it('SNS Publish and EventBridge PutEvents routes; a route response makes one two-way with its integration response', async () => {
    const text = SQS_PATTERN.replace(
      '  DefaultRoute:',
      `  Alerts:
    Type: AWS::SNS::Topic
  PublishIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref WsApi
      IntegrationType: AWS
      IntegrationMethod: POST
      IntegrationUri: !Sub arn:aws:apigateway:\${AWS::Region}:sns:action/Publish
      CredentialsArn: arn:aws:iam::123456789012:role/outside
      RequestParameters:
        integration.request.querystring.TopicArn: !Sub "'\${Alerts}'"
        integration.request.querystring.Message: route.request.body.message
  PublishRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: { ApiId: !Ref WsApi, RouteKey: publish, Target: !Sub 'integrations/\${PublishIntegration}', RouteResponseSelectionExpression: $default }
  PublishRouteResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties: { ApiId: !Ref WsApi, RouteId: !Ref PublishRoute, RouteResponseKey: $default }
  PublishIntegrationResponse:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties:
      ApiId: !Ref WsApi
      IntegrationId: !Ref PublishIntegration
      IntegrationResponseKey: $default
      ResponseTemplates: { $default: '{"published": "$input.path(''$.PublishResponse.PublishResult.MessageId'')"}' }
  EventsIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref WsApi
      IntegrationType: AWS
      IntegrationMethod: POST
      IntegrationUri: !Sub arn:aws:apigateway:\${AWS::Region}:events:action/PutEvents
      RequestParameters: { integration.request.header.X-Amz-Target: "'AWSEvents.PutEvents'", integration.request.header.Content-Type: "'application/x-amz-json-1.1'" }
      RequestTemplates: { $default: '{"Entries":[{"Source":"chat","DetailType":"frame","Detail":"$util.escapeJavaScript($input.body)"}]}' }
  EventsRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: { ApiId: !Ref WsApi, RouteKey: event, Target: !Sub 'integrations/\${EventsIntegration}' }
  DefaultRoute:`,
    );
    const d = await read(text, 'ws-many');
    const byKey = Object.fromEntries(d.awsRoutes!.map((r) => [r.routeKey, r]));
    expect(Object.keys(byKey).sort()).toEqual(['$default', 'event', 'publish']);
    expect(byKey.publish).toMatchObject({
      integrationUri: 'arn:aws:apigateway:us-east-1:sns:action/Publish',
      credentials: { arn: 'arn:aws:iam::123456789012:role/outside', external: true },
      requestParameters: { 'integration.request.querystring.TopicArn': `'${d.topics![0]!.arn}'`, 'integration.request.querystring.Message': 'route.request.body.message' },
      passthroughBehavior: 'WHEN_NO_MATCH',
      twoWay: true,
      responseTemplates: { $default: `{"published": "$input.path('$.PublishResponse.PublishResult.MessageId')"}` },
    });
    expect(byKey.event).toMatchObject({ integrationUri: 'arn:aws:apigateway:us-east-1:events:action/PutEvents', twoWay: false, requestTemplates: { $default: expect.stringContaining('"Entries"') } });
    expect(byKey.event!.credentials).toBeUndefined();
    expect(d.notEmulated).toEqual([]);
  });
});
