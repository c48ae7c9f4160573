import { fileURLToPath } from 'node:url';
import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { connect, handshakeStatus } from '../fixtures/gateway/clients.ts';
import { secretsManagerUsage } from '../../src/targets/stack-secrets.ts';

/**
 * test/fixtures/stacks/secret-authorizer: a $connect authorizer that reads its signing secret
 * (an AWS::SecretsManager::Secret with GenerateSecretString) with GetSecretValue at INIT, told
 * its key id by a dynamic reference, its role allowed that secret only. Real ws sockets; the
 * secret read back with the real SecretsManagerClient through the edge, as a user's script would.
 */
const TEMPLATE = fileURLToPath(new URL('../fixtures/stacks/secret-authorizer/template.yaml', import.meta.url));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let stack: RunningStack;
const lines: string[] = [];

beforeAll(async () => {
  const config = defaultStackConfig({ template: { path: TEMPLATE, parameters: {} }, lambda: { preparedPerFunction: 0 } });
  const described = await describeStack(config);
  stack = await startStack({ config, stack: described.stack, log: (line) => lines.push(line) });
}, 60_000);
afterAll(async () => stack?.close());

describe('a $connect authorizer reading its secret from Secrets Manager', () => {
  it('runs the secret (not listed as not emulated), and lets in the right token and refuses a wrong one', async () => {
    const startMs = Date.now();
    const secret = stack.stack.secrets?.find((s) => s.logicalId === 'SigningSecret');
    expect(secret?.arn).toMatch(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:SigningSecret-[A-Za-z0-9]{12}-[A-Za-z0-9]{6}$/);
    expect(stack.stack.notEmulated.map((r) => r.type)).not.toContain('AWS::SecretsManager::Secret');
    expect(stack.ready.awsEndpointUrls?.AWS_ENDPOINT_URL_SECRETS_MANAGER).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const sm = new SecretsManagerClient({ endpoint: stack.ready.edgeEndpoint, region: 'us-east-1', credentials });
    const value = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: secret!.arn }))).SecretString!) as { keyId: string; token: string };
    sm.destroy();
    expect(value.keyId).toBe('k1');
    expect(value.token).toMatch(/^[A-Za-z0-9]{40}$/);

    const url = stack.ready.websocketUrl;
    const client = await connect(url, { headers: { Auth: `k1.${value.token}` } });
    client.close();
    expect(await handshakeStatus(url, { headers: { Auth: 'k1.wrong' } })).toBe(403);
    expect(lines.filter((l) => l.startsWith('iam:'))).toEqual([]);

    // CloudFormation names the secret by its ARN, as Ref does
    const cfn = new CloudFormationClient({ endpoint: stack.ready.cloudformationEndpoint, region: 'us-east-1', credentials });
    const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack.ready.stackName }))).StackResources ?? [];
    cfn.destroy();
    expect(resources.find((r) => r.LogicalResourceId === 'SigningSecret')).toMatchObject({ PhysicalResourceId: secret!.arn, ResourceType: 'AWS::SecretsManager::Secret' });

    // the run's Secrets Manager use as the harness pulls it: the stack's secret (ListStackResources)
    // and the calls AWS/Usage CallCount counted (the authorizer's at INIT and the script's above)
    const cloudformation = new CloudFormationClient({ endpoint: stack.ready.cloudformationEndpoint, region: 'us-east-1', credentials });
    const cloudwatch = new CloudWatchClient({ endpoint: stack.ready.cloudwatchEndpoint, region: 'us-east-1', credentials });
    const usage = await secretsManagerUsage({ cloudformation, cloudwatch }, { stackName: stack.ready.stackName, window: { startMs: startMs - 1000, endMs: Date.now() + 1000, periodSec: 1 } });
    cloudformation.destroy();
    cloudwatch.destroy();
    expect(usage?.secrets).toEqual([secret!.arn]);
    expect(usage?.notes).toBeUndefined();
    expect(usage?.calls.GetSecretValue).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
