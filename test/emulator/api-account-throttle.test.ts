import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { connect, type TestClient } from '../fixtures/gateway/clients.ts';
import { inlineFunction, lambdaUri, websocketTemplates } from './websocket-template.ts';

/**
 * The account's throttle is one bucket for every API of the stack, as AWS throttles an account
 * per region across HTTP, REST and WebSocket APIs: with a burst of 2 refilled once in a thousand
 * seconds (so the host's pace cannot refill it), an HTTP API request and a REST API request take
 * it all; the next request to either API is 429 in its own words, and a WebSocket message, whose
 * stage bucket is still full, is throttled too.
 */
const { read } = websocketTemplates('fb-account-throttle-');
const permission = (api: string) => ({
  Type: 'AWS::Lambda::Permission',
  Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'Echo' }, Principal: 'apigateway.amazonaws.com', SourceArn: { 'Fn::Sub': `arn:aws:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${api}}/*` } },
});
const RESOURCES = {
  Echo: inlineFunction({ Code: { ZipFile: 'exports.handler = async () => ({ statusCode: 200, body: "ok" });' } }),
  Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'pool-http', ProtocolType: 'HTTP', Target: { 'Fn::GetAtt': ['Echo', 'Arn'] } } },
  HttpPermission: permission('Http'),
  Rest: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'pool-rest' } },
  RootPost: {
    Type: 'AWS::ApiGateway::Method',
    Properties: { RestApiId: { Ref: 'Rest' }, ResourceId: { 'Fn::GetAtt': ['Rest', 'RootResourceId'] }, HttpMethod: 'POST', AuthorizationType: 'NONE', Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: lambdaUri('Echo') } },
  },
  RestDeployment: { Type: 'AWS::ApiGateway::Deployment', DependsOn: 'RootPost', Properties: { RestApiId: { Ref: 'Rest' }, StageName: 'dev' } },
  RestPermission: permission('Rest'),
};

let stack: RunningStack;
let client: TestClient | undefined;
beforeAll(async () => {
  stack = await startStack({
    // the WebSocket stage's own bucket set apart from the account's, so only the account's can refuse its message
    config: defaultStackConfig({ accountId: '123456789012', limits: { accountRps: 0.001, accountBurst: 2, stageRps: 100, stageBurst: 100 }, lambda: { preparedPerFunction: 0 } }),
    stack: await read(RESOURCES),
    log: () => {},
  });
});
afterAll(async () => {
  client?.close();
  await stack?.close();
});

describe("the account's throttle", () => {
  it('is taken by HTTP API and REST API requests and WebSocket messages alike', async () => {
    const http = `${stack.ready.httpApis!.find((a) => a.name === 'pool-http')!.url}/`;
    const rest = `${stack.ready.restApis!.find((a) => a.name === 'pool-rest')!.stages[0]!.url}/`;
    expect((await fetch(http, { method: 'POST' })).status).toBe(200);
    expect((await fetch(rest, { method: 'POST' })).status).toBe(200);
    const [httpAfter, restAfter] = [await fetch(http, { method: 'POST' }), await fetch(rest, { method: 'POST' })];
    expect([httpAfter.status, await httpAfter.json()]).toEqual([429, { message: 'Too Many Requests' }]);
    expect([restAfter.status, restAfter.headers.get('x-amzn-errortype'), await restAfter.json()]).toEqual([429, 'TooManyRequestsException', { message: 'Too Many Requests' }]);
    client = await connect(stack.ready.websocketUrl);
    client.send({ action: 'anything' });
    expect(await client.nextJson()).toMatchObject({ message: 'Too Many Requests' });
  });
});
