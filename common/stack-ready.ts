import { z } from 'zod';
import { NODE_RUNTIMES } from './node-runtimes.ts';
import { LAMBDA_RUNTIMES } from './lambda-runtimes.ts';
import { RuntimeInUse } from './runtimes-in-use.ts';
import { NotEmulatedPath, NotEmulatedResource } from './not-emulated-paths.ts';

/**
 * The one line `stack up` prints when the local stack is ready: what a harness needs to reach it.
 * The emulator writes it (emulator/stack.ts) and the harness reads it
 * (src/targets/local.ts) through this one schema, so the two cannot drift apart.
 */

/**
 * The runtime emulated and the Node that actually runs the functions. `matches` is false when
 * the Node major differs from the runtime's; `note` says why. `others`: what runs the functions
 * that are not Node.js, one phrase per runtime (`python3.12 on the host's Python 3.11.2 (…)`);
 * `node: false` when no function runs on Node. `runtimes`: every runtime in use, each on its own.
 */
export const LambdaRuntimeInfo = z.object({
  runtime: z.enum(NODE_RUNTIMES),
  node: z.string(),
  matches: z.boolean(),
  note: z.string().optional(),
  others: z.array(z.string()).optional(),
  nodeFunctions: z.boolean().optional(),
  /** each runtime the stack's functions name, with what ran it and its deprecation (common/runtimes-in-use.ts) */
  runtimes: z.array(RuntimeInUse).optional(),
});
export type LambdaRuntimeInfo = z.infer<typeof LambdaRuntimeInfo>;

/**
 * The route of a function no route invokes (a queue's or a stream's mapping, a topic, a rule or an
 * asynchronous invocation starts it): the ready line lists every function of the stack, so that a
 * harness reads the logs and metrics of each, as it would ask Lambda for them on AWS.
 */
export const PATH_ROUTE = '(path)';

/** One function as the ready line describes it: what a harness would ask Lambda for on AWS. */
export const StackFunctionInfo = z.object({
  name: z.string(),
  /** the template's logical id, where it differs from the name: what a user may name it by (compare --function) */
  logicalId: z.string().optional(),
  /** the route it serves; PATH_ROUTE for a function no route invokes */
  route: z.string(),
  memoryMB: z.number(),
  timeoutSeconds: z.number(),
  runtime: z.enum(LAMBDA_RUNTIMES),
  /** true for the $connect authorizer: invoked on every handshake before `route`'s own function */
  authorizer: z.literal(true).optional(),
  /** its reserved concurrency (the template's, or the config's override); absent: none */
  reservedConcurrency: z.number().int().nonnegative().optional(),
  /** the alias or version its route's integration invokes (absent: unqualified) */
  qualifier: z.string().optional(),
  /** its provisioned concurrency: on which alias or version, the version that holds it, how many environments */
  provisioned: z.array(z.object({ qualifier: z.string(), version: z.string(), environments: z.number().int().positive() })).optional(),
  /** Application Auto Scaling of its provisioned concurrency, where the template registers it: the alias or version, its bounds, its target tracking's target utilization */
  autoScaling: z.array(z.object({ qualifier: z.string(), min: z.int().nonnegative(), max: z.int().nonnegative(), targetValue: z.number().gt(0).lte(1).optional(), scheduledActions: z.int().nonnegative() })).optional(),
});
export type StackFunctionInfo = z.infer<typeof StackFunctionInfo>;

/** A throttle as API Gateway's stage settings give it: requests per second, and its burst. */
const Throttle = z.object({ rateLimit: z.number().positive(), burstLimit: z.number().int().nonnegative() });

export const StackReady = z.object({
  ready: z.literal(true),
  /** false: the stack has no WebSocket API (its HTTP or REST APIs alone run); `websocketUrl` then connects to nothing. Absent: it has one */
  webSocketApi: z.literal(false).optional(),
  websocketUrl: z.string(),
  callbackUrl: z.string(),
  cloudwatchEndpoint: z.string(),
  dynamodbEndpoint: z.string(),
  /** Lambda's API (GetFunctionConfiguration, UpdateFunctionConfiguration, …) for the SDK's LambdaClient. */
  lambdaEndpoint: z.string(),
  /** Systems Manager Parameter Store (GetParameter, PutParameter) for the SDK's SSMClient. */
  ssmEndpoint: z.string(),
  /** CloudFormation (DescribeStacks of this stack) for the SDK's CloudFormationClient. */
  cloudformationEndpoint: z.string(),
  /** API Gateway: v2 GetStage of this stack's stage for the SDK's ApiGatewayV2Client, and v1 GetAccount (the account's throttle) for its APIGatewayClient. */
  apiGatewayV2Endpoint: z.string(),
  /**
   * The emulator's own record of connections that went away and the @connections posts made to
   * them after (`GET`, common/gone-connections.ts): no AWS API says this.
   */
  goneConnectionsEndpoint: z.string(),
  /** The emulator's own record of the functions' calls to AWS endpoints it does not serve (`GET`, common/unserved-calls.ts); absent from older stacks. */
  unservedCallsEndpoint: z.string().optional(),
  /** Every AWS API above on one port (the emulator's edge): what `AWS_ENDPOINT_URL` names. */
  edgeEndpoint: z.string(),
  /** `AWS_ENDPOINT_URL` (the edge), and `AWS_ENDPOINT_URL_<SERVICE>` → endpoint, for every service above: exported, they point the SDK's standard configuration at this stack. */
  awsEndpointUrls: z.record(z.string(), z.string()),
  /** the CloudFormation stack this one stands in for (DescribeStacks answers it) */
  stackName: z.string(),
  /** its DynamoDB tables, by physical name */
  tables: z.array(z.string()),
  stage: z.string(),
  apiId: z.string(),
  region: z.string(),
  lambdaRuntime: LambdaRuntimeInfo,
  /** every function the stack runs, with the memory it got (`--memory`, the config, else the manifest's) */
  functions: z.array(StackFunctionInfo),
  /** the $connect authorizer, when the stack has one (the token itself is never here); parameterName: where the reference stack's reads its token */
  auth: z.object({ authorizer: z.string(), identitySource: z.array(z.string()), parameterName: z.string().optional() }).optional(),
  /**
   * The stack's HTTP APIs, each on a port of its own: its stage's URL (the API's root for
   * `$default`), and each route with the function it invokes; absent: none.
   */
  httpApis: z
    .array(
      z.object({
        logicalId: z.string(),
        name: z.string(),
        apiId: z.string(),
        stage: z.string(),
        url: z.string(),
        // `function`: a Lambda proxy's; absent: an HTTP proxy's route
        routes: z.array(z.object({ routeKey: z.string(), function: z.string().optional(), payloadFormatVersion: z.enum(['1.0', '2.0']) })),
      }),
    )
    .optional(),
  /**
   * The stack's REST APIs, each on a port of its own: every stage's URL (`…/{stage}`), and each
   * method with the function its Lambda proxy integration invokes (none for another integration)
   * and whether it requires an API key (the keys' values are never here); absent: none.
   */
  restApis: z
    .array(
      z.object({
        logicalId: z.string(),
        name: z.string(),
        apiId: z.string(),
        stages: z.array(z.object({ name: z.string(), url: z.string() })),
        methods: z.array(z.object({ method: z.string(), path: z.string(), function: z.string().optional(), apiKeyRequired: z.boolean() })),
      }),
    )
    .optional(),
  /** every trigger and integration into a function that the emulator does not run (common/not-emulated-paths.ts); absent: none */
  notEmulated: z.array(NotEmulatedPath).optional(),
  /** every resource of the template the emulator read but does not run (`AWS::Kinesis::Stream`, a log group …); absent: none */
  notEmulatedResources: z.array(NotEmulatedResource).optional(),
  /**
   * The throttles the stage runs with: its default (the config's, else the stage's own settings,
   * else the account's, as API Gateway applies them) and its routes' own; absent from older stacks.
   */
  throttles: z.object({ stage: Throttle, routes: z.record(z.string(), Throttle) }).optional(),
  /** what runs here where AWS may run it otherwise, one line each (StackDescription.warnings); absent: none */
  warnings: z.array(z.string()).optional(),
});
export type StackReady = z.infer<typeof StackReady>;

/**
 * The ready line among the stack's output lines: the first JSON object with `ready: true`.
 * A line that claims to be it but does not match the schema is an error, not silence: the
 * harness and the stack it started disagree about the contract.
 */
export function parseReadyLine(line: string): StackReady | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return undefined;
  }
  if ((v as { ready?: unknown } | null)?.ready !== true) return undefined;
  const parsed = StackReady.safeParse(v);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`the local stack's ready line does not match its contract (common/stack-ready.ts): ${issue.path.join('.') || '(line)'}: ${issue.message}`);
  }
  return parsed.data;
}
