import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import { refusal } from './target-refusal.ts';
import { systemFacts } from '../../src/session/system-metrics.ts';
import { openAwsStackTarget } from '../../src/targets/aws-stack.ts';
import { cloudWatchFor } from '../../src/aws/cloudwatch-source.ts';
import type { Target } from '../../src/targets/target.ts';
import { buildResults } from '../report/fixtures.ts';

// `--target aws:<stackName>` with nothing to sign with: the real SDK clients and their real
// credential and region chains, emptied (no keys in the environment, no config files, no instance
// metadata to ask). Nothing is mocked, and nothing reaches the network: the chain fails first,
// or (the profile) the SDK is pointed at the emulator's CloudWatch endpoint.

describe('aws:<stackName> without a region or credentials (the real SDK chain, nothing mocked answers)', () => {
  // An empty chain: no keys in the environment, no config files, no instance metadata to ask.
  const EMPTY_CHAIN = {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  };
  let saved: NodeJS.ProcessEnv;
  beforeAll(() => {
    saved = { ...process.env };
    for (const [k, v] of Object.entries(EMPTY_CHAIN)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  afterAll(() => {
    process.env = saved;
  });

  it('no region anywhere', async () => {
    const err = await refusal(openAwsStackTarget({ stackName: 'FanoutBenchChat' }));
    expect(err.message).toBe('aws:FanoutBenchChat: no AWS region: give --region, or set AWS_REGION or a region in the profile');
  });

  it('no credentials anywhere', async () => {
    const err = await refusal(openAwsStackTarget({ stackName: 'FanoutBenchChat', region: 'eu-west-1' }));
    expect(err.message).toBe("aws:FanoutBenchChat: no AWS credentials: the SDK's standard chain (environment, profile, SSO, instance role) found none usable");
  });

  it('a --profile the config files do not have', async () => {
    const err = await refusal(openAwsStackTarget({ stackName: 'FanoutBenchChat', region: 'eu-west-1', profile: 'nosuch' }));
    expect(err.message).toBe('aws:FanoutBenchChat: no AWS credentials: the SDK\'s standard chain (environment, profile "nosuch", SSO, instance role) found none usable');
  });
});

describe('--profile reaches the CloudWatch pull of an aws: target', () => {
  // A credentials file whose only keys are in profile "bench", and the SDK's own per-service
  // endpoint settings pointing CloudWatch and CloudWatch Logs at the emulator's endpoint: the pull
  // can sign (and so run) only if it uses the target's profile.
  let saved: NodeJS.ProcessEnv;
  let server: CloudWatchServer;
  let dir: string;
  beforeAll(async () => {
    saved = { ...process.env };
    server = await startCloudWatchServer({ store: new MetricStore(), logs: new LogStore() });
    dir = mkdtempSync(join(tmpdir(), 'fb-profile-'));
    writeFileSync(join(dir, 'credentials'), '[bench]\naws_access_key_id = AKIAPROFILETEST00001\naws_secret_access_key = profile-secret\n');
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_') && k !== 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED') delete process.env[k];
    Object.assign(process.env, {
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_CLOUDWATCH: server.url,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: server.url,
    });
  });
  afterAll(async () => {
    process.env = saved;
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function awsTarget(awsProfile?: string): Target {
    const endpoints = {
      websocket: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod',
      services: 'aws' as const,
      region: 'eu-west-1',
      apiGateway: { apiId: 'abc123', stage: 'prod' },
      stackName: 'FanoutBenchChat',
    };
    return {
      kind: 'remote',
      url: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod',
      endpoints,
      describeFunctions: async () => ({ source: 'assumed', functions: [] }),
      local: undefined,
      stackArgs: [],
      // as openAwsStackTarget sets it: --profile signs everything asked of AWS later
      cloudWatch: cloudWatchFor(endpoints, { profile: awsProfile }),
      lambdaApi: null,
      scenarioWarnings: () => [],
      startedWith: {},
      stop: async () => {},
    };
  }

  it("signs with the target's profile", async () => {
    // no wait for publication: what is tested is that every call was signed and answered
    const { cloudwatch } = await systemFacts(buildResults({ cloudwatch: false }), awsTarget('bench'), { metricsWaitMs: 0 });
    expect(cloudwatch?.problems).toEqual([]);
    expect(cloudwatch?.status).not.toBe('unavailable');
  });

  it('without it, the default chain has nothing to sign with', async () => {
    const { cloudwatch } = await systemFacts(buildResults({ cloudwatch: false }), awsTarget());
    expect(cloudwatch?.status).toBe('unavailable');
    expect(cloudwatch?.problems[0]).toMatchObject({ errorName: 'CredentialsProviderError' });
  });
});
