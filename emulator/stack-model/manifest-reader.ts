import { UserError } from '../../common/errors.ts';
import type { NodeRuntime } from '../../common/node-runtimes.ts';
import {
  CONNECT_AUTHORIZER,
  DEFAULT_PUSH_FANOUT,
  DEFAULT_STAGE_THROTTLE,
  FUNCTION_ENV,
  FUNCTIONS,
  PUSH_EVENT,
  PUSH_QUEUE,
  pushFunctions,
  ROUTE_SELECTION_EXPRESSION,
  TOKEN_IDENTITY_SOURCES,
  TOKEN_PARAMETER_PLACEHOLDER,
  type AuthorizerSpec,
  type FunctionSpec,
  type PushFanout,
  type TokenIdentity,
} from '../../reference-stack/functions/manifest.ts';
import { tableDefinitions } from '../../reference-stack/functions/shared/tables.ts';
import { DEFAULT_STACK_NAME, stackResourceName, stackNameIssue, stackPushNames, stackTableNames, stackTokenParameter, type StackTableNames } from '../../reference-stack/functions/stack-names.ts';
import { localStackOutputs } from './reference-outputs.ts';
import { referenceAuthorizerRole, referencePushRole, referenceRouteRole } from './reference-roles.ts';
import { QUEUE_DEFAULTS, type EventSourceMappingDescription, type FunctionCode, type FunctionDescription, type QueueDescription, type RuleDescription, type StackDescription } from './stack-description.ts';
import { packagePath } from '../../common/package-paths.ts';

/**
 * The reference stack as a stack description, from its manifest (reference-stack/functions):
 * what the CDK app deploys, named as it names them for the stack `stackName`, without a
 * synthesis. The functions are TypeScript entries the emulator bundles as NodejsFunction does.
 * The only reader that knows the reference stack; everything else of the emulator runs the
 * description.
 */

export { DEFAULT_STACK_NAME };

export interface ManifestStackOptions {
  stackName?: string;
  region: string;
  accountId: string;
  apiId: string;
  stage: string;
  runtime: NodeRuntime;
  /** the $connect authorizer, when auth is on */
  auth?: { identitySource: TokenIdentity; parameterName?: string };
  /** the server push's fan-out (manifest.ts PUSH_FANOUTS; default direct) */
  pushFanout?: PushFanout;
  /** Replaces the manifest's functions, `entry` absolute (tests). */
  functions?: readonly StackFunction[];
  /** Replaces the manifest's authorizer, `entry` absolute (tests). */
  authorizer?: AuthorizerSpec;
}

const FUNCTIONS_DIR = `${packagePath('reference-stack', 'functions')}/`;

/**
 * Defaults the emulator gives the reference functions where this host differs from AWS; a
 * function's own `environment` in the config wins. POST_TIMEOUT_MS: on AWS a post answers in
 * milliseconds and the functions' 2 s bound only cuts off stuck ones, but here the functions
 * share a few cores with the gateway and the harness, and an oversubscribed host can hold a
 * healthy post for seconds: cutting it off would report the host's overload as lost deliveries.
 */
export const LOCAL_DEFAULT_ENV: Readonly<Record<string, string>> = { [FUNCTION_ENV.postTimeoutMs]: '20000' };

/** A function of the manifest (or a test's): `entry` absolute, or `code` as written (loaded from its directory with its Handler setting). */
export type StackFunction = Omit<FunctionSpec, 'entry'> & { entry?: string; code?: FunctionCode };

/** The manifest's functions with absolute entry paths, named as in the stack `stackName`. */
export function manifestFunctions(stackName = DEFAULT_STACK_NAME): StackFunction[] {
  return FUNCTIONS.map((f) => ({ ...f, name: stackResourceName(stackName, f.name), entry: `${FUNCTIONS_DIR}${f.entry}` }));
}

export function readManifestStack(o: ManifestStackOptions): StackDescription {
  const stackName = o.stackName ?? DEFAULT_STACK_NAME;
  const issue = stackNameIssue(stackName);
  if (issue) throw new UserError(`stackName: ${issue}`);
  const tables = stackTableNames(stackName);
  const awsCallbackUrl = `https://${o.apiId}.execute-api.${o.region}.amazonaws.com/${o.stage}`;
  // What the CDK app sets on every function, and what a config may not replace.
  const wired = {
    [FUNCTION_ENV.connectionsTable]: tables.connections,
    [FUNCTION_ENV.roomMembersTable]: tables.roomMembers,
    [FUNCTION_ENV.messagesTable]: tables.messages,
    POWERTOOLS_SERVICE_NAME: 'fanout-chat',
    POWERTOOLS_METRICS_NAMESPACE: 'FanoutBench',
  };
  // Test functions come named as they run; the manifest's are named after the stack.
  const nameOf = (name: string) => (o.functions ? name : stackResourceName(stackName, name));
  const describe = (f: { name: string; entry?: string; code?: FunctionCode; memoryMB: number; timeoutSeconds: number }, own: Record<string, string> = {}): FunctionDescription => ({
    logicalId: f.name,
    name: nameOf(f.name),
    code: f.code ?? { kind: 'entry', entry: f.entry!.startsWith('/') ? f.entry! : `${FUNCTIONS_DIR}${f.entry}` },
    runtime: o.runtime,
    memoryMB: f.memoryMB,
    timeoutSeconds: f.timeoutSeconds,
    environment: { ...LOCAL_DEFAULT_ENV, ...own },
  });
  const specs = o.functions ?? FUNCTIONS;
  // the roles the CDK app deploys (functions/route-access.ts); a test's own functions have none
  const push = pushResources(stackName, o);
  const roles = { region: o.region, accountId: o.accountId, apiId: o.apiId, stage: o.stage, tables, ...(push.queue ? { pushQueueArn: push.queue.arn } : {}) };
  const withRole = (fn: FunctionDescription, role: FunctionDescription['role']): FunctionDescription => (role ? { ...fn, role } : fn);
  const functions = specs.map((f) => withRole(describe(f), o.functions ? undefined : referenceRouteRole(f.route, nameOf(f.name), roles)));
  // the push path's functions (a test's own stack has none: it replaced the manifest's)
  if (!o.functions) {
    const queueEnv: Record<string, string> = push.queue ? { [FUNCTION_ENV.pushQueueUrl]: push.queue.url } : {};
    // not prepared ahead: only a run that publishes invokes them, so a run's first push is a cold start, as on AWS
    for (const f of push.functions) functions.push({ ...withRole(describe(f, f.trigger === 'rule' ? queueEnv : {}), referencePushRole(f.name, nameOf(f.name), roles)), preparedEnvironments: 0 });
  }
  const authorizerSpec = o.auth ? (o.authorizer ?? CONNECT_AUTHORIZER) : undefined;
  const parameterName = o.auth?.parameterName ?? stackTokenParameter(stackName);
  const authorizerFn =
    authorizerSpec &&
    withRole(describe(authorizerSpec, { [FUNCTION_ENV.tokenParameter]: parameterName }), o.authorizer ? undefined : referenceAuthorizerRole(nameOf(authorizerSpec.name), parameterName, roles));
  if (authorizerFn) functions.push(authorizerFn);
  const routes = specs.map((f) => ({
    logicalId: `${f.name}-route`,
    routeKey: f.route,
    functionId: f.name,
    integrationId: `${f.name}-integration`,
    authorizationType: (f.route === '$connect' && authorizerFn ? 'CUSTOM' : 'NONE') as 'CUSTOM' | 'NONE',
    twoWay: f.returnResponse,
  }));
  const authorizer = authorizerFn && {
    logicalId: authorizerFn.logicalId,
    name: authorizerFn.name,
    functionId: authorizerFn.logicalId,
    identitySource: [TOKEN_IDENTITY_SOURCES[o.auth!.identitySource]],
    tokenParameter: parameterName,
  };
  const definitions = tableDefinitions(tables);
  const outputs = localStackOutputs({
    websocketUrl: `wss://${o.apiId}.execute-api.${o.region}.amazonaws.com/${o.stage}`,
    callbackUrl: awsCallbackUrl,
    apiId: o.apiId,
    stage: o.stage,
    region: o.region,
    tables,
    functions: specs.map((f) => ({ route: f.route, name: nameOf(f.name) })),
    authorizer: authorizer && { name: authorizer.name, parameterName, identitySource: authorizer.identitySource[0]! },
  });
  return {
    stackName,
    source: { kind: 'manifest' },
    api: {
      logicalId: 'ChatApi',
      name: `${stackName}-api`,
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
      stage: { name: o.stage, throttle: { ...DEFAULT_STAGE_THROTTLE }, routeThrottles: {} },
    },
    routes,
    ...(authorizer ? { authorizer } : {}),
    functions,
    ...(o.functions ? {} : { eventBuses: [push.bus], rules: [push.rule], queues: push.queues, eventSourceMappings: push.mappings }),
    tables: definitions.map((definition) => ({ logicalId: tableLogicalId(tables, definition.TableName!), definition: { ...definition, TableName: definition.TableName! } })),
    // the parameter the CDK app creates for the authorizer's token, holding its placeholder until the token is put
    parameters: authorizer ? [{ logicalId: 'ConnectTokenParameter', name: parameterName, type: 'String', value: TOKEN_PARAMETER_PLACEHOLDER }] : [],
    notEmulated: [],
    outputs: outputs.map((out) => ({ key: out.OutputKey, value: out.OutputValue })),
    wiredEnvironment: wired,
    ...(authorizerFn ? {} : { dormantFunctions: { [stackResourceName(stackName, (o.authorizer ?? CONNECT_AUTHORIZER).name)]: 'the $connect authorizer runs only with auth on (--auth, auth.enabled)' } }),
    callbackUrlVariable: FUNCTION_ENV.callbackUrl,
  };
}

/**
 * The server push (manifest.ts PUSH_EVENT) as the CDK app deploys it: the stack's bus and the rule
 * matching push events, whose target is the direct push function, or (queued) the fan-out function
 * with the push queue, its dead-letter queue and the workers' event source mapping (PUSH_QUEUE).
 * Logical ids are the ones the CDK app pins (PushBus, PushRule, PushQueue, PushDeadLetterQueue).
 */
function pushResources(stackName: string, o: ManifestStackOptions) {
  const names = stackPushNames(stackName);
  const fanout = o.pushFanout ?? DEFAULT_PUSH_FANOUT;
  const specs = pushFunctions(fanout);
  const fnArn = (manifestName: string) => `arn:aws:lambda:${o.region}:${o.accountId}:function:${stackResourceName(stackName, manifestName)}`;
  const bus = { logicalId: 'PushBus', name: names.bus, arn: `arn:aws:events:${o.region}:${o.accountId}:event-bus/${names.bus}` };
  const target = specs.find((f) => f.trigger === 'rule')!;
  const rule: RuleDescription = {
    logicalId: 'PushRule',
    name: names.rule,
    arn: `arn:aws:events:${o.region}:${o.accountId}:rule/${names.bus}/${names.rule}`,
    busName: names.bus,
    eventPattern: { source: [PUSH_EVENT.source], 'detail-type': [PUSH_EVENT.detailType] },
    state: 'ENABLED',
    targets: [{ id: 'Target0', arn: fnArn(target.name) }],
  };
  const queueArn = (name: string) => `arn:aws:sqs:${o.region}:${o.accountId}:${name}`;
  const standard = (logicalId: string, name: string): QueueDescription => ({
    logicalId,
    name,
    arn: queueArn(name),
    fifo: false,
    contentBasedDeduplication: false,
    ...QUEUE_DEFAULTS,
  });
  if (fanout === 'direct') return { functions: specs, bus, rule, queues: [], mappings: [], queue: undefined };
  const dlq = { ...standard('PushDeadLetterQueue', names.deadLetterQueue), messageRetentionSeconds: PUSH_QUEUE.deadLetterRetentionSeconds };
  const queue = {
    ...standard('PushQueue', names.queue),
    visibilityTimeoutSeconds: PUSH_QUEUE.visibilityTimeoutSeconds,
    redrive: { deadLetterTargetArn: dlq.arn, maxReceiveCount: PUSH_QUEUE.maxReceiveCount },
  };
  const worker = specs.find((f) => f.trigger === 'queue')!;
  const mapping: EventSourceMappingDescription = {
    logicalId: 'PushWorkerQueueMapping',
    functionName: stackResourceName(stackName, worker.name),
    kind: 'sqs',
    sourceArn: queue.arn,
    batchSize: PUSH_QUEUE.batchSize,
    maximumBatchingWindowSeconds: PUSH_QUEUE.maximumBatchingWindowSeconds,
    enabled: true,
    reportBatchItemFailures: true,
    maximumConcurrency: PUSH_QUEUE.maximumConcurrency,
  };
  // the URL the CDK app gives the fan-out (queue.queueUrl); the runtime sends SQS's host to the emulator
  const url = `https://sqs.${o.region}.amazonaws.com/${o.accountId}/${queue.name}`;
  return { functions: specs, bus, rule, queues: [queue, dlq], mappings: [mapping], queue: { arn: queue.arn, url } };
}

/** `roomMembers` → RoomMembersTable, as the outputs name the tables. */
function tableLogicalId(tables: StackTableNames, name: string): string {
  const key = (Object.keys(tables) as Array<keyof StackTableNames>).find((k) => tables[k] === name) ?? name;
  return `${key.charAt(0).toUpperCase()}${key.slice(1)}Table`;
}
