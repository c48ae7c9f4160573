import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { ownFunctionsStack } from '../fixtures/stack-model/own-functions-stack.ts';
import { connect, eventually, fixture, recordedEvents, type TestClient } from '../fixtures/gateway/clients.ts';

// The events the emulator's gateway sends, held field by field against AWS's documented examples
// (test/fixtures/gateway/aws-documented-events.json names each source): a real ws client connects
// through a REQUEST authorizer whose identity source is X-Forwarded-Proto (a header only the
// gateway adds), sends a message, and closes; record.ts stores every event it is handed.

type Kind = 'authorizer' | 'connect' | 'message' | 'disconnect';
const documented: Record<Kind, { source: string; event: any }> = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/gateway/aws-documented-events.json', import.meta.url)), 'utf8'),
);

/** Maps whose keys are the client's (its headers, its query string) or the authorizer's answer: compared on their own. */
const OPEN_MAPS = new Set(['headers', 'multiValueHeaders', 'queryStringParameters', 'multiValueQueryStringParameters', 'requestContext.authorizer']);

/** Every field's path and JSON type, open maps as one field. */
function fields(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const type = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
    out.set(path, type);
    if (type === 'object' && !OPEN_MAPS.has(path)) fields(v, path, out);
  }
  return out;
}

const ID = /^[A-Za-z0-9+/]{15}=$/;
const EPOCH_MS = (v: unknown) => Number.isInteger(v) && (v as number) > 1e12 && (v as number) < 1e13;
/** The form of a field's value, wherever AWS documents one: both the documented value and the emulator's must have it. */
const FORMS: Record<string, RegExp | ((v: unknown) => boolean)> = {
  'requestContext.requestTime': /^\d{2}\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/,
  'requestContext.requestTimeEpoch': EPOCH_MS,
  'requestContext.connectedAt': EPOCH_MS,
  'requestContext.requestId': ID,
  'requestContext.extendedRequestId': ID,
  'requestContext.connectionId': ID,
  'requestContext.messageId': (v) => v === null || ID.test(String(v)),
  'requestContext.messageDirection': /^IN$/,
  'requestContext.identity.sourceIp': /^\d{1,3}(\.\d{1,3}){3}$/,
  'requestContext.disconnectStatusCode': (v) => Number.isInteger(v) && (v as number) >= 1000 && (v as number) < 5000,
  methodArn: /^arn:aws:execute-api:[a-z0-9-]+:\d{12}:[a-z0-9]+\/[^/]+\/\$connect$/,
};
const EVENT_TYPE: Record<Kind, string> = { authorizer: 'CONNECT', connect: 'CONNECT', message: 'MESSAGE', disconnect: 'DISCONNECT' };

let stack: RunningStack;
const clients: TestClient[] = [];
const captured = {} as Record<Kind, any>;

beforeAll(async () => {
  const config = defaultStackConfig({ stage: 'ev', auth: { enabled: true } });
  const described = ownFunctionsStack(config, {
    functions: ['$connect', '$default', '$disconnect'].map((route) => fixture(`fx-${route.slice(1)}`, route, 'record.ts')),
    authorizer: {
      name: 'fx-forwarded-proto',
      route: '$connect',
      entry: fileURLToPath(new URL('../fixtures/gateway/forwarded-proto-authorizer.ts', import.meta.url)),
      memoryMB: 1769,
      timeoutSeconds: 10,
    },
  });
  described.authorizer!.identitySource = ['route.request.header.X-Forwarded-Proto'];
  stack = await startStack({ config, stack: described, authToken: 'not read by the fixture', log: () => {} });

  // One connection through all three routes, as a browser would (it sends a User-Agent).
  const c = await open(`${stack.ready.websocketUrl}?marker=m1`, { 'User-Agent': 'fanout-bench-test/1' });
  c.send('{"a":1}');
  captured.message = (await c.take((f) => f.type === 'echo')).event;
  const id = captured.message.requestContext.connectionId;
  c.close(1001, '');
  const events = await eventually(async () => {
    const all = await recordedEvents(stack.ready.dynamodbEndpoint, id);
    return all.some((e) => e.requestContext.eventType === 'DISCONNECT') ? all : undefined;
  }, 15_000, 'the DISCONNECT event');
  captured.authorizer = events.find((e) => e.type === 'REQUEST');
  captured.connect = events.find((e) => e.type === undefined && e.requestContext.eventType === 'CONNECT');
  captured.disconnect = events.find((e) => e.requestContext.eventType === 'DISCONNECT');
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await stack?.close();
});

async function open(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
  const c = await connect(url, { headers });
  clients.push(c);
  return c;
}

describe.each(['authorizer', 'connect', 'message', 'disconnect'] as const)('the %s event against AWS\'s documented one', (kind) => {
  it('has every documented field, of the same type, and no other (requestContext.authorizer aside: this stack has one)', () => {
    const theirs = fields(documented[kind].event);
    const ours = fields(captured[kind]);
    if (kind !== 'authorizer') {
      expect(ours.get('requestContext.authorizer')).toBe('object');
      ours.delete('requestContext.authorizer');
    }
    expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(theirs));
  });

  it('gives each field the documented form', () => {
    const event = captured[kind];
    expect(event.requestContext.eventType).toBe(EVENT_TYPE[kind]);
    for (const [path, form] of Object.entries(FORMS)) {
      const theirs = valueAt(documented[kind].event, path);
      const ours = valueAt(event, path);
      expect(ours === undefined, `${path} present in one only`).toBe(theirs === undefined);
      if (theirs === undefined) continue;
      const holds = (v: unknown) => (form instanceof RegExp ? form.test(String(v)) : form(v));
      expect(holds(theirs), `documented ${path} = ${JSON.stringify(theirs)}`).toBe(true);
      expect(holds(ours), `emulator's ${path} = ${JSON.stringify(ours)}`).toBe(true);
    }
    expect(event.requestContext.domainName).toBe(new URL(stack.ready.websocketUrl).host);
    expect(event.requestContext.stage).toBe('ev');
    expect(event.requestContext.apiId).toBe(stack.ready.apiId);
  });

  it('carries the documented headers, in both maps, with the values the gateway sets', () => {
    const theirs = documented[kind].event;
    const event = captured[kind];
    if (!theirs.headers) {
      expect(event.headers).toBeUndefined();
      expect(event.multiValueHeaders).toBeUndefined();
      return;
    }
    for (const name of Object.keys(theirs.headers)) expect(event.headers, name).toHaveProperty([name]);
    expect(Object.keys(event.multiValueHeaders)).toEqual(Object.keys(event.headers));
    for (const [name, value] of Object.entries(event.headers)) expect(event.multiValueHeaders[name], name).toEqual([value]);
    if (kind === 'disconnect') {
      expect(event.headers).toEqual({ ...theirs.headers, Host: event.requestContext.domainName });
      return;
    }
    expect(event.headers).toMatchObject({
      Host: event.requestContext.domainName,
      'X-Forwarded-For': event.requestContext.identity.sourceIp,
      'X-Forwarded-Port': '443',
      'X-Forwarded-Proto': 'https',
    });
    expect(event.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(theirs.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(event.headers['Sec-WebSocket-Key']).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});

describe('the headers API Gateway adds', () => {
  it('are the same request for the authorizer and $connect: one trace id, the same headers', () => {
    expect(captured.connect.headers).toEqual(captured.authorizer.headers);
    expect(captured.connect.requestContext.identity.userAgent).toBe('fanout-bench-test/1');
  });

  it('let an authorizer whose identity source is X-Forwarded-Proto in, and a client cannot override them', async () => {
    // Sent by the client: X-Forwarded-Proto/-Port give way to the gateway's, X-Forwarded-For is kept before the client's address.
    const c = await open(`${stack.ready.websocketUrl}?marker=m2`, { 'X-Forwarded-Proto': 'http', 'x-forwarded-port': '8080', 'X-Forwarded-For': '203.0.113.9' });
    c.send('{"b":2}');
    const id = (await c.take((f) => f.type === 'echo')).event.requestContext.connectionId;
    const events = await recordedEvents(stack.ready.dynamodbEndpoint, id);
    const authorizer = events.find((e) => e.type === 'REQUEST');
    const connectEvent = events.find((e) => e.type === undefined && e.requestContext.eventType === 'CONNECT');
    expect(authorizer, 'the authorizer was invoked').toBeDefined();
    for (const event of [authorizer, connectEvent]) {
      expect(event.multiValueHeaders).toMatchObject({ 'X-Forwarded-Proto': ['https'], 'X-Forwarded-Port': ['443'], 'X-Forwarded-For': ['203.0.113.9, 127.0.0.1'] });
      expect(Object.keys(event.headers).filter((h) => h.toLowerCase().startsWith('x-forwarded-')).sort()).toEqual(['X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto']);
    }
    // this client sent no User-Agent: the identity has the address alone, as AWS's examples without one
    expect(connectEvent.requestContext.identity).toEqual({ sourceIp: '127.0.0.1' });
  });
});

function valueAt(value: any, path: string): unknown {
  return path.split('.').reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), value);
}
