import { execFile } from 'node:child_process';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { parsePolicyDocument } from '../../common/iam/policy-document.ts';
import type { AwsJsonServer } from '../../emulator/aws-json-server.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { IamGate } from '../../emulator/iam/iam-gate.ts';
import { roleSessions } from '../../emulator/iam/role-sessions.ts';
import { randomPassword } from '../../emulator/secretsmanager/random-password.ts';
import { SecretStore } from '../../emulator/secretsmanager/secret-store.ts';
import { startSecretsManagerServer } from '../../emulator/secretsmanager/server.ts';

// The emulator's Secrets Manager through the real SecretsManagerClient and boto3's
// `secretsmanager` (AWS JSON 1.1, secretsmanager.<Op>), and IAM asked of a function's call.

const ACCOUNT = '123456789012';
const local = { accessKeyId: 'local', secretAccessKey: 'local' };
const SEEDED_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:chat/signing-AbC123`;

describe('Secrets Manager through the SDK', () => {
  const store = new SecretStore('us-east-1', ACCOUNT);
  const metrics = new MetricStore();
  let server: AwsJsonServer;
  let sm: SecretsManagerClient;
  beforeAll(async () => {
    store.seed({ name: 'chat/signing', arn: SEEDED_ARN, secretString: '{"key":"k1"}', versionId: '11111111-1111-4111-a111-111111111111' });
    store.publishMetrics(metrics);
    server = await startSecretsManagerServer(store);
    sm = new SecretsManagerClient({ endpoint: server.url, region: 'us-east-1', credentials: local, maxAttempts: 1 });
  });
  afterAll(async () => {
    sm?.destroy();
    await server?.close();
  });

  it('gets a seeded secret by name, full ARN and partial ARN; describes it without its value', async () => {
    for (const SecretId of ['chat/signing', SEEDED_ARN, SEEDED_ARN.slice(0, -7)]) {
      const got = await sm.send(new GetSecretValueCommand({ SecretId }));
      expect(got).toMatchObject({ ARN: SEEDED_ARN, Name: 'chat/signing', SecretString: '{"key":"k1"}', VersionStages: ['AWSCURRENT'], VersionId: '11111111-1111-4111-a111-111111111111' });
      expect(got.CreatedDate).toBeInstanceOf(Date);
    }
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'chat/signing' }));
    expect(described).toMatchObject({ ARN: SEEDED_ARN, Name: 'chat/signing', VersionIdsToStages: { '11111111-1111-4111-a111-111111111111': ['AWSCURRENT'] } });
    expect(JSON.stringify(described)).not.toContain('k1');
  });

  it('creates with a 6-character ARN suffix, versions with PutSecretValue (AWSPREVIOUS, VersionId), lists and batch-gets', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'db', SecretString: 'one', Description: 'the db' }));
    expect(created.ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:db-[A-Za-z0-9]{6}$`));
    await expect(sm.send(new CreateSecretCommand({ Name: 'db', SecretString: 'x' }))).rejects.toBeInstanceOf(ResourceExistsException);
    const put = await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'two' }));
    expect(put.VersionStages).toEqual(['AWSCURRENT']);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'db' }))).SecretString).toBe('two');
    const previous = await sm.send(new GetSecretValueCommand({ SecretId: 'db', VersionStage: 'AWSPREVIOUS' }));
    expect(previous).toMatchObject({ SecretString: 'one', VersionId: created.VersionId, VersionStages: ['AWSPREVIOUS'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'db', VersionId: put.VersionId }))).SecretString).toBe('two');

    const listed = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['d'] }] }));
    expect(listed.SecretList?.map((s) => s.Name)).toEqual(['db']);
    expect(listed.SecretList?.[0]).toMatchObject({ Description: 'the db' });
    expect(JSON.stringify(listed)).not.toContain('two');

    const batch = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['db', 'chat/signing', 'nope'] }));
    expect(batch.SecretValues?.map((v) => v.SecretString)).toEqual(['two', '{"key":"k1"}']);
    expect(batch.Errors).toEqual([{ SecretId: 'nope', ErrorCode: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." }]);
  });

  it("answers AWS's errors: an unknown secret, a stage no version has, an empty secret", async () => {
    const missing = await sm.send(new GetSecretValueCommand({ SecretId: 'nope' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as Error).message).toBe("Secrets Manager can't find the specified secret.");
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'chat/signing', VersionStage: 'AWSPREVIOUS' }))).rejects.toThrow("Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS");
    await sm.send(new CreateSecretCommand({ Name: 'empty' }));
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'empty' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('records each call as AWS/Usage CallCount and the secrets as AWS/SecretsManager ResourceCount: what the harness prices', async () => {
    const password = (await sm.send(new GetRandomPasswordCommand({ PasswordLength: 12, ExcludePunctuation: true }))).RandomPassword!;
    expect(password).toMatch(/^[A-Za-z0-9]{12}$/);
    const metric = (namespace: string, metricName: string, dimensions: Record<string, string>, stat: 'Sum' | 'Maximum') =>
      metrics.query({ namespace, metricName, dimensions, stat, periodSeconds: 60, startTime: Date.now() - 3_600_000, endTime: Date.now() + 60_000 });
    const sum = (data: ReadonlyArray<{ value: number }>) => data.reduce((n, d) => n + d.value, 0);
    const calls = (operation: string) => sum(metric('AWS/Usage', 'CallCount', { Service: 'Secrets Manager', Type: 'API', Resource: operation, Class: 'None' }, 'Sum'));
    expect(Math.max(...metric('AWS/SecretsManager', 'ResourceCount', { Service: 'Secrets Manager', Type: 'Resource', Resource: 'SecretCount', Class: 'None' }, 'Maximum').map((d) => d.value))).toBe(3);
    expect(calls('GetSecretValue')).toBeGreaterThanOrEqual(6);
    expect(calls('GetRandomPassword')).toBe(1);
  });
});

describe('GenerateSecretString / GetRandomPassword options', () => {
  it('makes 32 characters by default with one of each kind, honours exclusions, and refuses what cannot be made', () => {
    for (let i = 0; i < 20; i++) {
      const made = randomPassword({});
      if (!('password' in made)) throw new Error(made.invalid);
      expect(made.password).toHaveLength(32);
      for (const kind of [/[A-Z]/, /[a-z]/, /[0-9]/, /[!-/:-@[-`{-~]/]) expect(made.password).toMatch(kind);
    }
    const narrow = randomPassword({ PasswordLength: 64, ExcludePunctuation: true, ExcludeUppercase: true, ExcludeCharacters: 'abc0' });
    expect('password' in narrow && narrow.password).toMatch(/^[d-z1-9]{64}$/);
    expect(randomPassword({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true })).toHaveProperty('invalid');
    expect(randomPassword({ PasswordLength: 3 })).toHaveProperty('invalid');
  });
});

describe('Secrets Manager under iam: enforce', () => {
  const policy = {
    Statement: [
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SEEDED_ARN },
      { Effect: 'Allow', Action: 'secretsmanager:BatchGetSecretValue', Resource: '*' },
    ],
  };
  const statements = parsePolicyDocument(policy, 'inline policy', (path, message) => {
    throw new UserError(`${path.join('.')}: ${message}`);
  });
  const grants = roleSessions([{ name: 'chat-auth', role: { name: 'chat-AuthRole', arn: `arn:aws:iam::${ACCOUNT}:role/chat-AuthRole`, notes: [], statements } }]);
  let server: AwsJsonServer;
  beforeAll(async () => {
    const store = new SecretStore('us-east-1', ACCOUNT);
    store.seed({ name: 'chat/signing', arn: SEEDED_ARN, secretString: 'k', versionId: '11111111-1111-4111-a111-111111111111' });
    store.seed({ name: 'other', arn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:other-XyZ789`, secretString: 'o', versionId: '22222222-2222-4222-a222-222222222222' });
    server = await startSecretsManagerServer(store, '127.0.0.1', 0, new IamGate('enforce', grants, 'us-east-1', ACCOUNT, () => {}));
  });
  afterAll(async () => server?.close());

  it('allows GetSecretValue on the granted secret (by name too) and denies another secret and another action with 400 AccessDeniedException', async () => {
    const sm = new SecretsManagerClient({ endpoint: server.url, region: 'us-east-1', credentials: { ...local, sessionToken: grants.sessions[0]!.token }, maxAttempts: 1 });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'chat/signing' }))).SecretString).toBe('k');
    const denied = await sm.send(new GetSecretValueCommand({ SecretId: 'other' })).catch((e: unknown) => e);
    expect(denied).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    expect((denied as Error).message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/chat-AuthRole/chat-auth is not authorized to perform: secretsmanager:GetSecretValue on resource: other because no identity-based policy allows the secretsmanager:GetSecretValue action`,
    );
    // an action on no particular secret is refused without one
    await expect(sm.send(new ListSecretsCommand({}))).rejects.toThrow(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/chat-AuthRole/chat-auth is not authorized to perform: secretsmanager:ListSecrets because no identity-based policy allows the secretsmanager:ListSecrets action`,
    );
    await expect(sm.send(new DescribeSecretCommand({ SecretId: 'chat/signing' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    sm.destroy();
  });

  it('BatchGetSecretValue: a secret refused is an AccessDeniedException in Errors, the granted one still read; Filters need ListSecrets', async () => {
    const sm = new SecretsManagerClient({ endpoint: server.url, region: 'us-east-1', credentials: { ...local, sessionToken: grants.sessions[0]!.token }, maxAttempts: 1 });
    const batch = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['chat/signing', 'other'] }));
    expect(batch.SecretValues?.map((v) => [v.Name, v.SecretString])).toEqual([['chat/signing', 'k']]);
    expect(batch.Errors).toEqual([
      {
        SecretId: 'other',
        ErrorCode: 'AccessDeniedException',
        Message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/chat-AuthRole/chat-auth is not authorized to perform: secretsmanager:GetSecretValue on resource: other because no identity-based policy allows the secretsmanager:GetSecretValue action`,
      },
    ]);
    await expect(sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['chat'] }] }))).rejects.toThrow(/not authorized to perform: secretsmanager:ListSecrets/);
    sm.destroy();
  });
});

const BOTO = String.raw`
import json, sys, boto3, botocore
sm = boto3.client('secretsmanager', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='l', aws_secret_access_key='l')
out = {}
out['value'] = sm.get_secret_value(SecretId='chat/signing')['SecretString']
made = sm.create_secret(Name='boto', SecretBinary=b'\x00\x01')
out['binary'] = sm.get_secret_value(SecretId=made['ARN'])['SecretBinary'].hex()
out['described'] = sm.describe_secret(SecretId='boto')['Name']
try:
    sm.get_secret_value(SecretId='missing')
except botocore.exceptions.ClientError as e:
    out['missing'] = [e.response['Error']['Code'], e.response['Error']['Message'], e.response['ResponseMetadata']['HTTPStatusCode']]
print(json.dumps(out))
`;

describe('Secrets Manager through boto3', () => {
  let server: AwsJsonServer;
  beforeAll(async () => {
    const store = new SecretStore('us-east-1', ACCOUNT);
    store.seed({ name: 'chat/signing', arn: SEEDED_ARN, secretString: 's3', versionId: '11111111-1111-4111-a111-111111111111' });
    server = await startSecretsManagerServer(store);
  });
  afterAll(async () => server?.close());

  it('reads, creates a binary secret and names a missing one as Secrets Manager does', async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile('python3', ['-c', BOTO, server.url], { env: { ...process.env, PATH: `/usr/bin:${process.env.PATH ?? ''}` }, timeout: 30_000 }, (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out))),
    );
    expect(JSON.parse(stdout)).toEqual({ value: 's3', binary: '0001', described: 'boto', missing: ['ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 400] });
  }, 40_000);
});
