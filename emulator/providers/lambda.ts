import { stackEnvironment } from '../function-environment.ts';
import { hostCpuLine } from '../host-cpu.ts';
import { LambdaControlPlane } from '../lambda-api/control-plane.ts';
import { startLambdaApiServer } from '../lambda-api/server.ts';
import { createLambdaRuntime } from '../lambda/runtime.ts';
import { awsEndpointServices } from '../lambda/runtimes/aws-endpoint-services.ts';
import type { FunctionDescription } from '../stack-model/stack-description.ts';
import { describePath } from '../stack-model/template-errors.ts';
import type { Provider, StackContext } from './provider.ts';

/**
 * Lambda: the runtime, with each function's environment (every endpoint started before it in its
 * redirect), the asynchronous invocations and event source mappings over it, and the Lambda API.
 * The API listens before the runtime is made, so a function's SDK reaches lambda.*.amazonaws.com
 * through its redirect; it serves the functions once attached.
 */
export const lambdaProvider: Provider<'lambda'> = {
  name: 'lambda',
  what: 'lambda',
  after: ['gateway', 'dynamodb', 'cloudwatch', 'ssm', 'secretsmanager', 'management', 'messaging'],
  async start(ctx, running) {
    const { config, stack, gate, log, metrics, logs } = ctx;
    const messaging = running.messaging!;
    const endpoints = ctx.endpoints();
    const environment = stackEnvironment({ dynamodb: endpoints.dynamodb!, ssm: endpoints.ssm! });
    const api = await startLambdaApiServer({ host: '127.0.0.1', port: 0, ...(gate ? { iam: gate } : {}) });
    try {
      const runtime = await createLambdaRuntime({
        functions: stack.functions.map((f) => lambdaFunction(ctx, f, environment)),
        accountConcurrency: config.lambda.accountConcurrency,
        hostMaxEnvironments: config.lambda.hostMaxEnvironments,
        hostEnvironmentsPerCore: config.lambda.hostEnvironmentsPerCore,
        initConcurrency: config.lambda.initConcurrency,
        preparedPerFunction: config.lambda.preparedPerFunction,
        idleReapMs: config.lambda.idleReapSeconds * 1000,
        cpuModel: config.lambda.cpuModel,
        lambdaInsights: config.lambda.lambdaInsights,
        runtime: config.lambda.runtime,
        awsEndpoints: { services: awsEndpointServices({ ...endpoints, gatewayOrigin: new URL(running.gateway!.callbackUrl).origin, lambda: api.url }) },
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
      api.attach({
        controlPlane,
        asyncInvocations,
        asyncConfigs: Object.fromEntries(stack.functions.map((f) => [f.name, f.asyncInvoke])),
        logs,
        hasTarget: (arn) => messaging.targets.has(arn),
      });
      return {
        api,
        runtime,
        close: async () => {
          try {
            await api.close();
          } finally {
            // what the functions and DynamoDB's thread used, said before the runtime's environments go
            log(hostCpuLine(ctx.hostCpu(runtime.stats())));
            await runtime.close();
          }
        },
      };
    } catch (err) {
      await api.close();
      throw err;
    }
  },
  edge: (lambda) => ({ lambda: lambda.api.handle }),
  endpoints: (lambda) => ({ lambda: lambda.api.url }),
};

/** One function as the runtime runs it: the template's settings, the config's overrides, the stack's endpoints in its environment. */
function lambdaFunction({ config, stack, sessionOf, memoryOf, reservedOf }: StackContext, f: FunctionDescription, environment: Record<string, string>) {
  const override = config.functions[f.name] ?? {};
  // a refusal of a version's or an alias's provisioned concurrency names the resource in the template
  const at = (logicalId: string) => ({ declaredAt: `${stack.source.templateFile}: ${describePath(['Resources', logicalId, 'Properties', 'ProvisionedConcurrencyConfig'])}` });
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
    sessionToken: sessionOf(f.name),
    ...(f.lambdaInsights ? { lambdaInsights: true } : {}),
    ...(f.logging ? { logging: f.logging } : {}),
    ...(f.snapStart ? { snapStart: f.snapStart } : {}),
    ...(f.opt ? { opt: f.opt } : {}),
    // published versions and aliases, with their provisioned concurrency (the runtime refuses what Lambda would)
    ...(f.versions ? { versions: f.versions.map((v) => ({ ...(v.provisionedConcurrency ? { provisionedConcurrency: v.provisionedConcurrency } : {}), ...at(v.logicalId) })) } : {}),
    ...(f.aliases ? { aliases: f.aliases.map((a) => ({ name: a.name, version: a.version, ...(a.provisionedConcurrency ? { provisionedConcurrency: a.provisionedConcurrency } : {}), ...at(a.logicalId) })) } : {}),
  };
}
