import { TokenBucket } from './gateway/rate-limit.ts';
import { PATH_ROUTE, type LambdaRuntimeInfo, type StackReady } from '../common/stack-ready.ts';
import { UserError } from '../common/errors.ts';
import { awsEndpointUrls, type StackServiceEndpoints } from './aws-endpoint-urls.ts';
import { metricPublicationOf } from './cloudwatch/aws-timing.ts';
import { LogStore } from './cloudwatch/log-store.ts';
import { MetricStore } from './cloudwatch/metric-store.ts';
import { checkConfigAgainstStack, type LoadStackConfigOptions, type StackConfig } from './config.ts';
import type { AccessRecord } from './iam/access-ledger.ts';
import { setUpIam } from './iam/iam-setup.ts';
import { IamGate } from './iam/iam-gate.ts';
import { DenialLog } from './iam/denial-log.ts';
import { authorizerInvokeRefusal, invokeRefusal } from './iam/invoke-permission.ts';
import type { Gateway } from './gateway/server.ts';
import { startHostCpu, type HostCpuReport } from './host-cpu.ts';
import { startHostMeter } from './host-meter.ts';
import { nodeMajorOf, type NodeRuntime } from '../common/node-runtimes.ts';
import { deprecationLine, factsOf, hostNodeRuntimeOf, runsInWorker } from '../common/lambda-runtimes.ts';
import { installedAwsSdkV2, missingAwsSdkV2 } from '../common/aws-sdk-v2.ts';
import { runtimesInUse } from '../common/runtimes-in-use.ts';
import { resolveHostRuntimes } from './lambda/runtimes/host-runtimes.ts';
import type { LambdaRuntime } from './lambda/types.ts';
import { ParameterStore } from './ssm/parameter-store.ts';
import { SecretStore } from './secretsmanager/secret-store.ts';
import { describeStack, type DescribedStack } from './stack-model/describe-stack.ts';
import type { FunctionDescription, StackDescription } from './stack-model/stack-description.ts';
import { startEdge, type EdgeHandlers } from './edge/server.ts';
import { defaultCloudWatchRoleArn } from './apigatewayv2/account.ts';
import type { LocalEndpoint } from './local-listener.ts';
import { PROVIDERS, startProviders } from './providers/index.ts';
import type { Services, StackContext } from './providers/provider.ts';
import { provisionedOf } from './stack-model/idle-provisioned.ts';

/**
 * One stack, described (stack-model/), checked against the host and IAM before anything listens,
 * then its services started as a loop over the providers (providers/: each once those it needs
 * run; the gateway bound first, so its port is known and a port in use fails first; the Lambda
 * runtime after every endpoint its functions' redirects name) → the edge over every provider's
 * handlers → the prepared environments' INIT → the gateway starts serving. Closing runs the
 * providers in their list's order.
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
  config.stage = stack.api?.stage.name ?? config.stage;
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
  // so is a REST method's AWS integration's (rest-api/mapped-integration.ts)
  const methodRoles = (stack.restApis ?? []).flatMap((api) =>
    api.methods.flatMap((m) =>
      m.integration.type === 'AWS' && m.integration.credentials ? [{ name: `API Gateway method ${api.logicalId} ${m.httpMethod} ${m.path}`, logicalId: m.logicalId ?? api.logicalId, role: m.integration.credentials }] : [],
    ),
  );
  const iam = setUpIam([...stack.functions, ...routeRoles, ...methodRoles], config.iam, log);
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
  const authorizerFunction = authorizer && functionOf(authorizer.functionId);

  // each provider's service, set as it starts (providers/)
  const running: Partial<Services> = {};
  // the access ledger: DynamoDB's thread keeps its own, the gate this thread's
  const iamAccess = async () => {
    gate?.recordLambdaLogs((group) => logs.hasGroup(group));
    return [...((await running.dynamodb?.iamAccess()) ?? []), ...(gate?.authorizer.ledger.entries() ?? [])];
  };
  // every refusal (and post to another API) written to the emulator's own log group, for the harness
  const denials = gate && (gate.denials = new DenialLog(iamAccess, logs, config.iam === 'enforce').start());
  const hostCpu = startHostCpu();
  /** what runs the functions that are not Node.js, for the ready line */
  const runsOn: string[] = [];
  const stopHostMeter = startHostMeter(metrics);
  const endpoints = (): Partial<StackServiceEndpoints> => Object.assign({}, ...PROVIDERS.map((p) => (running[p.name] ? p.endpoints(running[p.name]!) : {})));
  const ctx: StackContext = {
    config,
    stack,
    log,
    metrics,
    logs,
    iam,
    gate,
    invokeRefusals:
      (refusedRoutes.size > 0 || refusedAuthorizer) && config.iam !== 'off' ? { mode: config.iam, routes: refusedRoutes, ...(refusedAuthorizer ? { authorizer: refusedAuthorizer } : {}) } : undefined,
    parameters,
    secrets,
    authorizerFunction,
    functionOf,
    accountThrottle: new TokenBucket(config.limits.accountRps, config.limits.accountBurst),
    cloudWatchRoleArn: stack.apiGatewayAccount?.cloudWatchRoleArn ?? (config.apiGatewayCloudWatchRole ? defaultCloudWatchRoleArn(config.accountId) : undefined),
    memoryOf,
    reservedOf,
    iamAccess,
    endpoints,
    hostCpu: (stats) => hostCpu(stats, running.dynamodb?.stats().cpuMs),
    sessionOf: (name) => sessionOf.get(name),
  };
  let edge: LocalEndpoint | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopHostMeter();
      await settle(edge?.close(), log, 'edge');
      for (const p of PROVIDERS) {
        await settle(running[p.name]?.close(), log, p.what);
        // the functions have stopped: every denial they met is written (DynamoDB's ledger still open)
        if (p.name === 'lambda') await settle(denials?.close(), log, 'iam denial log');
      }
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
    await startProviders(ctx, running);
    const handlers = Object.assign({}, ...PROVIDERS.map((p) => p.edge(running[p.name]!))) as EdgeHandlers;
    edge = await startEdge(handlers);
    // Prepared environments run their INIT now, on an idle host, before the first client comes.
    await running.lambda!.runtime.prepared();
    for (const line of provisionedLines(running.lambda!.runtime, stack.functions)) log(`stack: ${line}`);
    for (const line of await snapshotLines(running.lambda!.runtime, stack.functions)) log(`stack: ${line}`);
    running.gateway!.attach(running.lambda!.runtime);
    running.httpApis!.attach(running.lambda!.runtime);
    running.restApis!.attach(running.lambda!.runtime);
  } catch (err) {
    await close();
    throw err;
  }

  const { gateway, lambda, dynamodb } = running as Services;
  const runtime = lambda.runtime;
  const started = serviceEndpoints(endpoints());
  const routeOf = new Map(stack.routes.map((r) => [r.functionId, r.routeKey]));
  const qualifierOf = new Map(stack.routes.flatMap((r) => (r.qualifier ? [[r.functionId, r.qualifier] as const] : [])));
  return {
    ready: {
      ready: true,
      ...(stack.api ? {} : { webSocketApi: false as const }),
      websocketUrl: gateway.websocketUrl,
      callbackUrl: gateway.callbackUrl,
      goneConnectionsEndpoint: gateway.goneConnectionsUrl,
      unservedCallsEndpoint: gateway.unservedCallsUrl,
      cloudwatchEndpoint: started.cloudwatch,
      dynamodbEndpoint: started.dynamodb,
      lambdaEndpoint: started.lambda,
      ssmEndpoint: started.ssm,
      cloudformationEndpoint: started.cloudformation,
      apiGatewayV2Endpoint: started.apigatewayv2,
      edgeEndpoint: edge!.url,
      awsEndpointUrls: awsEndpointUrls({ ...started, edge: edge!.url }),
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
        ...(qualifierOf.has(f.logicalId) ? { qualifier: qualifierOf.get(f.logicalId)! } : {}),
        memoryMB: memoryOf(f),
        timeoutSeconds: f.timeoutSeconds,
        runtime: f.runtime,
        ...(f === authorizerFunction ? { authorizer: true as const } : {}),
        ...(reservedOf(f) === undefined ? {} : { reservedConcurrency: reservedOf(f) }),
        ...(provisionedOf(f).length > 0 ? { provisioned: provisionedOf(f) } : {}),
        ...(f.provisionedScaling?.length
          ? { autoScaling: f.provisionedScaling.map((s) => ({ qualifier: s.qualifier, min: s.min, max: s.max, ...(s.targetTracking ? { targetValue: s.targetTracking.targetValue } : {}), scheduledActions: s.scheduled.length })) }
          : {}),
      })),
      ...(authorizer && authorizerFunction
        ? { auth: { authorizer: authorizerFunction.name, identitySource: authorizer.identitySource, ...(authorizer.tokenParameter ? { parameterName: authorizer.tokenParameter } : {}) } }
        : {}),
      throttles: {
        stage: { rateLimit: config.limits.stageRps, burstLimit: config.limits.stageBurst },
        routes: Object.fromEntries(Object.entries(config.limits.routeThrottles).map(([route, t]) => [route, { rateLimit: t.rps, burstLimit: t.burst }])),
      },
      ...(running.httpApis?.servers.length
        ? {
            httpApis: running.httpApis.servers.map(({ api, url, functionOf: invoked }) => ({
              logicalId: api.logicalId,
              name: api.name,
              apiId: api.id,
              stage: api.stage.name,
              url,
              routes: api.routes.map((r) => ({ routeKey: r.routeKey, ...(r.integrationType === 'AWS_PROXY' ? { function: invoked(r) } : {}), payloadFormatVersion: r.payloadFormatVersion })),
            })),
          }
        : {}),
      ...(running.restApis?.servers.length
        ? {
            restApis: running.restApis.servers.map(({ api, stages, functionOf: invoked }) => ({
              logicalId: api.logicalId,
              name: api.name,
              apiId: api.id,
              stages,
              methods: api.methods.map((m) => {
                const fn = invoked(m);
                return { method: m.httpMethod, path: m.path, ...(fn !== undefined ? { function: fn } : {}), apiKeyRequired: m.apiKeyRequired };
              }),
            })),
          }
        : {}),
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
    hostCpu: () => hostCpu(runtime.stats(), dynamodb.stats().cpuMs),
    close,
  };
}

/** The endpoints every stack has (the fan-out services' too, once started): the ready line names each. */
function serviceEndpoints(e: Partial<StackServiceEndpoints>): Omit<StackServiceEndpoints, 'edge'> {
  const { cloudformation, lambda, cloudwatch, ssm, apigatewayv2, dynamodb } = e;
  if (!cloudformation || !lambda || !cloudwatch || !ssm || !apigatewayv2 || !dynamodb) throw new Error('unreachable: every provider started');
  return { ...e, cloudformation, lambda, cloudwatch, ssm, apigatewayv2, dynamodb };
}

/**
 * The limits the stack runs with: the config's where it sets them, else the stack's own stage
 * throttle and route settings, else (no stage throttle) the account's, as API Gateway applies.
 */
function withStackLimits(config: StackConfig, stack: StackDescription): StackConfig & { limits: { stageRps: number; stageBurst: number } } {
  const stage = stack.api?.stage;
  const routeThrottles = {
    ...Object.fromEntries(Object.entries(stage?.routeThrottles ?? {}).map(([route, t]) => [route, { rps: t.rateLimit, burst: t.burstLimit }])),
    ...config.limits.routeThrottles,
  };
  return {
    ...config,
    limits: {
      ...config.limits,
      stageRps: config.limits.stageRps ?? stage?.throttle?.rateLimit ?? config.limits.accountRps,
      stageBurst: config.limits.stageBurst ?? stage?.throttle?.burstLimit ?? config.limits.accountBurst,
      routeThrottles,
    },
  };
}

/**
 * Each SnapStart version's snapshot once taken, one line each: `SnapStart: chat-send version 1
 * snapshot taken (INIT 312 ms)`. A version whose INIT failed is one line naming its resource:
 * Lambda marks such a version Failed, and CloudFormation does not create it.
 */
async function snapshotLines(runtime: LambdaRuntime, functions: readonly FunctionDescription[]): Promise<string[]> {
  const lines: string[] = [];
  for (const f of functions.filter((fn) => fn.snapStart)) {
    for (const s of await runtime.snapshots(f.name)) {
      if (!s.ok) {
        const resource = f.versions?.[Number(s.version) - 1]?.logicalId ?? f.logicalId;
        throw new UserError(`resource ${resource}: SnapStart: version ${s.version} of ${f.name} could not be published: its INIT failed (${s.errorType}: ${s.errorMessage}), so Lambda takes no snapshot and marks the version Failed`);
      }
      lines.push(`SnapStart: ${f.name} version ${s.version} snapshot taken (INIT ${Math.round(s.initMs)} ms)`);
    }
  }
  return lines;
}

async function settle(p: Promise<void> | undefined, log: (line: string) => void, what: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    log(`stack: closing ${what} failed: ${(err as Error)?.message ?? String(err)}`);
  }
}

/**
 * Each provisioned concurrency configuration as it stands once the stack is ready, one line each:
 * `provisioned concurrency: chat-connect:live (version 1) 2 of 2 environments READY`, with the
 * reason when the allocation failed.
 */
function provisionedLines(runtime: LambdaRuntime, functions: readonly FunctionDescription[]): string[] {
  return functions.flatMap((f) =>
    provisionedOf(f).map((p) => {
      const s = runtime.provisionedConcurrency(f.name, p.qualifier);
      return `provisioned concurrency: ${f.name}:${p.qualifier} (version ${p.version}) ${s.allocated} of ${s.requested} environments ${s.status}${s.statusReason ? ` (${s.statusReason})` : ''}`;
    }),
  );
}
