import { CloudFormationClient, ListStackResourcesCommand, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { emulatorSettings } from '../../src/aws/sdk-settings.ts';
import { resolveHttpRoute } from '../../src/session/publish-http-route.ts';
import { inlineFunction, lambdaUri, websocketTemplates } from '../emulator/websocket-template.ts';

/**
 * A publish phase's route named by its logical id (`to: NotifyRoute`), resolved as before load
 * through the emulator's CloudFormation and API Gateway v2 endpoints with the real SDK: the
 * stack's AWS::ApiGatewayV2::Route of that logical id is its API's route of that id, sent to its
 * own path (`ANY` as a POST); a route with path variables, a logical id of something else, one the
 * stack lacks: one line naming the field and what the stack has.
 */
const { read } = websocketTemplates('fb-publish-route-id-');
const FIELD = 'scenario.yaml: phases[1].publish.to';
const route = (key: string) => ({ Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Http' }, RouteKey: key, Target: { 'Fn::Sub': 'integrations/${HttpEcho}' } } });

let stack: RunningStack;
let resources: StackResourceSummary[];
beforeAll(async () => {
  const described = await read({
    Echo: inlineFunction(),
    Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'routes', ProtocolType: 'HTTP' } },
    HttpStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Http' }, StageName: 'live' } },
    HttpEcho: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Http' }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaUri('Echo'), PayloadFormatVersion: '2.0' } },
    NotifyRoute: route('POST /notify'),
    AnyRoute: route('ANY /broadcast'),
    RoomRoute: route('POST /rooms/{room}/notify'),
  });
  stack = await startStack({ config: defaultStackConfig({ lambda: { preparedPerFunction: 0 } }), stack: described, log: () => {} });
  const cfn = new CloudFormationClient({ endpoint: stack.ready.cloudformationEndpoint, region: stack.ready.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    resources = (await cfn.send(new ListStackResourcesCommand({ StackName: stack.ready.stackName }))).StackResourceSummaries ?? [];
  } finally {
    cfn.destroy();
  }
});
afterAll(() => stack?.close());

const resolve = (logicalId: string) => {
  const settings = emulatorSettings(stack.ready.awsEndpointUrls.AWS_ENDPOINT_URL_APIGATEWAYV2!, stack.ready.region);
  return resolveHttpRoute({ kind: 'route-id', logicalId }, undefined, { resources, settings: { v1: settings, v2: settings }, field: FIELD, where: 'stack s' });
};

describe("a publish phase's route named by its logical id", () => {
  it("is sent to the route's own path on the API's stage; ANY as a POST", async () => {
    const api = stack.ready.httpApis!.find((a) => a.name === 'routes')!;
    expect(await resolve('NotifyRoute')).toEqual({ url: `${api.url}/notify`, method: 'POST', label: `HTTP API routes route POST /notify (${api.url}/notify)`, stage: { kind: 'HTTP API', apiId: api.apiId, stage: api.stage } });
    expect(await resolve('AnyRoute')).toMatchObject({ url: `${api.url}/broadcast`, method: 'POST' });
  });

  it('refuses a route with path variables, a logical id of another type and one the stack lacks, in one line each', async () => {
    await expect(resolve('RoomRoute')).rejects.toThrow(new UserError(`${FIELD}: route RoomRoute of HTTP API routes is POST /rooms/{room}/notify, which names no one request with a body: name the method and path to send to (to: POST /rooms/lobby/notify)`));
    await expect(resolve('Echo')).rejects.toThrow(/^scenario\.yaml: phases\[1\]\.publish\.to: Echo is no route of stack s \(it is AWS::Lambda::Function\): name an AWS::ApiGatewayV2::Route by its logical id \(.*NotifyRoute.*\), or the route as METHOD \/path$/);
    await expect(resolve('Nowhere')).rejects.toThrow(/Nowhere is no route of stack s: name an AWS::ApiGatewayV2::Route by its logical id/);
  });
});
