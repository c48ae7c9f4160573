import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { LambdaRuntimeId } from '../../common/lambda-runtimes.ts';
import type { ExecutionRole } from '../iam/execution-role.ts';
import type { PolicyStatement } from '../../common/iam/policy-document.ts';
import type { NotEmulatedPath } from '../../common/not-emulated-paths.ts';

/**
 * What the emulator runs: one WebSocket API stack, described once whatever it was written in.
 * One reader makes it, the template reader (CloudFormation, SAM, a CDK cloud assembly, a
 * Serverless Framework package; the reference stack is its CDK app's cloud assembly). Everything
 * past it (gateway, Lambda runtime, DynamoDB, the AWS APIs) sees only this.
 *
 * Names are physical (what AWS would call the resource once deployed); logical ids are kept so
 * the user can name a function either way (`memory`, `reserved`) and so CloudFormation's
 * DescribeStackResources can answer with both.
 */
export interface StackDescription {
  stackName: string;
  source: StackSource;
  /** the WebSocket API (absent: the stack's HTTP or REST APIs alone run) */
  api?: ApiDescription;
  routes: RouteDescription[];
  /** Routes whose integration is an `AWS` one (to SQS, SNS or EventBridge through a request template): gateway/aws-integration.ts. */
  awsRoutes?: AwsRouteDescription[];
  /** The $connect authorizer, when a route uses one (a WebSocket API authorizes $connect only). */
  authorizer?: AuthorizerDescription;
  /** The stack's HTTP APIs (AWS::ApiGatewayV2::Api, ProtocolType HTTP; SAM's HttpApi), served beside the WebSocket API; absent: none. */
  httpApis?: HttpApiDescription[];
  /** The stack's REST APIs (AWS::ApiGateway::RestApi; SAM's Api; Serverless' http events), served beside the WebSocket API; absent: none. */
  restApis?: RestApiDescription[];
  /** API keys (AWS::ApiGateway::ApiKey) and the usage plans that hold them (AWS::ApiGateway::UsagePlan, UsagePlanKey); absent: none. */
  apiKeys?: ApiKeyDescription[];
  usagePlans?: UsagePlanDescription[];
  functions: FunctionDescription[];
  tables: TableDescription[];
  /** SQS queues (AWS::SQS::Queue), dead-letter queues included. */
  queues?: QueueDescription[];
  /** SNS topics (AWS::SNS::Topic) with their subscriptions (AWS::SNS::Subscription, a topic's Subscription, SAM's SNS events). */
  topics?: TopicDescription[];
  /** EventBridge rules (AWS::Events::Rule, SAM's EventBridgeRule/CloudWatchEvent events) on the default bus or the stack's buses. */
  rules?: RuleDescription[];
  /** Event buses of the stack (AWS::Events::EventBus); the account's `default` bus always exists. */
  eventBuses?: Array<{ logicalId: string; name: string; arn: string }>;
  /** Lambda event source mappings (AWS::Lambda::EventSourceMapping, SAM's SQS and DynamoDB events). */
  eventSourceMappings?: EventSourceMappingDescription[];
  /**
   * Who may invoke the stack's functions (AWS::Lambda::Permission), for API Gateway's right to
   * invoke each integration's function. Absent: taken as created with the stack (a description
   * written by hand, without them).
   */
  invokePermissions?: InvokePermission[];
  /** Parameter Store parameters the stack creates (AWS::SSM::Parameter). */
  parameters: ParameterDescription[];
  /** Parameter Store parameters the account already has (the config's `template.ssmParameters`): what the stack's dynamic references and functions read. */
  outsideParameters?: Array<{ name: string; value: string }>;
  /**
   * Secrets Manager secrets: those the stack creates (AWS::SecretsManager::Secret, a logicalId
   * each) and those the account already has (the config's `template.secrets`, no logicalId).
   */
  secrets?: SecretDescription[];
  /** API Gateway's account settings the stack sets (AWS::ApiGateway::Account): the CloudWatch role it logs with. */
  apiGatewayAccount?: { logicalId: string; cloudWatchRoleArn: string };
  /** The stack's log groups (AWS::Logs::LogGroup), there from the start as CloudFormation creates them; absent: none. */
  logGroups?: LogGroupDescription[];
  /** Resources that do nothing a run can see (AWS::CDK::Metadata, the CDK's version report): listed among the stack's resources, never as not emulated. */
  inert?: NotEmulated[];
  /** Every resource read but not emulated (roles of functions nothing invokes, an S3 bucket...), listed once each. */
  notEmulated: NotEmulated[];
  /** Every trigger and integration into a function that the emulator does not run (not-emulated-paths.ts); absent: none. */
  notEmulatedPaths?: NotEmulatedPath[];
  /** What runs here where AWS may run it otherwise, one line each (two queue policies on one queue); absent: none. */
  warnings?: string[];
  /** The stack's outputs, resolved (DescribeStacks answers them). */
  outputs: Array<{ key: string; value: string; description?: string; exportName?: string }>;
  /** Functions the stack has but does not run as configured, by physical name (and logical id), with why (a template's function whose Condition is false). */
  dormantFunctions?: Record<string, string>;
}

export interface LogGroupDescription {
  logicalId: string;
  name: string;
  /** absent: the events never expire */
  retentionInDays?: number;
}

/** The template a description was read from (the reference stack's: its CDK app's cloud assembly). */
export interface StackSource {
  format: 'cloudformation' | 'sam' | 'cdk-assembly' | 'serverless';
  path: string;
  templateFile: string;
}

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
  accessLog?: AccessLogDeclaration;
}

/** A stage's access log settings as the template declares them: the log group's ARN and the line format (../gateway/access-log.ts writes them). */
export interface AccessLogDeclaration {
  destinationArn: string;
  format: string;
}

export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

/** An HTTP API (API Gateway v2, ProtocolType HTTP) as the emulator serves it: http-api-reader.ts. */
export interface HttpApiDescription {
  logicalId: string;
  name: string;
  /** its ApiId (what Ref gives) */
  id: string;
  stage: {
    logicalId?: string;
    /** `$default` serves the API's root; another name is the first segment of every path */
    name: string;
    variables: Record<string, string>;
    throttle?: Throttle;
    /** by route key */
    routeThrottles: Record<string, Throttle>;
    /** DefaultRouteSettings.DetailedMetricsEnabled: the per-route metrics (ApiId, Method, Resource, Stage) are sent */
    detailedMetrics: boolean;
    /** AccessLogSettings */
    accessLog?: AccessLogDeclaration;
  };
  routes: HttpRouteDescription[];
  /** its authorizers (AWS::ApiGatewayV2::Authorizer, or its OpenAPI Body's securitySchemes); absent: none */
  authorizers?: HttpAuthorizerDescription[];
  /** its CORS configuration (CorsConfiguration, or the Body's x-amazon-apigateway-cors): ../http-api/cors.ts answers preflights and adds the headers; absent: none */
  cors?: HttpCorsDescription;
}

export interface HttpCorsDescription {
  /** `https://www.example.com`, `*`, or a scheme's every origin (`https://*`, `http://*`) */
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  /** seconds a browser may keep a preflight's answer */
  maxAge?: number;
  allowCredentials: boolean;
}

/**
 * An HTTP API's authorizer (../http-api/authorizers.ts runs it): a JWT authorizer, which API
 * Gateway runs itself against its issuer's keys, or a Lambda REQUEST authorizer.
 */
export type HttpAuthorizerDescription = HttpJwtAuthorizerDescription | HttpLambdaAuthorizerDescription;

interface HttpAuthorizerCommon {
  /** the AWS::ApiGatewayV2::Authorizer, or (a securitySchemes entry of the API's OpenAPI Body) absent */
  logicalId?: string;
  /** its AuthorizerId (what Ref gives; for a Body's, one derived from its name): a route's authorizerId, and the end of its ARN `…/authorizers/<id>` */
  id: string;
  /** its Name, or the Body's security scheme name */
  name: string;
}

export interface HttpJwtAuthorizerDescription extends HttpAuthorizerCommon {
  type: 'JWT';
  /** where the token is: `$request.header.Authorization`, `$request.querystring.token` */
  identitySource: string;
  /** JwtConfiguration.Issuer: a token's `iss`, and where its keys are published */
  issuer: string;
  /** JwtConfiguration.Audience: a token's `aud` (or, without one, `client_id`) must be one of them */
  audience: string[];
}

export interface HttpLambdaAuthorizerDescription extends HttpAuthorizerCommon {
  type: 'REQUEST';
  functionId: string;
  qualifier?: string;
  /** AuthorizerPayloadFormatVersion: the event the function gets and the answer it gives */
  payloadFormatVersion: '1.0' | '2.0';
  /** EnableSimpleResponses (2.0 only): the function answers `{ isAuthorized, context }` */
  simpleResponses: boolean;
  /** `$request.header.X`, `$request.querystring.X`, `$context.X`, `$stageVariables.X`: each must be there, and they key the cache */
  identitySource: string[];
  /** AuthorizerResultTtlInSeconds (0: no caching) */
  ttlSeconds: number;
  /** AuthorizerCredentialsArn: the role API Gateway assumes to invoke the function, in place of an AWS::Lambda::Permission */
  credentials?: ExecutionRole;
}

/**
 * A REST API (API Gateway v1) as the emulator serves it: rest-api-reader.ts. Its methods as its
 * resources' paths give them (`/`, `/items/{id}`, `/{proxy+}`), from Resource and Method
 * resources or its OpenAPI (Swagger) `Body`.
 */
export interface RestApiDescription {
  logicalId: string;
  name: string;
  /** its RestApiId (what Ref gives) */
  id: string;
  /** its stages (AWS::ApiGateway::Stage, or a Deployment's StageName); each is served at `/{stage}` */
  stages: RestStageDescription[];
  methods: RestMethodDescription[];
  authorizers: RestAuthorizerDescription[];
  /** ApiKeySourceType: the key is the `x-api-key` header's (HEADER, the default) or the authorizer's `usageIdentifierKey` (AUTHORIZER) */
  apiKeySource: 'HEADER' | 'AUTHORIZER';
  /** BinaryMediaTypes: request bodies of these types reach a proxy integration base64-encoded */
  binaryMediaTypes: string[];
  /** every resource, the root (`/`) first, with its id (an AWS::ApiGateway::Resource's Ref, else generated as API Gateway makes one): what GetResources lists */
  resources: RestResourceDescription[];
}

export interface RestResourceDescription {
  /** the AWS::ApiGateway::Resource; absent for the root and a path of the OpenAPI body */
  logicalId?: string;
  id: string;
  path: string;
}

export interface RestStageDescription {
  logicalId?: string;
  name: string;
  variables: Record<string, string>;
  /** MethodSettings `/*\/*`'s throttle (absent: the account's) */
  throttle?: Throttle;
  /** MethodSettings of one method, by `/{path}/{METHOD}` as API Gateway keys them (`/items/{id}/GET`) */
  methodThrottles: Record<string, Throttle>;
  /** MethodSettings' MetricsEnabled: the per-method metrics are sent */
  detailedMetrics: boolean;
  /** AccessLogSetting (a Deployment's StageDescription's, or the Stage's) */
  accessLog?: AccessLogDeclaration;
}

export interface RestMethodDescription {
  /** the AWS::ApiGateway::Method, or (a method of the OpenAPI body) absent */
  logicalId?: string;
  /** the resource's path: `/`, `/DynamoBackend`, `/items/{id}`, `/{proxy+}` */
  path: string;
  /** `GET`, `POST`, …, or `ANY` */
  httpMethod: string;
  authorizationType: 'NONE' | 'CUSTOM' | 'AWS_IAM' | 'COGNITO_USER_POOLS';
  /** a CUSTOM method's authorizer (a RestAuthorizerDescription's logicalId) */
  authorizerId?: string;
  apiKeyRequired: boolean;
  integration: RestIntegrationDescription;
}

export type RestIntegrationDescription =
  | { type: 'AWS_PROXY'; functionId: string; qualifier?: string; timeoutMs: number; credentials?: ExecutionRole }
  | { type: 'MOCK'; requestTemplates: Record<string, string>; passthroughBehavior: 'WHEN_NO_MATCH' | 'NEVER' | 'WHEN_NO_TEMPLATES'; responses: RestIntegrationResponse[] }
  | { type: 'HTTP_PROXY'; uri: string; httpMethod: string; timeoutMs: number; requestParameters: Record<string, string> }
  | {
      type: 'HTTP' | 'AWS';
      uri: string;
      httpMethod: string;
      timeoutMs: number;
      credentials?: ExecutionRole;
      requestParameters: Record<string, string>;
      requestTemplates: Record<string, string>;
      passthroughBehavior: 'WHEN_NO_MATCH' | 'NEVER' | 'WHEN_NO_TEMPLATES';
      responses: RestIntegrationResponse[];
      /** AWS only: the function of the stack its Lambda invocation URI names (a Lambda custom integration), and the alias or version */
      functionId?: string;
      qualifier?: string;
    };

/** An IntegrationResponse: the backend's status (or error) it selects, what the method answers. */
export interface RestIntegrationResponse {
  /** SelectionPattern (a regex over the status, or a Lambda error's message); absent: the default response */
  selectionPattern?: string;
  statusCode: string;
  responseTemplates: Record<string, string>;
  /** `method.response.header.X` → `'literal'` or `integration.response.header.Y` … */
  responseParameters: Record<string, string>;
}

export interface RestAuthorizerDescription {
  logicalId: string;
  /** its AuthorizerId (what Ref gives) */
  id: string;
  name: string;
  type: 'TOKEN' | 'REQUEST';
  functionId: string;
  qualifier?: string;
  /** TOKEN: one header (`method.request.header.Authorization`); REQUEST: comma-separated sources */
  identitySource: string;
  /** AuthorizerResultTtlInSeconds (default 300; 0 caches nothing) */
  ttlSeconds: number;
  /** TOKEN: a regex the token must match before the authorizer is invoked */
  identityValidationExpression?: string;
  credentials?: ExecutionRole;
}

export interface ApiKeyDescription {
  logicalId: string;
  /** its id (what Ref gives) */
  id: string;
  name: string;
  /** Value, or (none given) one generated as API Gateway generates it, 40 characters */
  value: string;
  enabled: boolean;
}

export interface UsagePlanDescription {
  logicalId: string;
  id: string;
  name: string;
  /** the API stages it covers, each with per-method throttles (`/{path}/{METHOD}`) */
  apiStages: Array<{ apiId: string; stage: string; throttle: Record<string, Throttle> }>;
  throttle?: Throttle;
  quota?: { limit: number; period: 'DAY' | 'WEEK' | 'MONTH'; offset: number };
  /** the ApiKeyDescription logicalIds its UsagePlanKeys add */
  keys: string[];
}

/** An HTTP API route and its integration. */
export type HttpRouteDescription = {
  /** the AWS::ApiGatewayV2::Route, or (a route of the API's OpenAPI Body) absent */
  logicalId?: string;
  /** `POST /notify`, `ANY /{proxy+}`, `$default` */
  routeKey: string;
  /** AuthorizationType JWT or CUSTOM, its authorizer (an HttpAuthorizerDescription's id) and AuthorizationScopes, or AWS_IAM (../gateway/execute-api-iam.ts); absent: NONE */
  authorization?: { type: 'JWT' | 'CUSTOM'; authorizerId: string; scopes: string[] } | { type: 'AWS_IAM' };
} & HttpIntegrationDescription;

/** An HTTP API's integration: a Lambda proxy, or an HTTP proxy (../http-api/http-proxy.ts: to an address on this host only). */
export type HttpIntegrationDescription = {
  /** the integration's logical id, or the Body path and method it is written at */
  integrationId: string;
  /** TimeoutInMillis: 50 to 30,000 (the default) */
  timeoutMs: number;
} & (
  | { integrationType: 'AWS_PROXY'; functionId: string; qualifier?: string; payloadFormatVersion: '1.0' | '2.0' }
  | {
      integrationType: 'HTTP_PROXY';
      /** IntegrationUri, a URL with `{name}` path variables and `${stageVariables.name}` */
      uri: string;
      /** IntegrationMethod; `ANY` (or none given): the request's own */
      httpMethod: string;
      /** an HTTP proxy integration's only format */
      payloadFormatVersion: '1.0';
      /** RequestParameters: `append|overwrite|remove:header.<name>`, `…:querystring.<name>`, `overwrite:path`, each to a value */
      requestParameters: Record<string, string>;
    }
);

/** An HTTP API route whose integration is a Lambda proxy. */
export type HttpLambdaRouteDescription = Extract<HttpRouteDescription, { integrationType: 'AWS_PROXY' }>;

export interface RouteDescription {
  logicalId: string;
  routeKey: string;
  /** The function behind the route's AWS_PROXY integration (a FunctionDescription's logicalId). */
  functionId: string;
  /** The alias or version its integration URI names; absent: the unqualified function (`$LATEST`). */
  qualifier?: string;
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
  /** its AuthorizerId (what Ref gives, and what its ARN `…/authorizers/<id>` holds); absent: the logical id stands in */
  id?: string;
  name: string;
  /** the FunctionDescription's logicalId */
  functionId: string;
  /** the alias or version its URI names; absent: the unqualified function */
  qualifier?: string;
  /** e.g. `route.request.header.x-api-key`, `route.request.querystring.token` */
  identitySource: string[];
  /** the Parameter Store parameter the authorizer reads its token from: where the token a run is given goes */
  tokenParameter?: string;
  /** Its AuthorizerCredentialsArn: the role API Gateway assumes to invoke the function, with its policies when the template holds it. */
  credentials?: ExecutionRole;
}

/**
 * A function's code. `entry`: a TypeScript or JavaScript source whose `handler` export is bundled
 * by the emulator as the CDK's NodejsFunction bundles it (a description written by hand: a test's). `handler`: code as
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
  /**
   * Environments the emulator INITs ahead for it in place of the config's `preparedPerFunction`:
   * 0 for the reference stack's push functions, which only a run that publishes invokes (every
   * other stack start would pay their INITs for nothing; describe-stack.ts).
   */
  preparedEnvironments?: number;
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
  /** its published versions (AWS::Lambda::Version), in the order they are numbered from 1 */
  versions?: FunctionVersion[];
  /** its aliases (AWS::Lambda::Alias) */
  aliases?: FunctionAlias[];
  /** Application Auto Scaling of its aliases' or versions' provisioned concurrency */
  provisionedScaling?: ProvisionedScaling[];
  /** SnapStart on its published versions (the template's SnapStart.ApplyOn): each restored from its snapshot; $LATEST INITs on demand */
  snapStart?: 'PublishedVersions';
  /** asynchronous invocation: AWS::Lambda::EventInvokeConfig, DeadLetterConfig, SAM's EventInvokeConfig (absent: AWS's defaults) */
  asyncInvoke?: AsyncInvokeConfig;
}

/**
 * Application Auto Scaling of one alias's or version's provisioned concurrency
 * (AWS::ApplicationAutoScaling::ScalableTarget, its ScheduledActions, and the target tracking
 * ScalingPolicy on it): run by emulator/application-auto-scaling/.
 */
export interface ProvisionedScaling {
  logicalId: string;
  function: string;
  qualifier: string;
  min: number;
  max: number;
  scheduled: ScheduledScaling[];
  targetTracking?: {
    policy: string;
    /** ProvisionedConcurrencyUtilization held at this share (0–1) */
    targetValue: number;
    /** the alarms' statistic over each minute: Average (AWS's default for the predefined metric) or Maximum */
    statistic: 'Average' | 'Maximum';
    scaleOutCooldownSeconds: number;
    scaleInCooldownSeconds: number;
    disableScaleIn: boolean;
  };
  /** SuspendedState: what is not run */
  suspended: { scaleIn: boolean; scaleOut: boolean; scheduled: boolean };
}

/** A scheduled action: at its schedule (`at(…)`, `rate(…)`, `cron(…)`, UTC), the target's new minimum and/or maximum. */
export interface ScheduledScaling {
  name: string;
  schedule: string;
  min?: number;
  max?: number;
  startTime?: string;
  endTime?: string;
}

/** A published version of a function (AWS::Lambda::Version). */
export interface FunctionVersion {
  logicalId: string;
  /** its ProvisionedConcurrencyConfig's ProvisionedConcurrentExecutions */
  provisionedConcurrency?: number;
}

/** An alias of a function (AWS::Lambda::Alias). */
export interface FunctionAlias {
  logicalId: string;
  name: string;
  /** the version it names: a number of the function's versions, or `$LATEST` */
  version: number | '$LATEST';
  provisionedConcurrency?: number;
}

/** How Lambda handles a function's asynchronous invocations (lambda/async-invocation.ts). */
export interface AsyncInvokeConfig {
  /** 0–2, default 2 */
  maximumRetryAttempts?: number;
  /** 60–21,600 s, default 21,600 */
  maximumEventAgeSeconds?: number;
  /** DestinationConfig.OnSuccess / OnFailure: an SQS queue, SNS topic, event bus or function ARN */
  onSuccess?: string;
  onFailure?: string;
  /** DeadLetterConfig.TargetArn: an SQS queue or SNS topic */
  deadLetterArn?: string;
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
  /** StreamSpecification: the table's stream (dynamodb/streams/) */
  stream?: { viewType: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES'; arn: string };
}

/** An AWS::SQS::Queue, with SQS's defaults where the template leaves a property out. */
export interface QueueDescription {
  logicalId: string;
  /** QueueName (FIFO: ends in `.fifo`) */
  name: string;
  arn: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  /** default 30 */
  visibilityTimeoutSeconds: number;
  /** default 0 */
  delaySeconds: number;
  /** default 345,600 (4 days) */
  messageRetentionSeconds: number;
  /** default 1,048,576 (1 MiB) */
  maximumMessageSize: number;
  /** default 0 */
  receiveMessageWaitTimeSeconds: number;
  /** RedrivePolicy */
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
  /** FIFO high throughput (DeduplicationScope/FifoThroughputLimit), read and named not emulated */
  highThroughput?: boolean;
  /** its AWS::SQS::QueuePolicy statements (absent: no policy; SNS and EventBridge may not send to it) */
  policy?: PolicyStatement[];
  /** the AWS::SQS::QueuePolicy resources naming it, in the template's order */
  policyResources?: string[];
}

/** What a queue has where nothing sets it, as SQS gives it (CreateQueue's defaults, and a template's left-out properties). */
export const QUEUE_DEFAULTS = {
  visibilityTimeoutSeconds: 30,
  delaySeconds: 0,
  messageRetentionSeconds: 345_600,
  maximumMessageSize: 1_048_576,
  receiveMessageWaitTimeSeconds: 0,
} as const satisfies Partial<QueueDescription>;

export interface TopicDescription {
  logicalId: string;
  /** TopicName (FIFO: ends in `.fifo`) */
  name: string;
  arn: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  subscriptions: SubscriptionDescription[];
  /** its AWS::SNS::TopicPolicy statements (absent: no policy; EventBridge may not publish to it) */
  policy?: PolicyStatement[];
  /** the account's topic the template subscribes to but does not make (logicalId is then its name): run here, but no resource of the stack */
  outsideStack?: true;
}

export interface SubscriptionDescription {
  /** the AWS::SNS::Subscription, or `<Topic>Subscription<n>` for a topic's inline one, or the SAM event's */
  logicalId: string;
  /** `lambda` and `sqs` are delivered here; others (email, http/s, sms…) are read and named not emulated */
  protocol: string;
  /** the function's or queue's ARN */
  endpoint: string;
  filterPolicy?: Record<string, unknown>;
  /** default MessageAttributes */
  filterPolicyScope: 'MessageAttributes' | 'MessageBody';
  /** SQS: the message as published, not the SNS envelope */
  rawMessageDelivery: boolean;
  /** RedrivePolicy.deadLetterTargetArn: where a delivery that failed goes */
  deadLetterArn?: string;
}

export interface RuleDescription {
  logicalId: string;
  name: string;
  arn: string;
  /** EventBusName (default `default`) */
  busName: string;
  eventPattern?: Record<string, unknown>;
  /** ScheduleExpression: read and named not emulated */
  scheduleExpression?: string;
  state: 'ENABLED' | 'DISABLED';
  targets: RuleTarget[];
}

export interface RuleTarget {
  id: string;
  /** a function, queue, topic or bus ARN */
  arn: string;
  /** Input: a constant JSON text in place of the event */
  input?: string;
  /** InputPath: the part of the event sent (`$.detail`) */
  inputPath?: string;
  /** InputTransformer */
  inputTransformer?: { inputPathsMap?: Record<string, string>; inputTemplate: string };
  /** SqsParameters.MessageGroupId, for a FIFO queue */
  messageGroupId?: string;
  deadLetterArn?: string;
  /** RetryPolicy: default 185 attempts, 86,400 s */
  retryPolicy?: { maximumRetryAttempts?: number; maximumEventAgeSeconds?: number };
}

export interface EventSourceMappingDescription {
  /** the AWS::Lambda::EventSourceMapping, or `<Function><Event>` for a SAM event */
  logicalId: string;
  /** the function's physical name */
  functionName: string;
  /** the alias or version its FunctionName names (absent: the unqualified function, `$LATEST`) */
  qualifier?: string;
  kind: 'sqs' | 'dynamodb-stream';
  /** the queue's or the stream's ARN */
  sourceArn: string;
  /** default 10 (SQS), 100 (stream) */
  batchSize: number;
  /** default 0 */
  maximumBatchingWindowSeconds: number;
  enabled: boolean;
  /** ReportBatchItemFailures: a response's batchItemFailures return only those */
  reportBatchItemFailures: boolean;
  /** FilterCriteria.Filters[].Pattern, parsed */
  filters?: Array<Record<string, unknown>>;
  /** SQS: ScalingConfig.MaximumConcurrency (2–1,000) */
  maximumConcurrency?: number;
  /** streams: TRIM_HORIZON | LATEST (AT_TIMESTAMP is Kinesis') */
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** streams: 1–10, default 1 */
  parallelizationFactor?: number;
  /** streams: default false */
  bisectBatchOnFunctionError?: boolean;
  /** streams: -1 (infinite, the default) or 0–10,000 */
  maximumRetryAttempts?: number;
  /** streams: -1 (infinite, the default) or 60–604,800 */
  maximumRecordAgeSeconds?: number;
  /** streams: DestinationConfig.OnFailure (an SQS queue or SNS topic) */
  onFailure?: string;
}

/**
 * A route whose integration is `AWS` (not a function's AWS_PROXY): API Gateway renders the
 * integration request from the frame (RequestParameters, RequestTemplates in VTL) and calls the
 * service the URI names with the CredentialsArn role.
 */
export interface AwsRouteDescription {
  logicalId: string;
  routeKey: string;
  integrationId: string;
  /** e.g. `arn:aws:apigateway:us-east-1:sqs:path/123456789012/queue.fifo`, `…:sns:action/Publish`, `…:events:action/PutEvents` */
  integrationUri: string;
  /** IntegrationMethod (POST) */
  integrationMethod: string;
  /** the role API Gateway assumes for the call, with its policies when the template holds it */
  credentials?: ExecutionRole;
  /** `integration.request.header.X`, `integration.request.querystring.X` → `'literal'` or `route.request.body.x`… */
  requestParameters: Record<string, string>;
  /** template key (`$default`, or a value of TemplateSelectionExpression) → VTL */
  requestTemplates: Record<string, string>;
  templateSelectionExpression?: string;
  /** PassthroughBehavior (WHEN_NO_MATCH default) */
  passthroughBehavior: 'WHEN_NO_MATCH' | 'NEVER' | 'WHEN_NO_TEMPLATES';
  /** a route response exists: the integration's response goes back to the client */
  twoWay: boolean;
  /** IntegrationResponses' templates by key ($default), VTL over the service's answer */
  responseTemplates?: Record<string, string>;
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
  /** e.g. `arn:aws:execute-api:<region>:<account>:<api>/*` (matched as ArnLike) */
  sourceArn?: string;
  /** SourceAccount: the account the source must belong to */
  sourceAccount?: string;
}

export interface ParameterDescription {
  logicalId: string;
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
}

export interface SecretDescription {
  /** absent: a secret from outside the stack */
  logicalId?: string;
  name: string;
  /** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>` (what Ref gives) */
  arn: string;
  /** absent: a secret created with neither SecretString nor GenerateSecretString (empty: no version) */
  secretString?: string;
  /** the AWSCURRENT version's id */
  versionId: string;
  description?: string;
}

export interface NotEmulated {
  logicalId: string;
  type: string;
  /** the physical id CloudFormation gives it (an explicit name kept), where the template's value resolves */
  physicalId?: string;
}

/** A function by logical id (templates) or physical name (either). */
export function findFunction(stack: StackDescription, id: string): FunctionDescription | undefined {
  return stack.functions.find((f) => f.name === id) ?? stack.functions.find((f) => f.logicalId === id);
}
