import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import { IamGate } from '../../emulator/iam/iam-gate.ts';
import { parsePolicyDocument } from '../../common/iam/policy-document.ts';
import { roleSessions } from '../../emulator/iam/role-sessions.ts';
import { ParameterStore } from '../../emulator/ssm/parameter-store.ts';
import { startSsmServer } from '../../emulator/ssm/server.ts';
import type { AwsJsonServer } from '../../emulator/aws-json-server.ts';

// Parameter Store and CloudWatch Logs ask IAM about a function's call, each denial in its own
// status and AWS's words, through the real SDK clients carrying the function's session.

const ACCOUNT = '123456789012';
const statements = (doc: unknown) =>
  parsePolicyDocument(doc, 'inline policy', (path, message) => {
    throw new UserError(`${path.join('.')}: ${message}`);
  });
const grants = roleSessions([
  {
    name: 'chat-auth',
    role: { name: 'chat-AuthRole', arn: `arn:aws:iam::${ACCOUNT}:role/chat-AuthRole`, notes: [], statements: statements({ Statement: { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/chat/token` } }) },
  },
]);
const credentials = { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: grants.sessions[0]!.token };

describe('Parameter Store and CloudWatch Logs under iam: enforce', () => {
  const lines: string[] = [];
  let ssm: AwsJsonServer;
  let cw: CloudWatchServer;
  beforeAll(async () => {
    const gate = new IamGate('enforce', grants, 'us-east-1', ACCOUNT, (l) => lines.push(l));
    const store = new ParameterStore('us-east-1', ACCOUNT);
    store.seed('/chat/token', 'secret', 'SecureString');
    store.seed('/chat/other', 'x', 'String');
    [ssm, cw] = await Promise.all([startSsmServer(store, '127.0.0.1', 0, gate), startCloudWatchServer({ store: new MetricStore(), logs: new LogStore(), region: 'us-east-1', accountId: ACCOUNT, iam: gate })]);
  });
  afterAll(async () => {
    await Promise.all([ssm?.close(), cw?.close()]);
  });

  it('allows the granted parameter, denies another with 400 AccessDeniedException, and a Logs read with its own', async () => {
    const client = new SSMClient({ endpoint: ssm.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    expect((await client.send(new GetParameterCommand({ Name: '/chat/token', WithDecryption: true }))).Parameter?.Value).toBe('secret');
    const denied = await client.send(new GetParameterCommand({ Name: '/chat/other' })).catch((e: unknown) => e);
    expect(denied).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    expect((denied as Error).message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/chat-AuthRole/chat-auth is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/chat/other because no identity-based policy allows the ssm:GetParameter action`,
    );
    client.destroy();

    const logs = new CloudWatchLogsClient({ endpoint: cw.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    const refused = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/chat-auth' })).catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    expect((refused as Error).message).toContain(`logs:FilterLogEvents on resource: arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/chat-auth:*`);
    logs.destroy();
    // the harness (no function's session) is not asked about: it gets the service's own answer (no such group yet)
    const harness = new CloudWatchLogsClient({ endpoint: cw.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
    await expect(harness.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/chat-auth' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    harness.destroy();
    expect(lines.filter((l) => l.startsWith('iam: denied:'))).toHaveLength(2);
  });
});
