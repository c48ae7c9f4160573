import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { emulatorSettings } from '../../src/aws/sdk-settings.ts';
import { pullPermissions } from '../../src/metrics/permissions/permissions-pull.ts';
import { connect, type TestClient } from '../fixtures/gateway/clients.ts';

// Permissions used beside permissions granted, through the real IAM, Access Analyzer and Lambda
// SDK clients against the emulator's edge: a function whose role allows `*` on `*` puts and deletes
// an item of one table and queries one index, and posts to its caller; its least privilege is
// exactly those four, and its `*` grant is named broader than its use.

const ACCOUNT = '123456789012';
const dir = mkdtempSync(join(tmpdir(), 'fb-permissions-'));
const TEMPLATE = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: { Name: perm, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action }
  WorkRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: { ApiId: !Ref Api, RouteKey: work, Target: !Join ['/', [integrations, !Ref WorkIntegration]] }
  WorkIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${WorkFunction.Arn}/invocations
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: { ApiId: !Ref Api, StageName: live, AutoDeploy: true }
  Members:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: members
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{ AttributeName: room, AttributeType: S }, { AttributeName: connectionId, AttributeType: S }]
      KeySchema: [{ AttributeName: room, KeyType: HASH }, { AttributeName: connectionId, KeyType: RANGE }]
      GlobalSecondaryIndexes:
        - IndexName: byConnection
          KeySchema: [{ AttributeName: connectionId, KeyType: HASH }]
          Projection: { ProjectionType: KEYS_ONLY }
  WorkFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: work
      Runtime: nodejs22.x
      Handler: index.handler
      Policies:
        - Statement: [{ Effect: Allow, Action: '*', Resource: '*' }]
      InlineCode: |
        const { DynamoDBClient, PutItemCommand, QueryCommand, DeleteItemCommand } = require('@aws-sdk/client-dynamodb');
        const { ApiGatewayManagementApiClient, PostToConnectionCommand } = require('@aws-sdk/client-apigatewaymanagementapi');
        const db = new DynamoDBClient({});
        exports.handler = async (event) => {
          const { connectionId, domainName, stage } = event.requestContext;
          const key = { room: { S: 'r1' }, connectionId: { S: connectionId } };
          await db.send(new PutItemCommand({ TableName: 'members', Item: key }));
          await db.send(new QueryCommand({ TableName: 'members', IndexName: 'byConnection', KeyConditionExpression: 'connectionId = :c', ExpressionAttributeValues: { ':c': { S: connectionId } } }));
          await db.send(new DeleteItemCommand({ TableName: 'members', Key: key }));
          await new ApiGatewayManagementApiClient({ endpoint: 'https://' + domainName + '/' + stage }).send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: JSON.stringify({ done: true }) }));
          return { statusCode: 200 };
        };
  WorkPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref WorkFunction
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:aws:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${Api}/*
`;

let stack: RunningStack;
let client: TestClient;
beforeAll(async () => {
  writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
  const config = defaultStackConfig({ template: { path: join(dir, 'template.yaml'), parameters: {} }, lambda: { preparedPerFunction: 0 }, accountId: ACCOUNT, iam: 'enforce' });
  stack = await startStack({ config, stack: (await describeStack(config)).stack, log: () => {} });
}, 60_000);
afterAll(async () => {
  client?.close();
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('permissions used beside permissions granted', () => {
  it("a role with * on *: its use, its least-privilege policy exactly, and * named broader than its use", { timeout: 30_000 }, async () => {
    const startMs = Date.now();
    client = await connect(stack.ready.websocketUrl);
    client.send({ action: 'work' });
    expect(await client.take((f) => f.done !== undefined)).toEqual({ done: true });
    const lambda = new LambdaClient(emulatorSettings(stack.ready.lambdaEndpoint, stack.ready.region));
    const section = await pullPermissions({
      functions: ['work'],
      lambda,
      iamApi: emulatorSettings(stack.ready.edgeEndpoint, stack.ready.region),
      window: { startMs, endMs: Date.now() },
      trail: { cloudTrailArn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/t`, accessRole: `arn:aws:iam::${ACCOUNT}:role/analyzer` },
      maxWaitMs: 5_000,
      pollMs: 50,
    });
    lambda.destroy();
    const table = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/members`;
    const posts = `arn:aws:execute-api:us-east-1:${ACCOUNT}:${stack.ready.apiId}/live/POST/@connections/*`;
    const [work] = section.functions;
    expect(work).toMatchObject({ function: 'work', role: expect.stringMatching(new RegExp(`^arn:aws:iam::${ACCOUNT}:role/`)), status: 'observed' });
    expect(work!.leastPrivilege).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['dynamodb:DeleteItem', 'dynamodb:PutItem'], Resource: table },
        { Effect: 'Allow', Action: 'dynamodb:Query', Resource: `${table}/index/byConnection` },
        { Effect: 'Allow', Action: 'execute-api:ManageConnections', Resource: posts },
        // Lambda writes the function's logs with its role: kept, though the code calls none of them
        { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/work:*` },
      ],
    });
    // the * statement and SAM's AWSLambdaBasicExecutionRole (logs on *) both cover more than was used; nothing is unused
    expect(work!.broader!.map((g) => g.source)).toEqual(['inline policy WorkFunctionRolePolicy0', ...['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'].map(() => 'AWS managed policy AWSLambdaBasicExecutionRole (v1)')]);
    expect(work!.unused).toEqual([]);
  });
});
