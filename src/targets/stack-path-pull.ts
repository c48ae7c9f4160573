import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { StackPath } from '../contracts/path-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import { createLambdaClient } from '../aws/lambda-client.ts';
import { emulatorSettings, ownSettings, type SdkClientSettings } from '../aws/sdk-settings.ts';
import { pullDeliveryDenials, withDeliveryDenials } from '../metrics/cloudwatch/delivery-denials.ts';
import { pullPath } from '../metrics/cloudwatch/path-pull.ts';
import type { PathResources } from '../metrics/cloudwatch/path-queries.ts';
import { discoverStackPath } from './stack-path.ts';
import type { Target } from './target.ts';

/**
 * results.path for a target whose stack CloudFormation describes (a local stack, `aws:<stack>`):
 * its queued path found (stack-path.ts), then its hops' metrics pulled over the window the
 * CloudWatch pull used (results.cloudwatch.window), and, from the local emulator, the deliveries
 * its targets' resource-based policies refused (delivery-denials.ts). undefined: no stack to read,
 * no CloudWatch pulled, or a stack without queues, topics, rules or mappings. Never throws.
 */
export async function stackPathOf(target: Target, results: Pick<Results, 'cloudwatch' | 'config'>): Promise<StackPath | undefined> {
  const window = results.cloudwatch?.window;
  const apis = stackApis(target);
  if (!window || !apis || !target.cloudWatch || results.cloudwatch?.status === 'unavailable') return undefined;
  const resources = await discover(apis, (results.config.target.functions?.functions ?? []).map((f) => f.name));
  if (!resources) return undefined;
  const cloudwatch = new CloudWatchClient(ownSettings(target.cloudWatch.clients.cloudwatch));
  try {
    const path = await pullPath(cloudwatch, resources, window);
    if (!target.local || target.cloudWatch.source !== 'local') return path;
    const logs = new CloudWatchLogsClient(ownSettings(target.cloudWatch.clients.logs));
    try {
      // a refusal is written as it happens: read up to now, the settle wait past the window included
      return withDeliveryDenials(path, await pullDeliveryDenials(logs, { startMs: window.startMs, endMs: Date.now() }));
    } catch (err) {
      const e = err as Error;
      return { ...path, notes: [...(path.notes ?? []), `the emulator's record of refused deliveries could not be read: ${e.name} ${e.message}`] };
    } finally {
      logs.destroy();
    }
  } finally {
    cloudwatch.destroy();
  }
}

/**
 * A target's queued path as its stack's APIs list it now, before any load (the path's quota
 * pre-flight: src/session/path-preflight.ts): undefined where the target has no stack to read or
 * the stack no path. Never throws.
 */
export async function readStackPath(target: Target): Promise<{ resources: PathResources } | undefined> {
  const apis = stackApis(target);
  if (!apis) return undefined;
  const routeFunctions = (await target.describeFunctions().catch(() => undefined))?.functions.map((f) => f.name) ?? [];
  const resources = await discover(apis, routeFunctions);
  return resources ? { resources } : undefined;
}

/** The stack's path as its APIs list it now (stack-path.ts), through clients made for it and destroyed after; undefined where it could not be read. */
async function discover(apis: StackApis, routeFunctions: readonly string[]): Promise<PathResources | undefined> {
  const clients = {
    cloudformation: new CloudFormationClient(ownSettings(apis.cloudformation)),
    lambda: createLambdaClient(ownSettings(apis.lambda)),
    sqs: new SQSClient(ownSettings(apis.sqs)),
    apigateway: new ApiGatewayV2Client(ownSettings(apis.apigateway)),
    restApis: new APIGatewayClient(ownSettings(apis.apigateway)),
  };
  try {
    return await discoverStackPath(clients, { stackName: apis.stackName, routeFunctions }).catch(() => undefined);
  } finally {
    for (const c of Object.values(clients)) c.destroy();
  }
}

type StackApis = NonNullable<ReturnType<typeof stackApis>>;

/** Where the stack's CloudFormation, Lambda, SQS and API Gateway answer: the emulator's endpoints, or AWS's in the target's region and profile. */
export function stackApis(target: Target): { stackName: string; cloudformation: SdkClientSettings; lambda: SdkClientSettings; sqs: SdkClientSettings; apigateway: SdkClientSettings } | undefined {
  if (!target.lambdaApi) return undefined;
  const local = target.local;
  if (local) {
    return {
      stackName: local.stackName,
      cloudformation: emulatorSettings(local.cloudformationEndpoint, local.region),
      lambda: target.lambdaApi,
      // SQS answers on the edge, as every AWS API of the stack does
      sqs: emulatorSettings(local.edgeEndpoint, local.region),
      apigateway: emulatorSettings(local.apiGatewayV2Endpoint, local.region),
    };
  }
  const stackName = target.endpoints.stackName;
  if (!stackName || target.endpoints.services !== 'aws') return undefined;
  const { endpoint: _endpoint, ...aws } = target.lambdaApi;
  return { stackName, cloudformation: aws, lambda: target.lambdaApi, sqs: aws, apigateway: aws };
}
