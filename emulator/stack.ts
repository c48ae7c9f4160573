import { fileURLToPath } from 'node:url';
import type { LambdaRuntimeInfo, StackFunctionInfo, StackReady } from '../common/stack-ready.ts';
import { UserError } from '../common/errors.ts';
import { CONNECT_AUTHORIZER, FUNCTION_ENV, FUNCTIONS, TOKEN_IDENTITY_SOURCES, type AuthorizerSpec, type FunctionSpec } from '../reference-stack/functions/manifest.ts';
import { tableDefinitions } from '../reference-stack/functions/shared/tables.ts';
import { DEFAULT_STACK_NAME, stackFunctionName, stackTableNames, stackTokenParameter, type StackTableNames } from '../reference-stack/functions/stack-names.ts';
import { awsEndpointUrls } from './aws-endpoint-urls.ts';
import { metricPublicationOf } from './cloudwatch/aws-timing.ts';
import { LogStore } from './cloudwatch/log-store.ts';
import { MetricStore } from './cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from './cloudwatch/server.ts';
import type { StackConfig } from './config.ts';
import { startDynamoDb, type LocalDynamoDb } from './dynamodb/dynamodb-thread.ts';
import { LOCAL_DEFAULT_ENV, wiredEnvironment } from './function-environment.ts';
import { startGateway, type Gateway } from './gateway/server.ts';
import { hostCpuLine, startHostCpu, type HostCpuReport } from './host-cpu.ts';
import { startHostMeter } from './host-meter.ts';
import { LambdaControlPlane } from './lambda-api/control-plane.ts';
import { startManagementApis, type ManagementApis } from './management-apis.ts';
import { startLambdaApiServer, type LambdaApiServer } from './lambda-api/server.ts';
import { nodeMajorOf, type NodeRuntime } from '../common/node-runtimes.ts';
import { createLambdaRuntime } from './lambda/runtime.ts';
import { awsEndpointServices } from './lambda/aws-endpoint-services.ts';
import type { FunctionCode } from './stack-model/stack-description.ts';
import type { LambdaRuntime } from './lambda/types.ts';
import { ParameterStore } from './ssm/parameter-store.ts';
import { startSsmServer } from './ssm/server.ts';
import type { AwsJsonServer } from './aws-json-server.ts';

/**
 * The whole local stack, started in dependency order: gateway bound (so the port, hence
 * CALLBACK_URL, is known, and a port in use fails first) → DynamoDB (dynalite, tables ACTIVE),
 * the CloudWatch and the Parameter Store endpoints, side by side (the token the authorizer expects
 * seeded), and CloudFormation and API Gateway v2 (management-apis.ts) → Lambda runtime with each
 * function's environment, and the Lambda API endpoint over it → gateway starts serving. Functions,
 * tables and the token parameter are named after `config.stackName`, as the CDK app names them.
 */

/**
 * A function to run: the manifest's entries, or test fixtures, with `entry` an absolute path, or
 * `code` (code as written, loaded from its directory with its Handler setting).
 */
export type StackFunction = Omit<FunctionSpec, 'entry'> & { entry?: string; code?: FunctionCode };

export interface StartStackOptions {
  config: StackConfig;
  /** Replaces the manifest's functions (tests). */
  functions?: readonly StackFunction[];
  /** Replaces the manifest's $connect authorizer, with `entry` an absolute path (tests). */
  authorizer?: AuthorizerSpec;
  /**
   * The token the authorizer expects (`config.auth.enabled`): seeded into Parameter Store as a
   * SecureString under `config.auth.parameterName`. Never printed, never in the ready line.
   */
  authToken?: string;
  /** Where the emulator's own diagnostics go (default stderr). */
  log?: (line: string) => void;
}

export function lambdaRuntimeInfo(runtime: NodeRuntime, nodeVersion = process.versions.node): LambdaRuntimeInfo {
  return { runtime, node: nodeVersion, matches: Number(nodeVersion.split('.')[0]) === nodeMajorOf(runtime) };
}

export interface RunningStack {
  ready: StackReady;
  metrics: MetricStore;
  logs: LogStore;
  runtime: LambdaRuntime;
  gateway: Gateway;
  /** Where the host's CPU went since the stack started, as logged when it stops (host-cpu.ts). */
  hostCpu(): HostCpuReport;
  /** Close sockets (1001), runtime, servers and dynalite. Idempotent. */
  close(): Promise<void>;
}

const FUNCTIONS_DIR = fileURLToPath(new URL('../reference-stack/functions/', import.meta.url));

/** The manifest's functions with absolute entry paths, named as in the stack `stackName`. */
export function manifestFunctions(stackName = DEFAULT_STACK_NAME): StackFunction[] {
  return FUNCTIONS.map((f) => ({ ...f, name: stackFunctionName(stackName, f.name), entry: `${FUNCTIONS_DIR}${f.entry}` }));
}

/** The manifest's $connect authorizer with an absolute entry path, named as in the stack `stackName`. */
export function manifestAuthorizer(stackName = DEFAULT_STACK_NAME): AuthorizerSpec {
  return { ...CONNECT_AUTHORIZER, name: stackFunctionName(stackName, CONNECT_AUTHORIZER.name), entry: `${FUNCTIONS_DIR}${CONNECT_AUTHORIZER.entry}` };
}

export async function startStack(options: StartStackOptions): Promise<RunningStack> {
  const { config } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const functions = options.functions ?? manifestFunctions(config.stackName);
  const auth = config.auth;
  const authorizer = auth.enabled ? (options.authorizer ?? manifestAuthorizer(config.stackName)) : undefined;
  const tables = stackTableNames(config.stackName);
  const parameterName = auth.parameterName ?? stackTokenParameter(config.stackName);
  if (authorizer && options.authToken === undefined) {
    throw new UserError('auth: the authorizer needs the token it expects: set FANOUT_BENCH_TOKEN or auth.tokenFile (--auth-token-file)');
  }
  const metrics = new MetricStore({ publication: metricPublicationOf(config.awsMetrics) });
  const logs = new LogStore();
  const parameters = new ParameterStore(config.region, config.accountId);
  if (authorizer) parameters.seed(parameterName, options.authToken!, 'SecureString');
  const memoryOf = (f: { name: string; memoryMB: number }) => config.functions[f.name]?.memoryMB ?? f.memoryMB;
  const identitySource = [TOKEN_IDENTITY_SOURCES[auth.identitySource]];

  let dynamodb: LocalDynamoDb | undefined;
  let cloudwatch: CloudWatchServer | undefined;
  let ssm: AwsJsonServer | undefined;
  let gateway: Gateway | undefined;
  let runtime: LambdaRuntime | undefined;
  let lambdaApi: LambdaApiServer | undefined;
  let management: ManagementApis | undefined;
  let closing: Promise<void> | undefined;
  const hostCpu = startHostCpu();
  const stopHostMeter = startHostMeter(metrics);
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Gateway first: its shutdown closes sockets and lets their $disconnects reach the runtime.
      stopHostMeter();
      await settle(gateway?.close(), log, 'gateway');
      await settle(lambdaApi?.close(), log, 'lambda api');
      await settle(management?.close(), log, 'cloudformation and api gateway apis');
      if (runtime) log(hostCpuLine(hostCpu(runtime.stats(), dynamodb?.stats().cpuMs)));
      await settle(runtime?.close(), log, 'lambda runtime');
      await settle(cloudwatch?.close(), log, 'cloudwatch');
      await settle(ssm?.close(), log, 'ssm');
      await settle(dynamodb?.close(), log, 'dynamodb');
    })();
    return closing;
  };

  try {
    // Bind first: a port in use fails before anything else has started.
    gateway = await startGateway({
      config,
      functions,
      metrics,
      log,
      authorizer: authorizer && { functionName: authorizer.name, identitySource },
    });
    await Promise.all([
      startDynamoDb({
        path: config.dynamodb.inMemory ? undefined : config.dynamodb.path,
        tables: tableDefinitions(tables),
        region: config.region,
        metrics,
        throttleShare: config.faults.dynamodbThrottleShare,
      }).then(
        (db) => (dynamodb = db),
      ),
      startCloudWatchServer({ store: metrics, logs, host: '127.0.0.1', port: 0, region: config.region, accountId: config.accountId }).then(
        (cw) => (cloudwatch = cw),
      ),
      startSsmServer(parameters).then((s) => (ssm = s)),
      startManagementApis({
        stackName: config.stackName,
        accountId: config.accountId,
        websocketUrl: gateway.websocketUrl,
        callbackUrl: gateway.callbackUrl,
        apiId: config.apiId,
        stage: config.stage,
        region: config.region,
        tables,
        functions,
        authorizer: authorizer && { name: authorizer.name, parameterName, identitySource: identitySource[0]! },
        throttle: { rateLimit: config.limits.stageRps, burstLimit: config.limits.stageBurst },
        routeThrottles: Object.fromEntries(Object.entries(config.limits.routeThrottles).map(([route, t]) => [route, { rateLimit: t.rps, burstLimit: t.burst }])),
        accountThrottle: { rateLimit: config.limits.accountRps, burstLimit: config.limits.accountBurst },
      }).then((m) => (management = m)),
    ]);
    if (!dynamodb || !cloudwatch || !ssm || !management) throw new Error('unreachable: dynamodb, cloudwatch, ssm and the management apis started');

    const environment = wiredEnvironment({ callbackUrl: gateway.callbackUrl, dynamodb: dynamodb.endpoint, ssm: ssm.url }, tables);
    const lambdaFunction = (f: { name: string; entry?: string; code?: FunctionCode; memoryMB: number; timeoutSeconds: number }, own: Record<string, string> = {}) => {
      const override = config.functions[f.name] ?? {};
      return {
        name: f.name,
        ...(f.code ? { code: f.code } : { entry: f.entry }),
        memoryMB: memoryOf(f),
        timeoutSeconds: f.timeoutSeconds,
        reservedConcurrency: override.reservedConcurrency,
        addedLatencyMs: override.addedLatencyMs,
        forceThrottle: override.forceThrottleShare,
        environment: { ...LOCAL_DEFAULT_ENV, ...override.environment, ...own, ...environment },
      };
    };
    runtime = await createLambdaRuntime({
      functions: [
        ...functions.map((f) => lambdaFunction(f)),
        ...(authorizer ? [lambdaFunction(authorizer, { [FUNCTION_ENV.tokenParameter]: parameterName })] : []),
      ],
      accountConcurrency: config.lambda.accountConcurrency,
      hostMaxEnvironments: config.lambda.hostMaxEnvironments,
      hostEnvironmentsPerCore: config.lambda.hostEnvironmentsPerCore,
      initConcurrency: config.lambda.initConcurrency,
      preparedPerFunction: config.lambda.preparedPerFunction,
      idleReapMs: config.lambda.idleReapSeconds * 1000,
      cpuModel: config.lambda.cpuModel,
      runtime: config.lambda.runtime,
      // The Lambda API is not listening yet (it serves this runtime): calls to lambda.*.amazonaws.com are refused.
      awsEndpoints: {
        services: awsEndpointServices({
          gatewayOrigin: new URL(gateway.callbackUrl).origin,
          dynamodb: dynamodb.endpoint,
          ssm: ssm.url,
          cloudwatch: cloudwatch.url,
          cloudformation: management.cloudformation.url,
          apigatewayv2: management.apigatewayv2.url,
        }),
      },
      region: config.region,
      accountId: config.accountId,
      metrics,
      logs,
    });
    const controlPlane = new LambdaControlPlane({
      runtime,
      region: config.region,
      accountId: config.accountId,
      runtimeId: config.lambda.runtime,
      wiredEnvironment: environment,
      log,
      accountConcurrency: config.lambda.accountConcurrency,
    });
    lambdaApi = await startLambdaApiServer({ controlPlane, host: '127.0.0.1', port: 0 });
    // Prepared environments run their INIT now, on an idle host, before the first client comes.
    await runtime.prepared();
    gateway.attach(runtime);
  } catch (err) {
    await close();
    throw err;
  }

  const running = runtime;
  const db = dynamodb;
  return {
    ready: {
      ready: true,
      websocketUrl: gateway.websocketUrl,
      callbackUrl: gateway.callbackUrl,
      cloudwatchEndpoint: cloudwatch.url,
      dynamodbEndpoint: dynamodb.endpoint,
      lambdaEndpoint: lambdaApi.url,
      ssmEndpoint: ssm.url,
      cloudformationEndpoint: management.cloudformation.url,
      apiGatewayV2Endpoint: management.apigatewayv2.url,
      awsEndpointUrls: awsEndpointUrls({
        cloudformation: management.cloudformation.url,
        lambda: lambdaApi.url,
        cloudwatch: cloudwatch.url,
        ssm: ssm.url,
        apigatewayv2: management.apigatewayv2.url,
        dynamodb: dynamodb.endpoint,
      }),
      stackName: config.stackName,
      tables,
      stage: config.stage,
      apiId: config.apiId,
      region: config.region,
      lambdaRuntime: lambdaRuntimeInfo(config.lambda.runtime),
      functions: [
        ...functions.map((f) => ({
          name: f.name,
          route: f.route,
          memoryMB: memoryOf(f),
          timeoutSeconds: f.timeoutSeconds,
          runtime: config.lambda.runtime,
        })),
        ...(authorizer
          ? [{ name: authorizer.name, route: authorizer.route, memoryMB: memoryOf(authorizer), timeoutSeconds: authorizer.timeoutSeconds, runtime: config.lambda.runtime, authorizer: true as const }]
          : []),
      ],
      ...(authorizer ? { auth: { authorizer: authorizer.name, identitySource, parameterName } } : {}),
    },
    metrics,
    logs,
    runtime,
    gateway,
    hostCpu: () => hostCpu(running.stats(), db.stats().cpuMs),
    close,
  };
}

async function settle(p: Promise<void> | undefined, log: (line: string) => void, what: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    log(`stack: closing ${what} failed: ${(err as Error)?.message ?? String(err)}`);
  }
}
