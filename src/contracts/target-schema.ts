import type { StackReady } from '../../common/stack-ready.ts';
import { z } from 'zod';
import type { NotEmulatedPath, NotEmulatedResource } from '../../common/not-emulated-paths.ts';

/**
 * Where a function publishes its EMF metrics: Powertools' (Node's and Python's) namespace and the
 * `service` dimension it adds to every metric, as its environment sets them
 * (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME); no service: every metric of the namespace.
 */
export const EmfSource = z.object({ namespace: z.string(), service: z.string().optional() });
export type EmfSource = z.infer<typeof EmfSource>;

/**
 * What a target says about the system behind it, as recorded in results.json
 * (`config.target.endpoints`, `config.target.functions`): where its AWS APIs answer and which
 * Lambda functions it runs, with the memory each has now. Cost, the CloudWatch pull and compare
 * read these instead of assuming the reference stack's defaults.
 */
export const TargetFunction = z.object({
  /** Lambda function name (the CloudWatch FunctionName dimension and log group) */
  name: z.string(),
  /** a local template's logical id for it, where that differs from the name */
  logicalId: z.string().optional(),
  /** the API Gateway route it serves */
  route: z.string(),
  /** the alias or version its route invokes, where the target says (a local stack's ready line; absent: unqualified, or not known) */
  qualifier: z.string().optional(),
  memoryMB: z.number().int().positive(),
  timeoutSeconds: z.number().positive().optional(),
  architecture: z.enum(['x86_64', 'arm64']).optional(),
  /** Lambda runtime identifier, e.g. nodejs22.x */
  runtime: z.string().optional(),
  /** a Lambda authorizer on `route` (invoked on every handshake before the route's own function), not the route's integration */
  authorizer: z.literal(true).optional(),
  /** its reserved concurrency, where the target says (a local stack's ready line; absent: none, or not known) */
  reservedConcurrency: z.int().nonnegative().optional(),
  /**
   * its provisioned concurrency, where the target says (a local stack's ready line): the alias or
   * version configured, the version whose environments hold it, how many
   */
  provisioned: z.array(z.object({ qualifier: z.string(), version: z.string(), environments: z.int().positive() })).optional(),
  /** Application Auto Scaling of its provisioned concurrency, where the template registers it: the alias or version, its bounds, its target tracking's target utilization */
  autoScaling: z.array(z.object({ qualifier: z.string(), min: z.int().nonnegative(), max: z.int().nonnegative(), targetValue: z.number().gt(0).lte(1).optional(), scheduledActions: z.int().nonnegative() })).optional(),
  /** SnapStart applies to its published versions, where the target says (GetFunctionConfiguration) */
  snapStart: z.literal(true).optional(),
  /** the log group it writes to, where its LoggingConfig names one other than `/aws/lambda/<name>` */
  logGroup: z.string().optional(),
  /** where it publishes EMF metrics, where its environment says (the CloudWatch pull reads them) */
  emf: EmfSource.optional(),
});
export type TargetFunction = z.infer<typeof TargetFunction>;

export const TargetFunctions = z.object({
  /**
   * where the list came from: `stack` the local stack's ready line, `lambda-api` Lambda's
   * GetFunctionConfiguration, `assumed` nobody was asked (the reference stack's names and default
   * sizes; `note` says why)
   */
  source: z.enum(['stack', 'lambda-api', 'assumed']),
  note: z.string().optional(),
  functions: z.array(TargetFunction),
});
export type TargetFunctions = z.infer<typeof TargetFunctions>;

export const TargetEndpoints = z.object({
  /** the WebSocket URL clients connect to */
  websocket: z.string(),
  /**
   * who answers the stack's AWS APIs: `local` the emulator (at the URLs below), `aws` AWS in
   * `region` (the URLs are its regional endpoints; the SDK resolves the same ones), `unknown` a
   * stack of your own whose APIs the harness does not know
   */
  services: z.enum(['local', 'aws', 'unknown']),
  region: z.string().optional(),
  apiGateway: z.object({ apiId: z.string(), stage: z.string() }).optional(),
  /** the @connections management API (the functions' CALLBACK_URL) */
  callback: z.string().optional(),
  /** CloudWatch metrics and CloudWatch Logs (one endpoint in the emulator) */
  cloudwatch: z.string().optional(),
  logs: z.string().optional(),
  dynamodb: z.string().optional(),
  /** Lambda's control-plane API (GetFunctionConfiguration), where there is one */
  lambda: z.string().optional(),
  /** the CloudFormation stack these were read from (`--target aws:<stackName>`) */
  stackName: z.string().optional(),
  /** the DynamoDB tables the stack's functions use (CloudWatch TableName), where the stack names them */
  tables: z.array(z.string()).optional(),
});
export type TargetEndpoints = z.infer<typeof TargetEndpoints>;

/**
 * How a deployed target was found, and each thing found with where it came from: a stack's outputs
 * contract (DescribeStacks), its resources (ListStackResources, then API Gateway's GetApi,
 * GetStage, GetRoutes, GetIntegrations, GetAuthorizers), or an API by id (the same calls; tables
 * from --table or from the functions' environment, confirmed with DescribeTable).
 */
export const TargetDiscovery = z.object({
  method: z.enum(['stack-outputs', 'stack-resources', 'api']),
  found: z.array(
    z.object({
      /** e.g. "api", "stage", "websocket URL", "function of sendmessage", "table" */
      what: z.string(),
      value: z.string(),
      /** e.g. "ListStackResources (AWS::ApiGatewayV2::Api ChatApi)", "GetRoutes + GetIntegrations" */
      from: z.string(),
    }),
  ),
});
export type TargetDiscovery = z.infer<typeof TargetDiscovery>;

/**
 * What results.json records of a target (config.target, config.stack): its kind and URL, and for
 * one that started, its endpoints and how it was started. src/targets' Target is one of these.
 */
export interface RecordedTargetInfo {
  /** results.json's config.target.kind: "local" (the emulator the harness started) or "remote" */
  kind: 'local' | 'remote';
  /** the WebSocket URL clients connect to */
  url: string;
  endpoints?: TargetEndpoints;
  startedWith?: TargetStart;
  /**
   * What names this target the same from one run to the next (a trend's group): "local emulator",
   * `aws:<stack>`, `aws-api:<apiId>/<stage>`, a URL without its query.
   */
  label?: string;
  /** a deployed target: what was discovered, and from where */
  discovery?: TargetDiscovery;
  /** a local stack: every trigger and integration into its functions that the emulator does not run */
  notEmulated?: NotEmulatedPath[];
  /** a local stack: every resource of its template the emulator read but does not run */
  notEmulatedResources?: NotEmulatedResource[];
}

export interface TargetStart {
  stackArgs?: string[];
  /** the ready line, less its functions (results.json keeps those once, in config.target.functions) */
  stack?: Record<string, unknown>;
  lambdaRuntime?: StackReady['lambdaRuntime'];
}
