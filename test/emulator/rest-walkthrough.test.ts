import { fileURLToPath } from 'node:url';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
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
});
