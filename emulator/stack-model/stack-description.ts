import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { LambdaRuntimeId } from '../../common/lambda-runtimes.ts';
import type { ExecutionRole } from '../iam/execution-role.ts';
import type { NotEmulatedPath } from '../../common/not-emulated-paths.ts';

/**
 * What the emulator runs: one WebSocket API stack, described once whatever it was written in.
 * Two readers make one: the reference stack's manifest (manifest-reader.ts, kept fast: its
 * TypeScript handlers are bundled as the CDK app bundles them) and a template reader
 * (CloudFormation, SAM, a CDK cloud assembly, a Serverless Framework package). Everything past the
 * readers (gateway, Lambda runtime, DynamoDB, the AWS APIs) sees only this.
 *
 * Names are physical (what AWS would call the resource once deployed); logical ids are kept so
 * the user can name a function either way (`memory`, `reserved`) and so CloudFormation's
 * DescribeStackResources can answer with both.
 */
export interface StackDescription {
  stackName: string;
  source: StackSource;
  api: ApiDescription;
  routes: RouteDescription[];
  /** The $connect authorizer, when a route uses one (a WebSocket API authorizes $connect only). */
  authorizer?: AuthorizerDescription;
  functions: FunctionDescription[];
  tables: TableDescription[];
  /**
   * Who may invoke the stack's functions (AWS::Lambda::Permission), for API Gateway's right to
   * invoke each integration's function. Absent: the stack's deploy creates them (the reference
   * stack, whose CDK app's integrations add one for every route).
   */
  invokePermissions?: InvokePermission[];
  /** Parameter Store parameters the stack creates (AWS::SSM::Parameter). */
  parameters: ParameterDescription[];
  /** API Gateway's account settings the stack sets (AWS::ApiGateway::Account): the CloudWatch role it logs with. */
  apiGatewayAccount?: { logicalId: string; cloudWatchRoleArn: string };
  /** Every resource read but not emulated (log groups, roles of functions nothing invokes...), listed once each. */
  notEmulated: NotEmulated[];
  /** Every trigger and integration into a function that the emulator does not run (not-emulated-paths.ts); absent: none read (the manifest). */
  notEmulatedPaths?: NotEmulatedPath[];
  /** The stack's outputs, resolved (DescribeStacks answers them). */
  outputs: Array<{ key: string; value: string; description?: string; exportName?: string }>;
  /**
   * Variables every function gets that a config's `functions.<name>.environment` may not replace
   * (the reference stack's table names: what its CDK app wires).
   */
  wiredEnvironment?: Record<string, string>;
  /**
   * A variable the emulator sets to its local @connections URL (the reference stack's
   * CALLBACK_URL), so the reference functions post straight to it. A template's functions keep the
   * AWS form their template gives, and the runtime sends those requests to the emulator.
   */
  callbackUrlVariable?: string;
  /** Functions the stack has but does not run as configured, by physical name, with why (the reference authorizer with auth off). */
  dormantFunctions?: Record<string, string>;
}

export type StackSource =
  | { kind: 'manifest' }
  | { kind: 'template'; format: 'cloudformation' | 'sam' | 'cdk-assembly' | 'serverless'; path: string; templateFile: string };

export interface ApiDescription {
  logicalId: string;
  name: string;
  /** e.g. `$request.body.action` */
  routeSelectionExpression: string;
  stage: StageDescription;
}

export interface StageDescription {
  logicalId?: string;
  /** the stage name (the callback URL's last segment) */
  name: string;
  /** DefaultRouteSettings' throttling; undefined: the account's throttle only */
  throttle?: Throttle;
  /** RouteSettings' throttling, by route key */
  routeThrottles: Record<string, Throttle>;
  /** AccessLogSettings: the log group's ARN and the line format (gateway/access-log.ts writes them) */
  accessLog?: { destinationArn: string; format: string };
}

export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

export interface RouteDescription {
  logicalId: string;
  routeKey: string;
  /** The function behind the route's AWS_PROXY integration (a FunctionDescription's logicalId). */
  functionId: string;
  integrationId: string;
  authorizationType: 'NONE' | 'CUSTOM' | 'AWS_IAM';
  /** The integration's CredentialsArn: the role API Gateway assumes to invoke the function, with its policies when the template holds it. */
  credentials?: ExecutionRole;
  /**
   * A two-way route: the integration's response body goes back to the caller (a RouteResponse
   * `$default` exists, as `RouteResponseSelectionExpression: $default` sets up).
   */
  twoWay: boolean;
}

export interface AuthorizerDescription {
  logicalId: string;
  name: string;
  /** the FunctionDescription's logicalId */
  functionId: string;
  /** e.g. `route.request.header.x-api-key`, `route.request.querystring.token` */
  identitySource: string[];
  /** the Parameter Store parameter the reference stack's authorizer reads its token from */
  tokenParameter?: string;
  /** Its AuthorizerCredentialsArn: the role API Gateway assumes to invoke the function, with its policies when the template holds it. */
  credentials?: ExecutionRole;
}

/**
 * A function's code. `entry`: a TypeScript or JavaScript source whose `handler` export is bundled
 * by the emulator as the CDK's NodejsFunction bundles it (the manifest). `handler`: code as
 * deployed (a directory, an asset, an unpacked zip, or inline `ZipFile` written out), loaded as
 * written from `dir` with Lambda's `Handler` setting (`path/file.export`).
 */
export type FunctionCode =
  | { kind: 'entry'; entry: string }
  | {
      kind: 'handler';
      dir: string;
      handler: string;
      /** how messages name the code (`src/http/get-index`, as the template gives it) and the folder that is relative to */
      shownAs?: { package: string; base: string };
    };

export interface FunctionDescription {
  logicalId: string;
  /** the physical FunctionName (the CloudWatch dimension) */
  name: string;
  code: FunctionCode;
  /** Node.js runs in the stack's worker threads, any other runtime as a process speaking the Runtime API */
  runtime: LambdaRuntimeId;
  memoryMB: number;
  timeoutSeconds: number;
  /** the function's own variables, intrinsics resolved */
  environment: Record<string, string>;
  reservedConcurrency?: number;
  /** its execution role and the statements of its policies (emulator/iam/); absent where none was read */
  role?: ExecutionRole;
  /** it has the Lambda Insights extension's layer */
  lambdaInsights?: boolean;
  /** its other layers, in the order its `Layers` gives them (lambda-layers.ts) */
  layers?: LayerDescription[];
  /** the folder standing in for its /opt: those layers' contents merged in order */
  opt?: string;
  /** its LoggingConfig, where the template sets one (absent: Text, `/aws/lambda/<name>`) */
  logging?: FunctionLogging;
}

/** One layer of a function: a LayerVersion of the template, or one from outside it mapped to a local folder. */
export interface LayerDescription {
  /** the layer version's ARN, as the function's Layers resolves */
  arn: string;
  /** the template's AWS::Lambda::LayerVersion (or SAM's AWS::Serverless::LayerVersion) that it is; absent for one from outside */
  logicalId?: string;
  /** its content on this machine (what Lambda extracts into /opt) */
  dir: string;
}

/** AWS::Lambda::Function LoggingConfig as the runtime takes it (emulator/lambda/options.ts). */
export interface FunctionLogging {
  format: 'Text' | 'JSON';
  applicationLogLevel?: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
  systemLogLevel?: 'DEBUG' | 'INFO' | 'WARN';
  logGroup?: string;
}

export interface TableDescription {
  logicalId: string;
  /** What the emulator creates in its DynamoDB: key schema, indexes, billing mode, provisioned throughput. */
  definition: CreateTableCommandInput & { TableName: string };
  /** TimeToLiveSpecification's attribute, when enabled */
  ttlAttribute?: string;
}

/** One AWS::Lambda::Permission on a function of the stack. */
export interface InvokePermission {
  logicalId: string;
  /** the function's logicalId */
  functionId: string;
  /** e.g. `apigateway.amazonaws.com` */
  principal: string;
  /** e.g. `lambda:InvokeFunction` */
  action: string;
  /** e.g. `arn:aws:execute-api:<region>:<account>:<api>/*` */
  sourceArn?: string;
}

export interface ParameterDescription {
  logicalId: string;
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
}

export interface NotEmulated {
  logicalId: string;
  type: string;
}

/** A function by logical id (templates) or physical name (either). */
export function findFunction(stack: StackDescription, id: string): FunctionDescription | undefined {
  return stack.functions.find((f) => f.name === id) ?? stack.functions.find((f) => f.logicalId === id);
}
