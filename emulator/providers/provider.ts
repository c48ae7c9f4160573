import type { StackServiceEndpoints } from '../aws-endpoint-urls.ts';
import type { LogStore } from '../cloudwatch/log-store.ts';
import type { MetricStore } from '../cloudwatch/metric-store.ts';
import type { CloudWatchServer } from '../cloudwatch/server.ts';
import type { AwsJsonServer } from '../aws-json-server.ts';
import type { ProvisionedScaler } from '../application-auto-scaling/provisioned-scaler.ts';
import type { StackConfig } from '../config.ts';
import type { LocalDynamoDb } from '../dynamodb/dynamodb-thread.ts';
import type { EdgeHandlers } from '../edge/server.ts';
import type { InvokeRefusals } from '../gateway/integration.ts';
import type { Gateway } from '../gateway/server.ts';
import type { HostCpuReport } from '../host-cpu.ts';
import type { HttpApiServer } from '../http-api/server.ts';
import type { RestApiServer } from '../rest-api/server.ts';
import type { AccessRecord } from '../iam/access-ledger.ts';
import type { IamGate } from '../iam/iam-gate.ts';
import type { TokenBucket } from '../gateway/rate-limit.ts';
import type { IamGrants } from '../iam/role-sessions.ts';
import type { LambdaApiServer } from '../lambda-api/server.ts';
import type { FunctionStats, LambdaRuntime } from '../lambda/types.ts';
import type { ServiceEndpoint } from '../local-listener.ts';
import type { ManagementApis } from '../management-apis.ts';
import type { Messaging } from '../messaging.ts';
import type { ParameterStore } from '../ssm/parameter-store.ts';
import type { SecretStore } from '../secretsmanager/secret-store.ts';
import type { FunctionDescription, StackDescription } from '../stack-model/stack-description.ts';

/**
 * One of the emulator's services as a stack runs it, as floci's providers are: what it needs
 * started before it, how it starts from the stack's context, what it answers on the edge and at
 * which endpoints. startStack (../stack.ts) is a loop over the list (index.ts); nothing else
 * knows the order the services start or close in.
 */

/** Each provider's running service, by the provider's name. */
export interface Services {
  gateway: Gateway;
  dynamodb: LocalDynamoDb;
  cloudwatch: CloudWatchServer;
  ssm: AwsJsonServer;
  secretsmanager: AwsJsonServer;
  management: ManagementApis;
  messaging: Messaging;
  lambda: LocalLambda;
  iam: ServiceEndpoint;
  autoScaling: { scalers: readonly ProvisionedScaler[]; close(): Promise<void> };
  httpApis: { servers: readonly HttpApiServer[]; attach(runtime: LambdaRuntime): void; close(): Promise<void> };
  restApis: { servers: readonly RestApiServer[]; attach(runtime: LambdaRuntime): void; close(): Promise<void> };
}

export type ProviderName = keyof Services;

/** The Lambda API and the runtime behind it, started and closed together. */
export interface LocalLambda {
  api: LambdaApiServer;
  runtime: LambdaRuntime;
  close(): Promise<void>;
}

/** What every provider may read of the stack being started. */
export interface StackContext {
  /** the config with the stack's limits applied (stage, route and account throttles resolved) */
  config: StackConfig & { limits: { stageRps: number; stageBurst: number } };
  stack: StackDescription;
  log: (line: string) => void;
  metrics: MetricStore;
  logs: LogStore;
  /** the functions' (and AWS routes') sessions and roles; none under iam: off */
  iam: IamGrants | undefined;
  /** what this thread's services ask of IAM (enforce or report); DynamoDB's thread has its own */
  gate: IamGate | undefined;
  /** API Gateway's right to invoke each route's function and the authorizer, where refused */
  invokeRefusals: InvokeRefusals | undefined;
  parameters: ParameterStore;
  secrets: SecretStore;
  authorizerFunction: FunctionDescription | undefined;
  /** the function a route or the authorizer names by logical id */
  functionOf(logicalId: string): FunctionDescription;
  /**
   * The account's API Gateway throttle (`limits.accountRps`, `accountBurst`), one bucket for every
   * API of the stack, as AWS throttles an account per region across HTTP, REST and WebSocket APIs
   * and the @connections callbacks
   */
  accountThrottle: TokenBucket;
  /** the account's API Gateway CloudWatch role: the template's, else one already set up unless the config says the account has none */
  cloudWatchRoleArn: string | undefined;
  memoryOf(f: FunctionDescription): number;
  reservedOf(f: FunctionDescription): number | undefined;
  /** every call a function's role was asked about, from both threads */
  iamAccess(): Promise<AccessRecord[]>;
  /** the endpoints of the providers started so far (a function's redirects point at them) */
  endpoints(): Partial<StackServiceEndpoints>;
  /** where the host's CPU went since the stack started, the functions' (these stats) and DynamoDB's thread's */
  hostCpu(stats: Record<string, FunctionStats>): HostCpuReport;
  /** a function's role session token (none under iam: off) */
  sessionOf(functionName: string): string | undefined;
}

export interface Provider<K extends ProviderName> {
  name: K;
  /** how the stack's log names it, should it fail to close */
  what: string;
  /** the providers it needs running before it starts */
  after: readonly ProviderName[];
  /** `running` holds the providers started so far, and later ones as they start (read lazily) */
  start(ctx: StackContext, running: Partial<Services>): Promise<Services[K]>;
  /** what it answers on the edge */
  edge(service: Services[K]): Partial<EdgeHandlers>;
  /** its endpoints: the ready line's AWS_ENDPOINT_URL_<SERVICE> and the functions' redirects */
  endpoints(service: Services[K]): Partial<StackServiceEndpoints>;
}

/** Any provider of the list (method parameters are bivariant, so each Provider<K> is one). */
export type AnyProvider = Provider<ProviderName>;
