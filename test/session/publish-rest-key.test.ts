import { fileURLToPath } from 'node:url';
import { CloudFormationClient, ListStackResourcesCommand, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { emulatorSettings } from '../../src/aws/sdk-settings.ts';
import { resolveHttpRoute } from '../../src/session/publish-http-route.ts';

/**
 * A publish phase's REST method and API key, resolved as before load against the seed
 * walkthrough's REST API (test/fixtures/stacks/rest-api-key) with its key disabled: the key is
 * found by logical id and by name through the emulator's CloudFormation and API Gateway endpoints
 * with the real SDK, and refused in one line naming `apiKey`, since API Gateway would answer 403
 * to every publish carrying it. Enabled, the method's URL and the key's header come back.
 */
const TEMPLATE = fileURLToPath(new URL('../fixtures/stacks/rest-api-key/template.yaml', import.meta.url));
const FIELD = 'scenario.yaml: phases[1].publish.to';
const stacks: RunningStack[] = [];

async function up(keyEnabled: 'true' | 'false'): Promise<{ stack: RunningStack; resources: StackResourceSummary[] }> {
  const config = defaultStackConfig({ template: { path: TEMPLATE, parameters: { KeyEnabled: keyEnabled } }, lambda: { preparedPerFunction: 0 } });
  const stack = await startStack({ config, stack: (await describeStack(config)).stack, log: () => {} });
  stacks.push(stack);
  const cfn = new CloudFormationClient({ endpoint: stack.ready.cloudformationEndpoint, region: stack.ready.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    return { stack, resources: (await cfn.send(new ListStackResourcesCommand({ StackName: stack.ready.stackName }))).StackResourceSummaries ?? [] };
  } finally {
    cfn.destroy();
  }
}

const resolve = (s: { stack: RunningStack; resources: StackResourceSummary[] }, apiKey: string) => {
  const settings = emulatorSettings(s.stack.ready.awsEndpointUrls.AWS_ENDPOINT_URL_API_GATEWAY!, s.stack.ready.region);
  return resolveHttpRoute({ kind: 'route', method: 'POST', path: '/DynamoBackend' }, apiKey, { resources: s.resources, settings: { v1: settings, v2: settings }, field: FIELD, where: 'stack rest-api-key' });
};

let enabled: Awaited<ReturnType<typeof up>>;
let disabled: Awaited<ReturnType<typeof up>>;
beforeAll(async () => {
  enabled = await up('true');
  disabled = await up('false');
}, 60_000);
afterAll(() => Promise.all(stacks.map((s) => s.close())));

describe("a publish phase's API key of the stack's REST API", () => {
  it('found by logical id or by name: the method URL and the key sent as x-api-key', async () => {
    for (const name of ['ApiKey', 'walkthrough-key']) {
      const found = await resolve(enabled, name);
      expect(found.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/restapis\/[a-z0-9]{10}\/dev\/_user_request_\/DynamoBackend$/);
      expect(found.headers).toEqual({ 'x-api-key': 'walkthrough-demo-key-0123456789' });
      expect(found.label).toMatch(/^REST API LambdaMicroservice method POST \/DynamoBackend \(.+\), with API key walkthrough-key$/);
      expect(found.label).not.toContain('walkthrough-demo-key');
    }
  });

  it('a disabled key is refused in one line naming the phase\'s apiKey', async () => {
    for (const name of ['ApiKey', 'walkthrough-key']) {
      const err = await resolve(disabled, name).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toBe(`scenario.yaml: phases[1].publish.apiKey: API key ${name} is disabled (Enabled: false): API Gateway answers 403 to every request with it`);
    }
  });
});
