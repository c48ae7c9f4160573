import { fileURLToPath } from 'node:url';
import { APIGatewayClient, GetApiKeyCommand, GetResourcesCommand, GetRestApisCommand, GetStagesCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { connect } from '../fixtures/gateway/clients.ts';

/**
 * The seed walkthrough's REST API run from its template (test/fixtures/stacks/rest-api-key): a
 * stack with no WebSocket API, a POST on /DynamoBackend to a Lambda proxy that writes a DynamoDB
 * table, its method requiring an API key of a usage plan. Without the key 403, with it the item
 * written (read back through the real DynamoDB SDK), past the plan's throttle 429; the output
 * naming the API's AWS URL answers the local one. The usage plan's burst is 2 and its rate one
 * request in a thousand seconds here, so the third keyed request is throttled whatever the host's pace.
 */
const TEMPLATE = fileURLToPath(new URL('../fixtures/stacks/rest-api-key/template.yaml', import.meta.url));
const KEY = 'walkthrough-demo-key-0123456789';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let stack: RunningStack;
const lines: string[] = [];

beforeAll(async () => {
  const config = defaultStackConfig({ template: { path: TEMPLATE, parameters: { ThrottleRate: '0.001', ThrottleBurst: '2' } }, lambda: { preparedPerFunction: 0 } });
  const described = await describeStack(config);
  stack = await startStack({ config, stack: described.stack, log: (l) => lines.push(l) });
}, 60_000);
afterAll(() => stack?.close());

const post = (url: string, body: unknown, key?: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: await r.json() }));

describe("the seed walkthrough's REST API, with no WebSocket API beside it", () => {
  it('runs: the ready line says there is no WebSocket API, and lists the REST API with its dev stage', async () => {
    expect(stack.ready.webSocketApi).toBe(false);
    expect(stack.ready.restApis).toEqual([expect.objectContaining({ name: 'LambdaMicroservice', stages: [expect.objectContaining({ name: 'dev', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/dev$/) })] })]);
    // no WebSocket endpoint exists to connect to
    await expect(connect(stack.ready.websocketUrl)).rejects.toThrow(/404/);
    // the key's value is never said
    expect(lines.join('\n')).not.toContain(KEY);
  });

  it('answers 403 without the key, writes the item with it, and 429 past the usage plan\'s throttle', async () => {
    const cfn = new CloudFormationClient({ endpoint: stack.ready.cloudformationEndpoint, region: stack.ready.region, credentials });
    const db = new DynamoDBClient({ endpoint: stack.ready.dynamodbEndpoint, region: stack.ready.region, credentials });
    try {
      const outputs = (await cfn.send(new DescribeStacksCommand({ StackName: stack.ready.stackName }))).Stacks![0]!.Outputs!;
      const url = outputs.find((o) => o.OutputKey === 'ApiUrl')!.OutputValue!;
      expect(url).toBe(`${stack.ready.restApis![0]!.stages[0]!.url}/DynamoBackend`);
      const item = { operation: 'create', payload: { Item: { username: 'ada', language: 'en' } } };
      expect(await post(url, item)).toEqual({ status: 403, json: { message: 'Forbidden' } });
      expect(await post(url, item, 'not-the-key-0000000000')).toEqual({ status: 403, json: { message: 'Forbidden' } });
      expect(await post(url, item, KEY)).toEqual({ status: 200, json: {} });
      const table = stack.stack.tables[0]!.definition.TableName;
      expect((await db.send(new GetItemCommand({ TableName: table, Key: { username: { S: 'ada' } } }))).Item).toEqual({ username: { S: 'ada' }, language: { S: 'en' } });
      expect(await post(url, { operation: 'read', payload: { Key: { username: 'ada' } } }, KEY)).toEqual({ status: 200, json: { Item: { username: 'ada', language: 'en' } } });
      expect(await post(url, { operation: 'ping' }, KEY)).toEqual({ status: 429, json: { message: 'Too Many Requests' } });
    } finally {
      cfn.destroy();
      db.destroy();
    }
  });

  it('is described through API Gateway as on AWS (GetRestApis, GetResources, GetStages, GetApiKey) and answers at its /restapis/{id}/{stage}/_user_request_/ path', async () => {
    const endpoint = stack.ready.awsEndpointUrls.AWS_ENDPOINT_URL_API_GATEWAY!;
    const apigw = new APIGatewayClient({ endpoint, region: stack.ready.region, credentials });
    const cfn = new CloudFormationClient({ endpoint: stack.ready.cloudformationEndpoint, region: stack.ready.region, credentials });
    try {
      const resources = (await cfn.send(new ListStackResourcesCommand({ StackName: stack.ready.stackName }))).StackResourceSummaries!;
      const physical = (type: string) => resources.filter((r) => r.ResourceType === type).map((r) => [r.LogicalResourceId, r.PhysicalResourceId]);
      const apiId = stack.stack.restApis![0]!.id;
      expect(physical('AWS::ApiGateway::RestApi')).toEqual([['LambdaMicroservice', apiId]]);
      expect(physical('AWS::ApiGateway::Stage')).toEqual([['DevStage', 'dev']]);
      const [[, keyId]] = physical('AWS::ApiGateway::ApiKey') as [[string, string]];
      expect(physical('AWS::ApiGateway::UsagePlan')).toHaveLength(1);

      const apis = await apigw.send(new GetRestApisCommand({}));
      expect(apis.items?.map((a) => [a.id, a.name, a.apiKeySource])).toEqual([[apiId, 'LambdaMicroservice', 'HEADER']]);
      expect(apis.items![0]!.createdDate).toBeInstanceOf(Date);
      const tree = await apigw.send(new GetResourcesCommand({ restApiId: apiId, embed: ['methods'] }));
      const [root, backend] = tree.items!;
      expect(root).toMatchObject({ id: apis.items![0]!.rootResourceId, path: '/' });
      expect(backend).toMatchObject({ parentId: root!.id, pathPart: 'DynamoBackend', path: '/DynamoBackend', resourceMethods: { POST: { httpMethod: 'POST', authorizationType: 'NONE', apiKeyRequired: true } } });
      // the Resource's id is what Ref gives it (ListStackResources' physical id)
      expect(physical('AWS::ApiGateway::Resource')).toEqual([['DynamoBackend', backend!.id]]);
      expect((await apigw.send(new GetStagesCommand({ restApiId: apiId }))).item?.map((s) => s.stageName)).toEqual(['dev']);
      // the key's value only when asked for
      expect(await apigw.send(new GetApiKeyCommand({ apiKey: keyId }))).not.toHaveProperty('value');
      expect(await apigw.send(new GetApiKeyCommand({ apiKey: keyId, includeValue: true }))).toMatchObject({ name: 'walkthrough-key', enabled: true, value: KEY, stageKeys: [`${apiId}/dev`] });
      await expect(apigw.send(new GetApiKeyCommand({ apiKey: 'nosuchkey0' }))).rejects.toMatchObject({ name: 'NotFoundException', message: 'Invalid API Key identifier specified' });
      await expect(apigw.send(new GetResourcesCommand({ restApiId: 'nosuchapi0' }))).rejects.toMatchObject({ name: 'NotFoundException' });

      // LocalStack's form of the API's URL, on the API Gateway endpoint: the same API, its key and its usage plan
      const url = `${endpoint}/restapis/${apiId}/dev/_user_request_/DynamoBackend`;
      expect(await post(url, { operation: 'ping' })).toEqual({ status: 403, json: { message: 'Forbidden' } });
      // the plan's burst was spent above
      expect(await post(url, { operation: 'ping' }, KEY)).toEqual({ status: 429, json: { message: 'Too Many Requests' } });
      expect((await fetch(`${endpoint}/restapis/${apiId}/prod/_user_request_/DynamoBackend`, { method: 'POST' })).status).toBe(403);
    } finally {
      apigw.destroy();
      cfn.destroy();
    }
  });
});
