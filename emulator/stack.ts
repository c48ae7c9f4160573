import { PATH_ROUTE, type LambdaRuntimeInfo, type StackReady } from '../common/stack-ready.ts';
import { UserError } from '../common/errors.ts';
import { awsEndpointUrls } from './aws-endpoint-urls.ts';
import { metricPublicationOf } from './cloudwatch/aws-timing.ts';
import { LogStore } from './cloudwatch/log-store.ts';
import { MetricStore } from './cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from './cloudwatch/server.ts';
import { checkConfigAgainstStack, type LoadStackConfigOptions, type StackConfig } from './config.ts';
import { startDynamoDb, type LocalDynamoDb } from './dynamodb/dynamodb-thread.ts';
import { stackEnvironment } from './function-environment.ts';
import type { AccessRecord } from './iam/access-ledger.ts';
import { setUpIam } from './iam/iam-setup.ts';
import { IamGate } from './iam/iam-gate.ts';
import { DenialLog } from './iam/denial-log.ts';
import { authorizerInvokeRefusal, invokeRefusal } from './iam/invoke-permission.ts';
import { startGateway, type Gateway } from './gateway/server.ts';
import { hostCpuLine, startHostCpu, type HostCpuReport } from './host-cpu.ts';
import { startHostMeter } from './host-meter.ts';
import { LambdaControlPlane } from './lambda-api/control-plane.ts';
import { startManagementApis, type ManagementApis } from './management-apis.ts';
import { startLambdaApiServer, type LambdaApiServer } from './lambda-api/server.ts';
import { nodeMajorOf, type NodeRuntime } from '../common/node-runtimes.ts';
import { deprecationLine, factsOf, hostNodeRuntimeOf, runsInWorker } from '../common/lambda-runtimes.ts';
import { installedAwsSdkV2, missingAwsSdkV2 } from '../common/aws-sdk-v2.ts';
import { runtimesInUse } from '../common/runtimes-in-use.ts';
import { resolveHostRuntimes } from './lambda/runtimes/host-runtimes.ts';
import { createLambdaRuntime } from './lambda/runtime.ts';
import { awsEndpointServices } from './lambda/runtimes/aws-endpoint-services.ts';
import type { LambdaRuntime } from './lambda/types.ts';
import { ParameterStore } from './ssm/parameter-store.ts';
import { startSsmServer } from './ssm/server.ts';
import { SecretStore } from './secretsmanager/secret-store.ts';
import { startSecretsManagerServer } from './secretsmanager/server.ts';
import type { AwsJsonServer } from './aws-json-server.ts';
import { describeStack, type DescribedStack } from './stack-model/describe-stack.ts';

import type { FunctionDescription, StackDescription } from './stack-model/stack-description.ts';
import { startEdge } from './edge/server.ts';
import { defaultCloudWatchRoleArn } from './apigatewayv2/account.ts';
import { stageAccessLogSettings } from './apigatewayv2/access-log-settings.ts';
import { templateError } from './stack-model/template-errors.ts';
import { PolicyGenerations } from './iam-api/policy-generation.ts';
import { rolePolicies } from './iam-api/role-policies.ts';
import { startIamApiServer } from './iam-api/server.ts';
import type { LocalEndpoint, ServiceEndpoint } from './local-listener.ts';
import { startMessaging, type Messaging } from './messaging.ts';

/**
 * One stack, described (stack-model/), started in dependency order: gateway bound (so the port,
 * hence the local @connections URL, is known, and a port in use fails first) → DynamoDB (dynalite,
 * the stack's tables ACTIVE), the CloudWatch and the Parameter Store endpoints, side by side (the
 * stack's parameters and the token the reference authorizer expects seeded), and CloudFormation
 * and API Gateway v2 (management-apis.ts) → SQS, SNS, EventBridge and DynamoDB Streams
 * (messaging.ts) and the Lambda API's listener → Lambda runtime with each function's environment
 * (every endpoint above in its redirect) → the asynchronous invocations and event source mappings
 * over it, the Lambda API attached → the edge → gateway starts serving.
 */

export interface StartStackOptions {
  config: StackConfig;
  /** The stack to run (default: the reference stack as the config asks for it, from its cloud assembly: describeStack). */
  stack?: StackDescription;
  /**
   * The token the authorizer expects (`config.auth.enabled`): seeded into Parameter Store as a
   * SecureString under the authorizer's token parameter. Never printed, never in the ready line.
   */
  authToken?: string;
  /** Where the emulator's own diagnostics go (default stderr). */
  log?: (line: string) => void;
  /** Where the config's values came from, for a message about one the stack refuses (the flag, else the file). */
  configSources?: Pick<LoadStackConfigOptions, 'file' | 'overrides' | 'flagFor'>;
}

export function lambdaRuntimeInfo(runtime: NodeRuntime, nodeVersion = process.versions.node): LambdaRuntimeInfo {
  return { runtime, node: nodeVersion, matches: Number(nodeVersion.split('.')[0]) === nodeMajorOf(runtime) };
}

export interface RunningStack {
  ready: StackReady;
  /** what runs: the stack description, with the physical names its functions and tables got */
  stack: StackDescription;
  metrics: MetricStore;
  logs: LogStore;
  runtime: LambdaRuntime;
  gateway: Gateway;
  /** Every call a function's role was asked about (config.iam enforce or report), allowed or denied, with counts. */
  iamAccess(): Promise<AccessRecord[]>;
  /** Where the host's CPU went since the stack started, as logged when it stops (host-cpu.ts). */
  hostCpu(): HostCpuReport;
  /** Close sockets (1001), runtime, servers and dynalite. Idempotent. */
  close(): Promise<void>;
}

/** The stack `options` asks for; one described here is disposed of when the stack closes. */
async function stackOf(options: StartStackOptions, log: (line: string) => void): Promise<DescribedStack> {
  if (options.stack) return { stack: options.stack, dispose: async () => {} };
  return describeStack(options.config, log);
}

export async function startStack(options: StartStackOptions): Promise<RunningStack> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const described = await stackOf(options, log);
  const stack = described.stack;
  const config = withStackLimits(checkConfigAgainstStack(options.config, stack, options.configSources), stack);
  // The stack's own stage (a template's StageName) is the one served: its name is in every URL.
  config.stage = stack.api.stage.name;
  // A template's functions name their runtime; the stack reports the Node.js one they share.
  const runtimes = [...new Set(stack.functions.map((f) => f.runtime))];
  const shared = runtimes.length === 1 ? runtimes[0]! : undefined;
  if (shared !== undefined && runsInWorker(shared)) config.lambda = { ...config.lambda, runtime: hostNodeRuntimeOf(shared) };
  const authorizer = stack.authorizer;
  const functionOf = (id: string): FunctionDescription => {
    const fn = stack.functions.find((f) => f.logicalId === id);
    if (!fn) throw new Error(`unreachable: the stack description names function ${id} it does not describe`);
    return fn;
  };
  // the reference stack's authorizer (auth.enabled: a template's runs as written) compares with the token a run is given
  if (config.auth.enabled && authorizer?.tokenParameter !== undefined && options.authToken === undefined) {
    throw new UserError('auth: the authorizer needs the token it expects: set FANOUT_BENCH_TOKEN or auth.tokenFile (--auth-token-file)');
  }
  // IAM's sessions and roles, and what it says of them, before anything listens
  // an AWS route's CredentialsArn role is a principal too: API Gateway signs its calls to SQS, SNS or EventBridge with it
  const routeRoles = (stack.awsRoutes ?? []).flatMap((r) => (r.credentials ? [{ name: `API Gateway route ${r.routeKey}`, logicalId: r.integrationId, role: r.credentials }] : []));
  const iam = setUpIam([...stack.functions, ...routeRoles], config.iam, log);
  const sessionOf = new Map(iam?.sessions.map((s) => [s.function, s.token]));
  // the services of this thread (@connections, Parameter Store, CloudWatch, the Lambda API) ask it; DynamoDB's thread has its own
  const gate = iam && config.iam !== 'off' ? new IamGate(config.iam, iam, config.region, config.accountId, log) : undefined;
  // API Gateway's right to invoke each route's function and the authorizer's (AWS::Lambda::Permission), said once at start
  const refusedRoutes = new Map<string, string>();
  let refusedAuthorizer: string | undefined;
  if (config.iam !== 'off') {
    const at = { region: config.region, accountId: config.accountId, apiId: config.apiId, stage: config.stage };
    const consequence = (on: string) => (config.iam === 'enforce' ? `${on} fails as on AWS` : 'it would fail on AWS (report: invoked)');
    for (const r of stack.routes) {
      const why = invokeRefusal(r, functionOf(r.functionId), stack.invokePermissions, at);
      if (why === undefined) continue;
      refusedRoutes.set(r.routeKey, why);
      const answer = r.routeKey === '$connect' ? ' (500 at handshake)' : ' ("Internal server error")';
      log(`iam: ${why}: ${consequence('the route')}${config.iam === 'enforce' ? answer : ''}`);
    }
    refusedAuthorizer = authorizer && authorizerInvokeRefusal(authorizer, functionOf(authorizer.functionId), stack.invokePermissions, at);
    if (refusedAuthorizer) log(`iam: ${refusedAuthorizer}: ${consequence('every $connect')}${config.iam === 'enforce' ? ' (500 at handshake)' : ''}`);
  }
  const metrics = new MetricStore({ publication: metricPublicationOf(config.awsMetrics) });
  const logs = new LogStore();
  // the stack's log groups, created with it (empty until a function or the stage writes)
  for (const g of stack.logGroups ?? []) logs.createGroup(g.name, g);
  const parameters = new ParameterStore(config.region, config.accountId);
  for (const p of stack.parameters) parameters.seed(p.name, p.value, p.type);
  if (authorizer?.tokenParameter !== undefined && options.authToken !== undefined) parameters.seed(authorizer.tokenParameter, options.authToken, 'SecureString');
  for (const p of stack.outsideParameters ?? []) parameters.seed(p.name, p.value, 'String');
  const secrets = new SecretStore(config.region, config.accountId);
  for (const s of stack.secrets ?? []) secrets.seed(s);
  secrets.publishMetrics(metrics);
  const memoryOf = (f: FunctionDescription) => config.functions[f.name]?.memoryMB ?? f.memoryMB;
  const reservedOf = (f: FunctionDescription) => config.functions[f.name]?.reservedConcurrency ?? f.reservedConcurrency;
  const routeFunctions = stack.routes.map((r) => ({ name: functionOf(r.functionId).name, route: r.routeKey, returnResponse: r.twoWay }));
  const authorizerFunction = authorizer && functionOf(authorizer.functionId);

  let dynamodb: LocalDynamoDb | undefined;
  let cloudwatch: CloudWatchServer | undefined;
  let ssm: AwsJsonServer | undefined;
  let secretsManager: AwsJsonServer | undefined;
  let gateway: Gateway | undefined;
  let runtime: LambdaRuntime | undefined;
  let lambdaApi: LambdaApiServer | undefined;
  let management: ManagementApis | undefined;
  let edge: LocalEndpoint | undefined;
  let iamApi: ServiceEndpoint | undefined;
  let messaging: Messaging | undefined;
  // the access ledger: DynamoDB's thread keeps its own, the gate this thread's
  const iamAccess = async () => {
    gate?.recordLambdaLogs((group) => logs.hasGroup(group));
    return [...((await dynamodb?.iamAccess()) ?? []), ...(gate?.authorizer.ledger.entries() ?? [])];
  };
  // every refusal (and post to another API) written to the emulator's own log group, for the harness
  const denials = gate && (gate.denials = new DenialLog(iamAccess, logs, config.iam === 'enforce').start());
  let closing: Promise<void> | undefined;
  const hostCpu = startHostCpu();
  /** what runs the functions that are not Node.js, for the ready line */
  const runsOn: string[] = [];
  const stopHostMeter = startHostMeter(metrics);
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Gateway first: its shutdown closes sockets and lets their $disconnects reach the runtime.
      stopHostMeter();
      await settle(gateway?.close(), log, 'gateway');
      await settle(messaging?.close(), log, 'sqs, sns, eventbridge and dynamodb streams');
      await settle(denials?.close(), log, 'iam denial log');
      await settle(edge?.close(), log, 'edge');
      await settle(lambdaApi?.close(), log, 'lambda api');
      await settle(iamApi?.close(), log, 'iam and access analyzer apis');
      await settle(management?.close(), log, 'cloudformation and api gateway apis');
      if (runtime) log(hostCpuLine(hostCpu(runtime.stats(), dynamodb?.stats().cpuMs)));
      await settle(runtime?.close(), log, 'lambda runtime');
      await settle(cloudwatch?.close(), log, 'cloudwatch');
      await settle(ssm?.close(), log, 'ssm');
      await settle(secretsManager?.close(), log, 'secrets manager');
      await settle(dynamodb?.close(), log, 'dynamodb');
      await described.dispose();
    })();
    return closing;
  };

  try {
    // What runs the functions that are not Node.js (a Python, a bootstrap), before anything
    // listens: a host that cannot run one is one line naming it.
    // The SDK v2 that nodejs16.x and older ship is fetched once into the cache: missing, one line.
    const needsSdkV2 = stack.functions.find((f) => factsOf(f.runtime).ships === 'aws-sdk-v2' && f.code.kind === 'handler');
    if (needsSdkV2 && installedAwsSdkV2() === undefined) throw new UserError(missingAwsSdkV2(needsSdkV2.runtime));
    await resolveHostRuntimes(
      stack.functions
        .filter((f) => !runsInWorker(f.runtime) && f.code.kind === 'handler')
        .map((f) => ({
          label: `resource ${f.logicalId}`,
          runtime: f.runtime,
          dir: f.code.kind === 'handler' ? f.code.dir : '',
          handler: f.code.kind === 'handler' ? f.code.handler : undefined,
        })),
      log,
      runsOn,
    );
    // Deprecated runtimes run, as Lambda still invokes them: one line each says so.
    for (const id of new Set(stack.functions.map((f) => f.runtime))) {
      const line = deprecationLine(id, runsInWorker(id) ? process.versions.node : undefined);
      if (line) log(`stack: ${line}`);
    }
    // Bind first: a port in use fails before anything else has started.
    gateway = await startGateway({
      config,
      functions: routeFunctions,
      routeSelectionExpression: stack.api.routeSelectionExpression,
      metrics,
      log,
      authorizer: authorizer && authorizerFunction && { functionName: authorizerFunction.name, identitySource: authorizer.identitySource },
      ...(gate ? { iam: gate } : {}),
      logs,
      ...(stack.awsRoutes?.length
        ? {
            awsIntegrations: {
              routes: stack.awsRoutes,
              endpointOf: (service: 'sqs' | 'sns' | 'events') => messaging?.endpoints[service === 'events' ? 'eventbridge' : service],
              sessionTokenOf: (roleArn: string) => iam?.sessions.find((s) => s.roleArn === roleArn && s.function.startsWith('API Gateway route '))?.token,
            },
          }
        : {}),
      ...((refusedRoutes.size > 0 || refusedAuthorizer) && config.iam !== 'off'
        ? { invokeRefusals: { mode: config.iam, routes: refusedRoutes, ...(refusedAuthorizer ? { authorizer: refusedAuthorizer } : {}) } }
        : {}),
    });
    // the account's API Gateway CloudWatch role: the template's, else one already set up unless the config says the account has none
    const cloudWatchRoleArn = stack.apiGatewayAccount?.cloudWatchRoleArn ?? (config.apiGatewayCloudWatchRole ? defaultCloudWatchRoleArn(config.accountId) : undefined);
    const stageSettings = stack.api.stage.accessLog;
    gateway.accessLog.configure(
      stageAccessLogSettings(
        stageSettings,
        { region: config.region, accountId: config.accountId, cloudWatchRoleArn, logGroupExists: (name) => logs.hasGroup(name), createLogGroup: (name) => logs.createGroup(name) },
        (message) => templateError(stack.source.templateFile, ['Resources', stack.api.stage.logicalId ?? 'Stage', 'Properties', 'AccessLogSettings'], message),
      ),
    );
    await Promise.all([
      startDynamoDb({
        path: config.dynamodb.inMemory ? undefined : config.dynamodb.path,
        tables: stack.tables.map((t) => t.definition),
        streams: stack.tables.flatMap((t) => (t.stream ? [{ tableName: t.definition.TableName, viewType: t.stream.viewType, arn: t.stream.arn }] : [])),
        region: config.region,
        metrics,
        throttleShare: config.faults.dynamodbThrottleShare,
        ...(iam && config.iam !== 'off' ? { iam: { mode: config.iam, grants: iam, region: config.region, accountId: config.accountId }, log } : {}),
      }).then(
        (db) => (dynamodb = db),
      ),
      startCloudWatchServer({ store: metrics, logs, host: '127.0.0.1', port: 0, region: config.region, accountId: config.accountId, ...(gate ? { iam: gate } : {}) }).then(
        (cw) => (cloudwatch = cw),
      ),
      startSsmServer(parameters, '127.0.0.1', 0, gate).then((s) => (ssm = s)),
      startSecretsManagerServer(secrets, '127.0.0.1', 0, gate).then((s) => (secretsManager = s)),
      startManagementApis({
        stack,
        accountId: config.accountId,
        websocketUrl: gateway.websocketUrl,
        callbackUrl: gateway.callbackUrl,
        apiId: config.apiId,
        stage: config.stage,
        region: config.region,
        throttle: { rateLimit: config.limits.stageRps, burstLimit: config.limits.stageBurst },
        routeThrottles: Object.fromEntries(Object.entries(config.limits.routeThrottles).map(([route, t]) => [route, { rateLimit: t.rps, burstLimit: t.burst }])),
        accountThrottle: { rateLimit: config.limits.accountRps, burstLimit: config.limits.accountBurst },
        cloudWatchRoleArn,
        accessLog: gateway.accessLog,
        logGroupExists: (name) => logs.hasGroup(name),
      }).then((m) => (management = m)),
    ]);
    if (!dynamodb || !cloudwatch || !ssm || !secretsManager || !management) throw new Error('unreachable: dynamodb, cloudwatch, ssm, secrets manager and the management apis started');
    messaging = await startMessaging({
      stack,
      region: config.region,
      accountId: config.accountId,
      metrics,
      logs,
      dynamodb,
      ...(gate ? { iam: gate } : {}),
      iamMode: config.iam,
      log,
      asyncRetryDelaysMs: config.lambda.asyncRetryDelaysSeconds.map((s) => s * 1000),
    });

    const environment = stackEnvironment({ dynamodb: dynamodb.endpoint, ssm: ssm.url });
    const lambdaFunction = (f: FunctionDescription) => {
      const override = config.functions[f.name] ?? {};
      return {
        name: f.name,
        code: f.code,
        runtime: f.runtime,
        memoryMB: memoryOf(f),
        timeoutSeconds: f.timeoutSeconds,
        reservedConcurrency: reservedOf(f),
        ...(f.preparedEnvironments !== undefined ? { preparedEnvironments: f.preparedEnvironments } : {}),
        addedLatencyMs: override.addedLatencyMs,
        forceThrottle: override.forceThrottleShare,
        environment: { ...f.environment, ...override.environment, ...environment },
        sessionToken: sessionOf.get(f.name),
        ...(f.lambdaInsights ? { lambdaInsights: true } : {}),
        ...(f.logging ? { logging: f.logging } : {}),
        ...(f.opt ? { opt: f.opt } : {}),
      };
    };
    // The Lambda API listens before the runtime is made, so a function's SDK reaches lambda.*.amazonaws.com
    // through its redirect; it serves the functions once attached below.
    lambdaApi = await startLambdaApiServer({ host: '127.0.0.1', port: 0, ...(gate ? { iam: gate } : {}) });
    runtime = await createLambdaRuntime({
      functions: stack.functions.map(lambdaFunction),
      accountConcurrency: config.lambda.accountConcurrency,
      hostMaxEnvironments: config.lambda.hostMaxEnvironments,
      hostEnvironmentsPerCore: config.lambda.hostEnvironmentsPerCore,
      initConcurrency: config.lambda.initConcurrency,
      preparedPerFunction: config.lambda.preparedPerFunction,
      idleReapMs: config.lambda.idleReapSeconds * 1000,
      cpuModel: config.lambda.cpuModel,
      lambdaInsights: config.lambda.lambdaInsights,
      runtime: config.lambda.runtime,
      awsEndpoints: {
        services: awsEndpointServices({
          gatewayOrigin: new URL(gateway.callbackUrl).origin,
          lambda: lambdaApi.url,
          dynamodb: dynamodb.endpoint,
          ssm: ssm.url,
          secretsManager: secretsManager.url,
          cloudwatch: cloudwatch.url,
          cloudformation: management.cloudformation.url,
          apigatewayv2: management.apigatewayv2.url,
          ...messaging.endpoints,
        }),
      },
      region: config.region,
      accountId: config.accountId,
      metrics,
      logs,
      // (its other lines, which Python runs what, this start has said already)
      outsidePackageLog: log,
    });
    const asyncInvocations = messaging.attach(runtime);
    const controlPlane = new LambdaControlPlane({
      runtime,
      region: config.region,
      accountId: config.accountId,
      runtimeId: config.lambda.runtime,
      wiredEnvironment: environment,
      log,
      accountConcurrency: config.lambda.accountConcurrency,
      roleArns: new Map(stack.functions.flatMap((f) => (f.role ? [[f.name, f.role.arn] as const] : []))),
      ...(stack.eventSourceMappings ? { eventSourceMappings: stack.eventSourceMappings } : {}),
    });
    lambdaApi.attach({
      controlPlane,
      asyncInvocations,
      asyncConfigs: Object.fromEntries(stack.functions.map((f) => [f.name, f.asyncInvoke])),
      logs,
      hasTarget: (arn) => messaging?.targets.has(arn) ?? false,
    });
    // IAM's read API over the roles read, and Access Analyzer's policy generation over the ledger
    const roles = stack.functions.filter((f) => f.role && !f.role.external).map((f) => rolePolicies(f.role!, f.logicalId, config.accountId));
    iamApi = await startIamApiServer({
      roles,
      generations: new PolicyGenerations(iamAccess, new Map(roles.map((r) => [r.arn, r.name])), config.iam),
      created: new Date(),
      accountId: config.accountId,
      sessions: iam?.sessions ?? [],
      // the statements the services evaluate (under iam: off, the functions' roles as read: what AWS would decide)
      statements: new Map(iam?.roles ?? stack.functions.flatMap((f) => (f.role && !f.role.external ? [[f.role.arn, f.role.statements] as const] : []))),
    });
    edge = await startEdge({
      dynamodb: dynamodb.handle,
      lambda: lambdaApi.handle,
      cloudwatch: cloudwatch.handle,
      ssm: ssm.handle,
      secretsmanager: secretsManager.handle,
      cloudformation: management.cloudformation.handle,
      apigateway: management.apigatewayv2.handle,
      'execute-api': gateway.handle,
      iam: iamApi.handle,
      // STS's GetCallerIdentity is answered beside IAM: both know the stack's role sessions
      sts: iamApi.handle,
      'access-analyzer': iamApi.handle,
      sqs: messaging.handlers.sqs,
      sns: messaging.handlers.sns,
      events: messaging.handlers.eventbridge,
      'dynamodb-streams': messaging.handlers.dynamodbStreams,
    });
    // Prepared environments run their INIT now, on an idle host, before the first client comes.
    await runtime.prepared();
    gateway.attach(runtime);
  } catch (err) {
    await close();
    throw err;
  }

  const running = runtime;
  const db = dynamodb;
  const routeOf = new Map(stack.routes.map((r) => [r.functionId, r.routeKey]));
  return {
    ready: {
      ready: true,
      websocketUrl: gateway.websocketUrl,
      callbackUrl: gateway.callbackUrl,
      goneConnectionsEndpoint: gateway.goneConnectionsUrl,
      unservedCallsEndpoint: gateway.unservedCallsUrl,
      cloudwatchEndpoint: cloudwatch.url,
      dynamodbEndpoint: dynamodb.endpoint,
      lambdaEndpoint: lambdaApi.url,
      ssmEndpoint: ssm.url,
      cloudformationEndpoint: management.cloudformation.url,
      apiGatewayV2Endpoint: management.apigatewayv2.url,
      edgeEndpoint: edge.url,
      awsEndpointUrls: awsEndpointUrls({
        edge: edge.url,
        cloudformation: management.cloudformation.url,
        lambda: lambdaApi.url,
        cloudwatch: cloudwatch.url,
        ssm: ssm.url,
        secretsManager: secretsManager.url,
        apigatewayv2: management.apigatewayv2.url,
        dynamodb: dynamodb.endpoint,
        ...messaging.endpoints,
      }),
      stackName: stack.stackName,
      tables: stack.tables.map((t) => t.definition.TableName),
      stage: config.stage,
      apiId: config.apiId,
      region: config.region,
      lambdaRuntime: {
        ...lambdaRuntimeInfo(config.lambda.runtime),
        ...(runsOn.length > 0 ? { others: runsOn, nodeFunctions: stack.functions.some((f) => runsInWorker(f.runtime)) } : {}),
        runtimes: runtimesInUse(stack.functions, { node: process.versions.node, others: runsOn }),
      },
      // every function, whatever starts it: a queue's consumer is as much the stack's as a route's
      functions: stack.functions.map((f) => ({
        name: f.name,
        ...(f.logicalId !== f.name ? { logicalId: f.logicalId } : {}),
        route: routeOf.get(f.logicalId) ?? (f === authorizerFunction ? '$connect' : PATH_ROUTE),
        memoryMB: memoryOf(f),
        timeoutSeconds: f.timeoutSeconds,
        runtime: f.runtime,
        ...(f === authorizerFunction ? { authorizer: true as const } : {}),
        ...(reservedOf(f) === undefined ? {} : { reservedConcurrency: reservedOf(f) }),
      })),
      ...(authorizer && authorizerFunction
        ? { auth: { authorizer: authorizerFunction.name, identitySource: authorizer.identitySource, ...(authorizer.tokenParameter ? { parameterName: authorizer.tokenParameter } : {}) } }
        : {}),
      throttles: {
        stage: { rateLimit: config.limits.stageRps, burstLimit: config.limits.stageBurst },
        routes: Object.fromEntries(Object.entries(config.limits.routeThrottles).map(([route, t]) => [route, { rateLimit: t.rps, burstLimit: t.burst }])),
      },
      ...(stack.notEmulatedPaths?.length ? { notEmulated: stack.notEmulatedPaths } : {}),
      ...(stack.notEmulated.length > 0 ? { notEmulatedResources: stack.notEmulated.map((r) => ({ logicalId: r.logicalId, type: r.type })) } : {}),
      ...(stack.warnings?.length ? { warnings: stack.warnings } : {}),
    },
    stack,
    metrics,
    logs,
    runtime,
    gateway,
    iamAccess,
    hostCpu: () => hostCpu(running.stats(), db.stats().cpuMs),
    close,
  };
}

/**
 * The limits the stack runs with: the config's where it sets them, else the stack's own stage
 * throttle and route settings, else (no stage throttle) the account's, as API Gateway applies.
 */
function withStackLimits(config: StackConfig, stack: StackDescription): StackConfig & { limits: { stageRps: number; stageBurst: number } } {
  const stage = stack.api.stage;
  const routeThrottles = {
    ...Object.fromEntries(Object.entries(stage.routeThrottles).map(([route, t]) => [route, { rps: t.rateLimit, burst: t.burstLimit }])),
    ...config.limits.routeThrottles,
  };
  return {
    ...config,
    limits: {
      ...config.limits,
      stageRps: config.limits.stageRps ?? stage.throttle?.rateLimit ?? config.limits.accountRps,
      stageBurst: config.limits.stageBurst ?? stage.throttle?.burstLimit ?? config.limits.accountBurst,
      routeThrottles,
    },
  };
}

async function settle(p: Promise<void> | undefined, log: (line: string) => void, what: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    log(`stack: closing ${what} failed: ${(err as Error)?.message ?? String(err)}`);
  }
}
