import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { RunningStack } from '../../emulator/stack.ts';
import { inlineFunction, lambdaUri } from './websocket-template.ts';

/**
 * An HTTP API and a REST API of one Lambda (`Echo`: 201 "twelve bytes", a throw on `/broken`), each
 * stage logging in the format given, for the tests of their access logs (the emulator's, and the
 * run's own publish stages'), and what a log group of the stack holds. Merged into
 * websocketTemplates' base template.
 */
export const ECHO = `exports.handler = async (event) => {
  if ((event.rawPath ?? event.path).endsWith('/broken')) throw new Error('boom');
  return { statusCode: 201, headers: { 'content-type': 'text/plain' }, body: 'twelve bytes' };
};`;
export const KEY_VALUE = 'access-log-key-value-0123456789abcdef';
export const permission = (api: string) => ({
  Type: 'AWS::Lambda::Permission',
  Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'Echo' }, Principal: 'apigateway.amazonaws.com', SourceArn: { 'Fn::Sub': `arn:aws:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${api}}/*` } },
});
export const logGroup = (name: string) => ({ Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: name } });

/** An HTTP API with two routes on a `$default` stage logging in `format`. */
export const httpApi = (format: string) => ({
  Echo: inlineFunction({ Code: { ZipFile: ECHO } }),
  HttpLogs: logGroup('/access/http'),
  Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'logged-http', ProtocolType: 'HTTP' } },
  HttpStage: {
    Type: 'AWS::ApiGatewayV2::Stage',
    Properties: { ApiId: { Ref: 'Http' }, StageName: '$default', AutoDeploy: true, AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': ['HttpLogs', 'Arn'] }, Format: format } },
  },
  HttpEcho: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Http' }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaUri('Echo'), PayloadFormatVersion: '2.0' } },
  Notify: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Http' }, RouteKey: 'POST /notify', Target: { 'Fn::Sub': 'integrations/${HttpEcho}' } } },
  Broken: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Http' }, RouteKey: 'GET /broken', Target: { 'Fn::Sub': 'integrations/${HttpEcho}' } } },
  HttpPermission: permission('Http'),
});

/** A REST API: POST /items needing an API key of a usage plan, its stage `dev` logging in `format`. */
export const restApi = (format: string) => ({
  Echo: inlineFunction({ Code: { ZipFile: ECHO } }),
  RestLogs: logGroup('/access/rest'),
  Rest: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'logged-rest' } },
  Items: { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: { Ref: 'Rest' }, ParentId: { 'Fn::GetAtt': ['Rest', 'RootResourceId'] }, PathPart: 'items' } },
  ItemsPost: {
    Type: 'AWS::ApiGateway::Method',
    Properties: {
      RestApiId: { Ref: 'Rest' },
      ResourceId: { Ref: 'Items' },
      HttpMethod: 'POST',
      AuthorizationType: 'NONE',
      ApiKeyRequired: true,
      Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: lambdaUri('Echo') },
    },
  },
  RestDeployment: { Type: 'AWS::ApiGateway::Deployment', DependsOn: 'ItemsPost', Properties: { RestApiId: { Ref: 'Rest' } } },
  DevStage: {
    Type: 'AWS::ApiGateway::Stage',
    Properties: { RestApiId: { Ref: 'Rest' }, DeploymentId: { Ref: 'RestDeployment' }, StageName: 'dev', AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': ['RestLogs', 'Arn'] }, Format: format } },
  },
  Plan: { Type: 'AWS::ApiGateway::UsagePlan', DependsOn: 'DevStage', Properties: { ApiStages: [{ ApiId: { Ref: 'Rest' }, Stage: 'dev' }] } },
  Key: { Type: 'AWS::ApiGateway::ApiKey', Properties: { Enabled: true, Value: KEY_VALUE } },
  PlanKey: { Type: 'AWS::ApiGateway::UsagePlanKey', Properties: { KeyId: { Ref: 'Key' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'Plan' } } },
  RestPermission: permission('Rest'),
});


/** Every message of a log group of the stack, through CloudWatch Logs' FilterLogEvents. */
export async function messages(stack: RunningStack, group: string): Promise<string[]> {
  const logs = new CloudWatchLogsClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: stack.ready.cloudwatchEndpoint });
  try {
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: group }));
    return (out.events ?? []).map((e) => e.message!);
  } finally {
    logs.destroy();
  }
}
