import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import type { RunningStack } from '../../emulator/stack.ts';
import { startOwnStack } from '../fixtures/stack-model/own-functions-stack.ts';
import { connect, connectionIdOf, eventually, fixture, recordedEvents } from '../fixtures/gateway/clients.ts';

// Routing, event shapes and the frames API Gateway sends itself, through the real Lambda
// runtime (fixture handlers), real ws sockets and dynalite.

const REQUEST_TIME = /^\d{2}\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/;
const AWS_ID = /^[A-Za-z0-9+/]{15}=$/;

let stack: RunningStack;
let noDefault: RunningStack;

beforeAll(async () => {
  [stack, noDefault] = await Promise.all([
    startOwnStack({
      config: defaultStackConfig({ stage: 'test' }),
      functions: [
        fixture('fx-connect', '$connect', 'record.ts'),
        fixture('fx-disconnect', '$disconnect', 'record.ts'),
        fixture('fx-default', '$default', 'echo.ts'),
        fixture('fx-echo', 'echo', 'echo.ts'),
        fixture('fx-boom', 'boom', 'throw.ts'),
        fixture('fx-quiet', 'quiet', 'echo.ts', false),
        fixture('fx-object', 'object', 'object-body.ts'),
      ],
      log: () => {},
    }),
    startOwnStack({
      config: defaultStackConfig(),
      functions: [fixture('fx-echo', 'echo', 'echo.ts')],
      log: () => {},
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([stack?.close(), noDefault?.close()]);
});

describe('route selection ($request.body.action)', () => {
  it('sends a known action to its route and answers with the route response', async () => {
    const c = await connect(stack.ready.websocketUrl);
    c.send({ action: 'echo', x: 1 });
    const frame = await c.nextJson();
    expect(frame.routeKey).toBe('echo');
    expect(frame.body).toBe('{"action":"echo","x":1}');
    c.close();
  });

  it('sends non-JSON, action-less and unknown-action messages to $default', async () => {
    const c = await connect(stack.ready.websocketUrl);
    for (const body of ['hello, not json', '{"no":"action"}', '{"action":"nope"}', '[1,2]', '{"action":"$connect"}']) {
      c.send(body);
      const frame = await c.nextJson();
      expect(frame.routeKey, body).toBe('$default');
      expect(frame.body).toBe(body);
    }
    c.close();
  });

  it('base64-encodes binary frames and routes them to $default', async () => {
    const c = await connect(stack.ready.websocketUrl);
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
    c.ws.send(bytes, { binary: true });
    const frame = await c.nextJson();
    expect(frame.routeKey).toBe('$default');
    expect(frame.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(frame.event.body, 'base64').equals(bytes)).toBe(true);
    c.close();
  });

  it('answers Forbidden when nothing matches and there is no $default route', async () => {
    const c = await connect(noDefault.ready.websocketUrl);
    const id = await connectionIdOf(c);
    c.send({ action: 'unknown' });
    const raw = await c.next();
    expect(raw).toMatch(/^\{"message": "Forbidden", "connectionId":"[^"]+", "requestId":"[^"]+"\}$/);
    const frame = JSON.parse(raw);
    expect(frame.connectionId).toBe(id);
    expect(frame.requestId).toMatch(AWS_ID);
    // still connected
    c.send({ action: 'echo' });
    expect((await c.nextJson()).routeKey).toBe('echo');
    c.close();
  });
});

describe('route responses and errors', () => {
  it('sends "Internal server error" when the handler throws, and the connection stays open', async () => {
    const c = await connect(stack.ready.websocketUrl);
    const id = await connectionIdOf(c);
    c.send({ action: 'boom' });
    const raw = await c.next();
    expect(raw).toMatch(/^\{"message": "Internal server error", "connectionId":"[^"]+", "requestId":"[^"]+"\}$/);
    expect(JSON.parse(raw).connectionId).toBe(id);
    c.send({ action: 'echo', after: 'error' });
    expect((await c.nextJson()).body).toBe('{"action":"echo","after":"error"}');
    c.close();
  });

  it('JSON-encodes a non-string body', async () => {
    const c = await connect(stack.ready.websocketUrl);
    c.send({ action: 'object' });
    expect(await c.next()).toBe('{"type":"object","n":1}');
    c.close();
  });

  it('sends nothing back from a one-way route', async () => {
    const c = await connect(stack.ready.websocketUrl);
    c.send({ action: 'quiet' });
    await eventually(() => {
      const s = stack.runtime.stats()['fx-quiet'];
      return s && s.invocations >= 1 && s.busy === 0 ? true : undefined;
    }, 15_000, 'the quiet route to run');
    c.send({ action: 'echo', marker: 'after-quiet' });
    const frame = await c.nextJson();
    expect(frame.routeKey).toBe('echo');
    expect(frame.body).toContain('after-quiet');
    expect(c.frames).toHaveLength(0);
    c.close();
  });

  it("dispatches a connection's messages as they arrive, not one after another", async () => {
    const c = await connect(stack.ready.websocketUrl);
    c.send({ action: 'echo', sleepMs: 2_500, n: 1 });
    c.send({ action: 'echo', n: 2 });
    const first = await c.nextJson(20_000);
    const second = await c.nextJson(20_000);
    expect(JSON.parse(first.body).n).toBe(2);
    expect(JSON.parse(second.body).n).toBe(1);
    c.close();
  });
});

describe('event shapes', () => {
  it('MESSAGE events carry requestContext, body and isBase64Encoded, and no headers', async () => {
    const c = await connect(stack.ready.websocketUrl);
    c.send({ action: 'echo' });
    const { event } = await c.nextJson();
    expect(Object.keys(event).sort()).toEqual(['body', 'isBase64Encoded', 'requestContext']);
    const rc = event.requestContext;
    expect(rc).toMatchObject({
      routeKey: 'echo',
      eventType: 'MESSAGE',
      messageDirection: 'IN',
      stage: 'test',
      apiId: stack.ready.apiId,
      domainName: new URL(stack.ready.websocketUrl).host,
      identity: { sourceIp: '127.0.0.1' },
    });
    expect(rc.messageId).toMatch(AWS_ID);
    expect(rc.connectionId).toMatch(AWS_ID);
    expect(rc.requestId).toMatch(AWS_ID);
    expect(rc.extendedRequestId).toBe(rc.requestId);
    expect(rc.requestTime).toMatch(REQUEST_TIME);
    expect(rc.requestTimeEpoch).toBeGreaterThanOrEqual(rc.connectedAt);
    expect(event.isBase64Encoded).toBe(false);
    c.close();
  });

  it('CONNECT events carry headers and the query string; DISCONNECT events the close code and reason', async () => {
    const c = await connect(`${stack.ready.websocketUrl}?room=r1&tag=a&tag=b`, { headers: { 'User-Agent': 'fanout-test/1.0', 'X-Custom': 'v' } });
    const id = await connectionIdOf(c);
    c.close(4001, 'bye now');
    await c.closed;

    const events = await eventually(async () => {
      const found = await recordedEvents(stack.ready.dynamodbEndpoint, id);
      return found.length >= 2 ? found : undefined;
    }, 15_000, 'connect and disconnect events');
    const connectEvt = events.find((e) => e.requestContext.eventType === 'CONNECT');
    const disconnectEvt = events.find((e) => e.requestContext.eventType === 'DISCONNECT');

    expect(connectEvt.requestContext).toMatchObject({
      routeKey: '$connect',
      messageId: null,
      messageDirection: 'IN',
      connectionId: id,
      stage: 'test',
      identity: { sourceIp: '127.0.0.1', userAgent: 'fanout-test/1.0' },
    });
    expect(connectEvt.requestContext.requestTime).toMatch(REQUEST_TIME);
    expect(connectEvt.headers['X-Custom']).toBe('v');
    expect(connectEvt.headers['Sec-WebSocket-Key']).toBeTypeOf('string');
    expect(connectEvt.headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect(connectEvt.multiValueHeaders['X-Custom']).toEqual(['v']);
    expect(connectEvt.queryStringParameters).toEqual({ room: 'r1', tag: 'b' });
    expect(connectEvt.multiValueQueryStringParameters).toEqual({ room: ['r1'], tag: ['a', 'b'] });
    expect(connectEvt.isBase64Encoded).toBe(false);
    expect(connectEvt.body).toBeUndefined();

    const rc = disconnectEvt.requestContext;
    expect(rc).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: 4001,
      disconnectReason: 'bye now',
      connectionId: id,
      connectedAt: connectEvt.requestContext.connectedAt,
    });
    expect('messageId' in rc).toBe(false);
    expect(disconnectEvt.queryStringParameters).toBeUndefined();
    expect(disconnectEvt.body).toBeUndefined();
  });

  it('an abrupt socket loss is a $disconnect with 1006', async () => {
    const c = await connect(stack.ready.websocketUrl);
    const id = await connectionIdOf(c);
    c.ws.terminate(); // no close frame
    const disconnect = await eventually(async () => {
      const events = await recordedEvents(stack.ready.dynamodbEndpoint, id);
      return events.find((e) => e.requestContext.eventType === 'DISCONNECT');
    }, 15_000, 'the disconnect event');
    expect(disconnect.requestContext.disconnectStatusCode).toBe(1006);
  });
});

describe('AWS/ApiGateway metrics', () => {
  it('counts connections, messages, integration errors and client errors by ApiId and Stage', async () => {
    const c = await connect(noDefault.ready.websocketUrl);
    c.send({ action: 'echo' });
    await c.next();
    c.send({ action: 'nothing-matches' });
    await c.next();
    c.close();

    const cw = new CloudWatchClient({
      endpoint: noDefault.ready.cloudwatchEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const dims = [
      { Name: 'ApiId', Value: noDefault.ready.apiId },
      { Name: 'Stage', Value: noDefault.ready.stage },
    ];
    const sums = await eventually(async () => {
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(Date.now() - 10 * 60_000),
          EndTime: new Date(Date.now() + 60_000),
          MetricDataQueries: ['ConnectCount', 'MessageCount', 'ClientError', 'IntegrationLatency'].map((name, i) => ({
            Id: `m${i}`,
            Label: name,
            MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: name, Dimensions: dims }, Period: 60, Stat: name === 'IntegrationLatency' ? 'SampleCount' : 'Sum' },
          })),
        }),
      );
      const byLabel = Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Label, (r.Values ?? []).reduce((a, b) => a + b, 0)]));
      return byLabel.ClientError >= 1 ? byLabel : undefined;
    }, 10_000, 'metrics');
    cw.destroy();
    // metrics accumulate over the file's tests on this stack; at least this test's traffic
    expect(sums.ConnectCount).toBeGreaterThanOrEqual(1);
    // 2 messages in + 1 route response out
    expect(sums.MessageCount).toBeGreaterThanOrEqual(3);
    expect(sums.ClientError).toBeGreaterThanOrEqual(1);
    expect(sums.IntegrationLatency).toBeGreaterThanOrEqual(1);
  });
});
