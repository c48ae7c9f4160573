import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { UserError } from '../../common/errors.ts';
import { AWS_TARGET_PREFIX } from '../contracts/target-spec.ts';
import { awsCallError } from '../aws/aws-call-errors.ts';
import { cloudWatchFor } from '../aws/cloudwatch-source.ts';
import { goneLogLines } from '../metrics/cloudwatch/gone-log-lines.ts';
import { logGroupsOf } from '../metrics/cloudwatch/function-log-group.ts';
import { deployedStackWarnings } from './deployed-warnings.ts';
import { unqualifiedInvocations } from './unqualified-invocations.ts';
import { readFunctionConfigs } from '../aws/function-configuration.ts';
import { readProvisioned } from '../aws/provisioned-configs.ts';
import { createLambdaClient } from '../aws/lambda-client.ts';
import { awsSettings } from '../aws/sdk-settings.ts';
import type { ConnectToken } from '../fleet/protocols/connect-token.ts';
import { probe, type ProbeHandshake } from './remote.ts';
import { fromOutputs, type DeployedStack } from './deployed-stack.ts';
import { CONTRACT_OUTPUT_KEYS, parseStackOutputs, type StackDescription } from './stack-description.ts';
import { discoverStack, functionsOfNoRoute } from './stack-discovery.ts';
import { listStackResources } from '../aws/stack-resources.ts';
import { configuredFunction } from './target-functions.ts';
import { readTokenParameter } from './token-parameter.ts';
import type { Target, TargetEndpoints, TargetFunctions } from './target.ts';

/**
 * `--target aws:<stackName>`: a deployed stack found by its CloudFormation name. Its outputs (the
 * contract in common/stack-outputs.ts) name the WebSocket URL, the API and stage, the tables and the
 * function of every route; a stack without them (none of the contract's own keys: CONTRACT_OUTPUT_KEYS) is discovered from
 * its resources instead (stack-discovery.ts). Lambda's GetFunctionConfiguration says how each function is configured
 * now (memory, architecture, timeout, runtime). So the CloudWatch pull, the cost and compare use
 * the real functions and sizes. Region and credentials come from the SDK's standard chain, or
 * `--region` / `--profile`. Everything is asked before any client connects; a missing stack, no
 * credentials or no permission is one line (UserError, exit 2) that never holds a secret.
 */

export interface AwsStackTargetOptions {
  stackName: string;
  /** `--region`; default: the SDK's chain (AWS_REGION, the profile's region) */
  region?: string;
  /** `--profile`; default: the SDK's chain (AWS_PROFILE, the default profile) */
  profile?: string;
  /**
   * Clients made by the caller (tests): CloudFormation has no local endpoint, the emulator serves
   * Lambda's. Clients passed in are not destroyed by stop().
   */
  clients?: { cloudformation?: CloudFormationClient; lambda?: LambdaClient; apigatewayv2?: ApiGatewayV2Client };
  /** the WebSocket probe's timeout (default remote.ts's PROBE_TIMEOUT_MS, 15 s) */
  probeTimeoutMs?: number;
  /** a protocol other than chat-v1: the probe shakes hands as its clients do */
  probeHandshake?: ProbeHandshake;
  /** the run's token for the stack's $connect authorizer: the probe sends it too */
  token?: ConnectToken;
}

/** Stack states whose outputs describe what is deployed. */
const USABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);

export async function openAwsStackTarget(o: AwsStackTargetOptions): Promise<Target> {
  const subject = `${AWS_TARGET_PREFIX}${o.stackName}`;
  const owned: Array<{ destroy(): void }> = [];
  const cloudformation = o.clients?.cloudformation ?? own(new CloudFormationClient(awsSettings(o)), owned);
  let lambda: LambdaClient | undefined = o.clients?.lambda;
  try {
    const region = await clientRegion(cloudformation, subject);
    const stack = await findDeployedStack(cloudformation, o.stackName, { region, profile: o.profile }, o.clients?.apigatewayv2);
    // the stack's region from here on, and --profile for everything asked of AWS later (CloudWatch, compare's Lambda calls)
    const lambdaApi = awsSettings({ region: stack.region, profile: o.profile });
    lambda ??= own(createLambdaClient(lambdaApi), owned);
    return await deployedTarget(stack, { label: subject, lambda, lambdaApi, profile: o.profile, probeTimeoutMs: o.probeTimeoutMs, token: o.token, probeHandshake: o.probeHandshake, owned });
  } catch (err) {
    for (const c of owned) c.destroy();
    throw err;
  }
}

/**
 * The Target of a deployed stack however it was found (aws:<stack>, aws-api:<id>/<stage>): its
 * functions asked of Lambda now (a missing function or permission stops the run before it
 * starts), its authorizer's token parameter, one probe of its URL. stop() destroys `owned`.
 */
export async function deployedTarget(
  stack: DeployedStack,
  o: { label: string; lambda: LambdaClient; lambdaApi: ReturnType<typeof awsSettings>; profile?: string; probeTimeoutMs?: number; token?: ConnectToken; probeHandshake?: ProbeHandshake; owned: Array<{ destroy(): void }> },
): Promise<Target> {
  const describeFunctions = () => stackFunctions(o.lambda, stack, o.label);
  const listed = (await describeFunctions()).functions;
  // the functions' log groups, where a LoggingConfig names its own, for the logs read below
  const logGroups = logGroupsOf(listed);
  // provisioned concurrency or SnapStart no route's integration reaches: said before measuring, as the local stack says it
  const unqualified = unqualifiedInvocations(listed);
  const authorizer = stack.functions.find((f) => f.authorizer);
  const tokenParameter = authorizer ? await readTokenParameter(o.lambda, authorizer.name) : undefined;
  const connectColdFlag = await probe(stack.websocketUrl, o.probeTimeoutMs, o.token, o.probeHandshake);
  let stopped = false;
  const endpoints = stackEndpoints(stack);
  const cloudWatch = cloudWatchFor(endpoints, { profile: o.profile });
  return {
    kind: 'remote',
    url: stack.websocketUrl,
    label: o.label,
    discovery: stack.discovery,
    endpoints,
    describeFunctions,
    local: undefined,
    stackArgs: [],
    cloudWatch,
    lambdaApi: o.lambdaApi,
    iamApi: o.lambdaApi,
    apiGatewayApi: awsSettings({ region: stack.region, ...(o.profile ? { profile: o.profile } : {}) }),
    scenarioWarnings: (scenario) => [...deployedStackWarnings(scenario), ...unqualified],
    startedWith: {},
    connectColdFlag,
    // AWS says nothing of posts to gone connections but what the functions log
    ...(cloudWatch ? { stalePosts: (run: { startMs: number; endMs: number }) => goneLogLines(cloudWatch, stack.functions.map((f) => f.name), run, undefined, logGroups) } : {}),
    ...(tokenParameter ? { tokenParameter } : {}),
    ...(stack.authorizerIdentitySource ? { authorizerIdentitySource: stack.authorizerIdentitySource } : {}),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const c of o.owned) c.destroy();
    },
  };
}

/**
 * A stack read from its outputs, which name its routes' functions, with its others (the server
 * push's: whatever starts them) from its resources. ListStackResources refused (a role without
 * it): the routes' alone, as before the stack's other functions were read.
 */
async function withFunctionsOfNoRoute(client: CloudFormationClient, stackName: string, stack: DeployedStack): Promise<DeployedStack> {
  const resources = await listStackResources(client, stackName).catch(() => []);
  const others = functionsOfNoRoute(resources, stack.functions);
  return { ...stack, functions: [...stack.functions, ...others.functions], discovery: { ...stack.discovery, found: [...stack.discovery.found, ...others.found] } };
}

/**
 * The stack by name, checked (it exists, it is usable), then read: from its outputs when it
 * publishes the contract, else discovered from its resources. `apigatewayv2`: a client made by the
 * caller (tests); otherwise one is made in the stack's region and destroyed.
 */
export async function findDeployedStack(
  client: CloudFormationClient,
  stackName: string,
  at: { region: string; profile?: string },
  apigatewayv2?: ApiGatewayV2Client,
): Promise<DeployedStack> {
  const stack = await checkedStack(client, stackName, at);
  const outputs = outputsOf(stack);
  if (CONTRACT_OUTPUT_KEYS.some((k) => outputs[k] !== undefined)) return withFunctionsOfNoRoute(client, stackName, fromOutputs(stackName, parsedOutputs(stackName, outputs)));
  const apigw = apigatewayv2 ?? new ApiGatewayV2Client(awsSettings(at));
  try {
    return await discoverStack(client, apigw, { stackName, region: at.region, subject: `${AWS_TARGET_PREFIX}${stackName}` });
  } finally {
    if (!apigatewayv2) apigw.destroy();
  }
}

function own<T extends { destroy(): void }>(client: T, owned: Array<{ destroy(): void }>): T {
  owned.push(client);
  return client;
}

/** The region the client will call (from --region or the SDK's chain); none is a UserError. */
async function clientRegion(client: CloudFormationClient, subject: string): Promise<string> {
  try {
    return await client.config.region();
  } catch (err) {
    throw awsCallError(err, { subject, action: 'a region', service: 'CloudFormation' });
  }
}

/**
 * DescribeStacks for one stack, checked: it exists in this region, is in a state whose outputs
 * describe what is deployed, and its outputs are the contract's.
 */
export async function describeStack(
  client: CloudFormationClient,
  stackName: string,
  at: { region?: string; profile?: string } = {},
): Promise<StackDescription> {
  return parsedOutputs(stackName, outputsOf(await checkedStack(client, stackName, at)));
}

function outputsOf(stack: Stack): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const o of stack.Outputs ?? []) if (o.OutputKey && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
  return outputs;
}

function parsedOutputs(stackName: string, outputs: Record<string, string>): StackDescription {
  const parsed = parseStackOutputs(outputs);
  if (!parsed.ok) {
    throw new UserError(`${AWS_TARGET_PREFIX}${stackName}: ${parsed.issue}: a stack targeted by name publishes the outputs listed in the README ("Targeting a stack by name"), or none of CallbackUrl and its table outputs (then its resources are discovered)`);
  }
  return parsed.value;
}

/** DescribeStacks: the stack exists in this region and is in a state that describes what is deployed. */
async function checkedStack(client: CloudFormationClient, stackName: string, at: { region?: string; profile?: string }): Promise<Stack> {
  const subject = `${AWS_TARGET_PREFIX}${stackName}`;
  const where = at.region ? ` in ${at.region}` : '';
  let stack: Stack | undefined;
  try {
    stack = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (err) {
    // CloudFormation answers a missing stack with a ValidationError "Stack with id … does not exist"
    if ((err as Error).name === 'ValidationError' && /does not exist/i.test((err as Error).message)) stack = undefined;
    else throw awsCallError(err, { subject, action: 'cloudformation:DescribeStacks', service: 'CloudFormation', ...at });
  }
  if (!stack) {
    throw new UserError(`${subject}: no such stack${where} (deploy it with "npm run cdk -- deploy", or give the stack's --region / --profile)`);
  }
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (!USABLE.has(status)) {
    const why = status.endsWith('_IN_PROGRESS') ? 'wait until it is complete' : 'its outputs do not describe a working deployment; deploy it again';
    throw new UserError(`${subject}: the stack is ${status}${where}: ${why}`);
  }
  return stack;
}

/**
 * Every function of the stack as Lambda reports it now (GetFunctionConfiguration), in route order.
 * Asked again by each measurement: compare changes memory between two. A failure is Lambda's one
 * line (function-configuration.ts) about the first function that failed, prefixed with the stack.
 */
export async function stackFunctions(lambda: LambdaClient, stack: Pick<DeployedStack, 'functions'>, subject: string): Promise<TargetFunctions> {
  try {
    const names = stack.functions.map((f) => f.name);
    const [configs, provisioned] = await Promise.all([readFunctionConfigs(lambda, names), Promise.all(names.map((name) => readProvisioned(lambda, name)))]);
    return { source: 'lambda-api', functions: stack.functions.map((f, i) => configuredFunction({ ...f, ...(provisioned[i] ? { provisioned: provisioned[i] } : {}) }, configs[i]!)) };
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${subject}: ${err.message}`, err.exitCode);
    throw err;
  }
}

/** Where the stack's APIs answer: AWS's regional endpoints, as the SDK resolves them. */
export function stackEndpoints(stack: DeployedStack): TargetEndpoints {
  const domain = stack.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const at = (service: string) => `https://${service}.${stack.region}.${domain}`;
  return {
    websocket: stack.websocketUrl,
    services: 'aws',
    region: stack.region,
    apiGateway: { apiId: stack.apiId, stage: stack.stage },
    callback: stack.callbackUrl,
    cloudwatch: at('monitoring'),
    logs: at('logs'),
    dynamodb: at('dynamodb'),
    lambda: at('lambda'),
    ...(stack.stackName ? { stackName: stack.stackName } : {}),
    tables: stack.tables,
  };
}
