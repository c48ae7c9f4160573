import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { listStackResources } from '../aws/stack-resources.ts';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Results } from '../contracts/results-schema.ts';
import type { SecretsManagerUsage } from '../contracts/secrets-manager-schema.ts';
import { ownSettings } from '../aws/sdk-settings.ts';
import { pullSecretsManagerCalls } from '../metrics/cloudwatch/secrets-manager-calls.ts';
import { describeProblem } from '../metrics/cloudwatch/pull-problem.ts';
import { stackApis } from './stack-path-pull.ts';
import type { Target } from './target.ts';

/**
 * results.secretsManager for a target whose stack CloudFormation describes (a local stack,
 * `aws:<stack>`): its secrets, and Secrets Manager's API calls over the window the CloudWatch
 * pull used (results.cloudwatch.window). undefined: no stack to read, no CloudWatch pulled, or no
 * secret and no call. Never throws: what could not be read is a note.
 */
export async function stackSecretsOf(target: Target, results: Pick<Results, 'cloudwatch'>): Promise<SecretsManagerUsage | undefined> {
  const window = results.cloudwatch?.window;
  const apis = stackApis(target);
  if (!window || !apis || !target.cloudWatch || results.cloudwatch?.status === 'unavailable') return undefined;
  const cloudformation = new CloudFormationClient(ownSettings(apis.cloudformation));
  const cloudwatch = new CloudWatchClient(ownSettings(target.cloudWatch.clients.cloudwatch));
  try {
    return await secretsManagerUsage({ cloudformation, cloudwatch }, { stackName: apis.stackName, window });
  } finally {
    cloudformation.destroy();
    cloudwatch.destroy();
  }
}

/** The stack's secrets (ListStackResources) and the calls CloudWatch counted over `window`. */
export async function secretsManagerUsage(
  clients: { cloudformation: CloudFormationClient; cloudwatch: CloudWatchClient },
  o: { stackName: string; window: { startMs: number; endMs: number; periodSec: number } },
): Promise<SecretsManagerUsage | undefined> {
  const notes: string[] = [];
  const secrets: string[] = [];
  try {
    for (const r of await listStackResources(clients.cloudformation, o.stackName)) {
      if (r.ResourceType === 'AWS::SecretsManager::Secret' && r.PhysicalResourceId) secrets.push(r.PhysicalResourceId);
    }
  } catch (err) {
    const p = describeProblem('ListStackResources', err);
    notes.push(`the stack's secrets were not read: ListStackResources of ${o.stackName} failed (${p.errorName}: ${p.message})`);
  }
  let calls: Record<string, number> = {};
  try {
    calls = await pullSecretsManagerCalls(clients.cloudwatch, o.window);
  } catch (err) {
    const p = describeProblem('AWS/Usage CallCount', err);
    notes.push(`Secrets Manager's API calls were not pulled (AWS/Usage CallCount): ${p.errorName}: ${p.message}`);
  }
  if (secrets.length === 0 && Object.keys(calls).length === 0 && notes.length === 0) return undefined;
  return { window: { startMs: o.window.startMs, endMs: o.window.endMs }, calls, secrets, ...(notes.length > 0 ? { notes } : {}) };
}
