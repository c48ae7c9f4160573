import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TOKEN_PARAMETER_PLACEHOLDER } from '../../reference-stack/functions/manifest.ts';
import type { ConnectAuthorizerEvent } from '../../reference-stack/functions/shared/events.ts';
import type { AwsJsonServer } from '../../emulator/aws-json-server.ts';
import { AwsApiError } from '../../emulator/cloudwatch/aws-json.ts';
import { ParameterStore } from '../../emulator/ssm/parameter-store.ts';
import { startSsmServer } from '../../emulator/ssm/server.ts';

// The authorizer handler itself, in this process, reading its parameter through the real
// SSMClient from a Parameter Store endpoint (the emulator's), as it would on Lambda. The store
// counts the reads it answers, and can be told to refuse them (as Parameter Store does when the
// function's permission is gone).

class CountingStore extends ParameterStore {
  reads = 0;
  refuse = false;
  override get(body: unknown) {
    this.reads++;
    if (this.refuse) throw new AwsApiError('AccessDeniedException', 'not authorized to perform: ssm:GetParameter');
    return super.get(body);
  }
}

/** The least time between two reads in this test (AUTH_TOKEN_REREAD_SECONDS); 30 s on a real stack. */
const REREAD_SECONDS = 1.5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const PARAMETER = '/test/connect-token';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:000000000000:abcdefghij/prod/$connect';
let server: AwsJsonServer;
let store: CountingStore;
let ssm: SSMClient;
let handler: (event: ConnectAuthorizerEvent) => Promise<any>;

function event(headers: Record<string, string> = {}, query?: Record<string, string>): ConnectAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      routeKey: '$connect',
      eventType: 'CONNECT',
      connectionId: 'c1',
      requestId: 'r1',
      apiId: 'abcdefghij',
      stage: 'prod',
      domainName: 'localhost',
      connectedAt: 0,
      requestTimeEpoch: 0,
      identity: { sourceIp: '127.0.0.1' },
    },
  };
}

beforeAll(async () => {
  store = new CountingStore('us-east-1', '000000000000');
  server = await startSsmServer(store);
  ssm = new SSMClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  // What a deployed function gets: the parameter's name, the standard SDK environment.
  process.env.AUTH_TOKEN_PARAMETER = PARAMETER;
  process.env.AWS_ENDPOINT_URL_SSM = server.url;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
  process.env.AUTH_TOKEN_REREAD_SECONDS = String(REREAD_SECONDS);
  // Loaded before the parameter exists: its INIT read fails, and the next invocation reads again.
  ({ handler } = await import('../../reference-stack/functions/authorizer.ts'));
});

afterAll(async () => {
  ssm?.destroy();
  await server?.close();
});

const decision = (r: any) => r.policyDocument.Statement[0].Effect as string;

describe('the $connect authorizer', () => {
  it('fails while its parameter cannot be read, and reads it again on the next invocation', async () => {
    await expect(handler(event({ 'x-api-key': 'anything' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: TOKEN_PARAMETER_PLACEHOLDER, Type: 'String' }));
    // the placeholder the CDK app creates: nobody gets in, whatever they send
    const r = await handler(event({ 'x-api-key': TOKEN_PARAMETER_PLACEHOLDER }));
    expect(decision(r)).toBe('Deny');
  });

  it('allows the right token from the x-api-key header (any casing) or the token query parameter, denies any other', async () => {
    // a fresh environment, as after the user put the real token
    await ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: 'right-token', Type: 'SecureString', Overwrite: true }));
    vi.resetModules();
    const fresh = await import('../../reference-stack/functions/authorizer.ts');
    const allow = await fresh.handler(event({ 'X-API-Key': 'right-token' }));
    expect(allow).toEqual({
      principalId: 'token-holder',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }] },
      context: { tokenSource: 'header' },
    });
    expect(await fresh.handler(event({}, { token: 'right-token' }))).toMatchObject({ context: { tokenSource: 'query' } });
    expect(decision(await fresh.handler(event({}, { token: 'right-token' })))).toBe('Allow');
    expect(decision(await fresh.handler(event({ 'x-api-key': 'right-tokeN' })))).toBe('Deny');
    expect(decision(await fresh.handler(event({ 'x-api-key': 'right-token-and-more' })))).toBe('Deny');
    expect(decision(await fresh.handler(event({ 'x-api-key': 'r' })))).toBe('Deny');
  });

  it('throws "Unauthorized" (API Gateway: 401) when no token is there', async () => {
    await expect(handler(event())).rejects.toThrow(/^Unauthorized$/);
    await expect(handler(event({ 'x-api-key': '' }, { token: '' }))).rejects.toThrow(/^Unauthorized$/);
  });

  it('reads its parameter again when a token does not match and the last read is older than AUTH_TOKEN_REREAD_SECONDS, never more often', async () => {
    await ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: 'token-a', Type: 'SecureString', Overwrite: true }));
    vi.resetModules();
    const readsBefore = store.reads;
    const env = await import('../../reference-stack/functions/authorizer.ts');
    expect(decision(await env.handler(event({ 'x-api-key': 'token-a' })))).toBe('Allow');
    const firstRead = Date.now();
    expect(store.reads - readsBefore).toBe(1); // INIT's read, which the first invocation waited for

    // the token is rotated: the environment still holds token-a, and reads again only once the
    // period since its last read has passed, however many wrong tokens come meanwhile
    await ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: 'token-b', Overwrite: true }));
    expect(decision(await env.handler(event({ 'x-api-key': 'token-a' })))).toBe('Allow');
    const early = await Promise.all(Array.from({ length: 20 }, () => env.handler(event({ 'x-api-key': 'token-b' }))));
    // (on a host too loaded to send them within the period, one of them may have read already)
    if (Date.now() - firstRead < REREAD_SECONDS * 1000) {
      expect(early.map(decision)).toEqual(Array(20).fill('Deny'));
      expect(store.reads - readsBefore).toBe(1);
    }

    // within the period after the rotation, the new token is let in; the old one is now denied
    await sleep(REREAD_SECONDS * 1000 + 100);
    expect(decision(await env.handler(event({ 'x-api-key': 'token-b' })))).toBe('Allow');
    const reads = store.reads;
    expect(reads - readsBefore).toBe(2);
    expect(decision(await env.handler(event({ 'x-api-key': 'token-a' })))).toBe('Deny');
    expect(decision(await env.handler(event({ 'x-api-key': 'token-b' })))).toBe('Allow');
    expect(store.reads).toBe(reads); // the denial came right after a read: no read for it
  });

  it('answers from its last read when reading again fails: the right token still gets in, a wrong one is denied', async () => {
    await ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: 'token-c', Type: 'SecureString', Overwrite: true }));
    vi.resetModules();
    const env = await import('../../reference-stack/functions/authorizer.ts');
    expect(decision(await env.handler(event({ 'x-api-key': 'token-c' })))).toBe('Allow');
    store.refuse = true;
    try {
      await sleep(REREAD_SECONDS * 1000 + 100);
      const reads = store.reads;
      expect(decision(await env.handler(event({ 'x-api-key': 'wrong' })))).toBe('Deny');
      expect(store.reads).toBe(reads + 1);
      expect(decision(await env.handler(event({ 'x-api-key': 'wrong' })))).toBe('Deny');
      expect(decision(await env.handler(event({ 'x-api-key': 'token-c' })))).toBe('Allow');
      expect(store.reads).toBe(reads + 1); // a failed read waits out the period too
    } finally {
      store.refuse = false;
    }
  });

  it('refuses a bad AUTH_TOKEN_REREAD_SECONDS at INIT, naming it', async () => {
    process.env.AUTH_TOKEN_REREAD_SECONDS = '0';
    try {
      vi.resetModules();
      await expect(import('../../reference-stack/functions/authorizer.ts')).rejects.toThrow(
        'fanout-authorizer: invalid environment: AUTH_TOKEN_REREAD_SECONDS must be a positive number of seconds, got "0"',
      );
    } finally {
      process.env.AUTH_TOKEN_REREAD_SECONDS = String(REREAD_SECONDS);
    }
  });
});
