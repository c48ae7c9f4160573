import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TOKEN_PARAMETER_PLACEHOLDER } from '../../reference-stack/functions/manifest.ts';
import type { ConnectAuthorizerEvent } from '../../reference-stack/functions/shared/events.ts';
import type { AwsJsonServer } from '../../reference-stack/local/aws-json-server.ts';
import { ParameterStore } from '../../reference-stack/local/ssm/parameter-store.ts';
import { startSsmServer } from '../../reference-stack/local/ssm/server.ts';

// The authorizer handler itself, in this process, reading its parameter through the real
// SSMClient from a Parameter Store endpoint (the emulator's), as it would on Lambda.

const PARAMETER = '/test/connect-token';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:000000000000:abcdefghij/prod/$connect';
let server: AwsJsonServer;
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
  server = await startSsmServer(new ParameterStore('us-east-1', '000000000000'));
  ssm = new SSMClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  // What a deployed function gets: the parameter's name, the standard SDK environment.
  process.env.AUTH_TOKEN_PARAMETER = PARAMETER;
  process.env.AWS_ENDPOINT_URL_SSM = server.url;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
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
    // a fresh environment, as after the user put the real token (the value is read once per environment)
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
});
