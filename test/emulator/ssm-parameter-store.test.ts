import { GetParameterCommand, ParameterAlreadyExists, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsJsonServer } from '../../emulator/aws-json-server.ts';
import { ParameterStore } from '../../emulator/ssm/parameter-store.ts';
import { startSsmServer } from '../../emulator/ssm/server.ts';

// The emulator's Parameter Store through the real SSMClient (AWS JSON 1.1, AmazonSSM.<Op>).

const store = new ParameterStore('us-east-1', '000000000000');
let server: AwsJsonServer;
let ssm: SSMClient;

beforeAll(async () => {
  store.seed('/fanout-bench/connect-token', 's3cret-value', 'SecureString');
  server = await startSsmServer(store);
  ssm = new SSMClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  ssm?.destroy();
  await server?.close();
});

describe('Parameter Store GetParameter / PutParameter', () => {
  it('answers a seeded SecureString decrypted only WithDecryption', async () => {
    const plain = await ssm.send(new GetParameterCommand({ Name: '/fanout-bench/connect-token', WithDecryption: true }));
    expect(plain.Parameter).toMatchObject({
      Name: '/fanout-bench/connect-token',
      Type: 'SecureString',
      Value: 's3cret-value',
      Version: 1,
      ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/fanout-bench/connect-token',
      DataType: 'text',
    });
    expect(plain.Parameter!.LastModifiedDate).toBeInstanceOf(Date);
    const sealed = await ssm.send(new GetParameterCommand({ Name: '/fanout-bench/connect-token' }));
    expect(sealed.Parameter!.Value).not.toContain('s3cret');
  });

  it('finds a parameter by its ARN', async () => {
    const out = await ssm.send(new GetParameterCommand({ Name: 'arn:aws:ssm:us-east-1:000000000000:parameter/fanout-bench/connect-token', WithDecryption: true }));
    expect(out.Parameter!.Value).toBe('s3cret-value');
  });

  it('creates, refuses to overwrite unless asked, then versions a String parameter', async () => {
    expect(await ssm.send(new PutParameterCommand({ Name: '/t/a', Value: 'one', Type: 'String' }))).toMatchObject({ Version: 1, Tier: 'Standard' });
    await expect(ssm.send(new PutParameterCommand({ Name: '/t/a', Value: 'two', Type: 'String' }))).rejects.toBeInstanceOf(ParameterAlreadyExists);
    expect((await ssm.send(new PutParameterCommand({ Name: '/t/a', Value: 'two', Overwrite: true }))).Version).toBe(2);
    const out = await ssm.send(new GetParameterCommand({ Name: '/t/a' }));
    expect(out.Parameter).toMatchObject({ Value: 'two', Version: 2, Type: 'String' });
  });

  it('raises ParameterNotFound for an unknown name and ValidationException for a bad one', async () => {
    await expect(ssm.send(new GetParameterCommand({ Name: '/nope' }))).rejects.toBeInstanceOf(ParameterNotFound);
    await expect(ssm.send(new GetParameterCommand({ Name: 'a/b' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.send(new PutParameterCommand({ Name: '/t/new', Value: 'x' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
