import { stageAccessLogSettings } from '../apigatewayv2/access-log-settings.ts';
import type { AccessLogSettings } from '../gateway/access-log.ts';
import { restAuthorizerInvokeRefusal, restMethodInvokeRefusal } from '../iam/invoke-permission.ts';
import { startRestApi, type RestApiServer } from '../rest-api/server.ts';
import { methodKey } from '../rest-api/resource-routing.ts';
import { qualifiedName } from '../stack-model/stack-outline.ts';
import { templateError } from '../stack-model/template-errors.ts';
import type { Provider } from './provider.ts';

/**
 * The stack's REST APIs (../rest-api/), each on a port of its own with every stage at `/{stage}`:
 * bound first, as the WebSocket and HTTP APIs are, serving once the Lambda runtime is attached
 * (../stack.ts). API Gateway's right to invoke each method's function on each stage and each
 * authorizer's (AWS::Lambda::Permission) is said at start, and enforced as the config's `iam`
 * asks. An AWS integration calls SQS, SNS or EventBridge at their local endpoints, read when it
 * calls (they start after), signed as its CredentialsArn role's session. A stage's
 * AccessLogSetting is checked as API Gateway checks a REST stage's (the account's CloudWatch role
 * needed, as for a WebSocket API) and its lines written to the log group.
 */
export const restApisProvider: Provider<'restApis'> = {
  name: 'restApis',
  what: 'REST APIs',
  after: [],
  async start({ config, stack, metrics, log, logs, iam, gate, accountThrottle, functionOf, cloudWatchRoleArn }, running) {
    const servers: RestApiServer[] = [];
    const close = async () => {
      await Promise.all(servers.map((s) => s.close()));
    };
    try {
      for (const api of stack.restApis ?? []) {
        const methods = new Map<string, string>();
        const authorizers = new Map<string, string>();
        if (config.iam !== 'off') {
          for (const stage of api.stages) {
            const at = { region: config.region, accountId: config.accountId, apiId: api.id, stage: stage.name };
            for (const m of api.methods) {
              if (m.integration.type !== 'AWS_PROXY') continue;
              const why = restMethodInvokeRefusal({ ...m, ...(m.integration.credentials ? { credentials: m.integration.credentials } : {}) }, functionOf(m.integration.functionId), stack.invokePermissions, at);
              if (why !== undefined) methods.set(`${stage.name} ${methodKey(m)}`, why);
            }
          }
          for (const a of api.authorizers) {
            const why = restAuthorizerInvokeRefusal(a, functionOf(a.functionId), stack.invokePermissions, { region: config.region, accountId: config.accountId, apiId: api.id });
            if (why !== undefined) authorizers.set(a.logicalId, why);
          }
        }
        const accessLogs = new Map<string, AccessLogSettings>();
        for (const stage of api.stages) {
          const settings = stageAccessLogSettings(
            stage.accessLog,
            { region: config.region, accountId: config.accountId, cloudWatchRoleArn, logGroupExists: (name) => logs.hasGroup(name), createLogGroup: (name) => logs.createGroup(name) },
            // a Deployment's stage is named by its API (the description keeps no Deployment id)
            (message) => templateError(stack.source.templateFile, stage.logicalId ? ['Resources', stage.logicalId, 'Properties', 'AccessLogSetting'] : ['Resources', api.logicalId], `stage ${stage.name}: ${message}`),
          );
          if (settings) accessLogs.set(stage.name, settings);
        }
        const server = await startRestApi({
          api,
          accessLogs: { settings: accessLogs, logs },
          ...(gate ? { iam: gate } : {}),
          account: accountThrottle,
          apiKeys: stack.apiKeys ?? [],
          usagePlans: stack.usagePlans ?? [],
          host: config.host,
          region: config.region,
          accountId: config.accountId,
          metrics,
          log,
          functionOf: (target) => qualifiedName(functionOf(target.functionId).name, target.qualifier),
          ...((methods.size > 0 || authorizers.size > 0) && config.iam !== 'off' ? { refusals: { mode: config.iam, methods, authorizers } } : {}),
          // the messaging services start after the REST APIs: their endpoints are read when an integration calls them
          endpointOf: (service) => running.messaging?.endpoints[service === 'events' ? 'eventbridge' : service],
          sessionTokenOf: (roleArn) => iam?.sessions.find((s) => s.roleArn === roleArn && s.function.startsWith('API Gateway method '))?.token,
        });
        servers.push(server);
      }
    } catch (err) {
      await close();
      throw err;
    }
    return { servers, attach: (runtime) => servers.forEach((s) => s.attach(runtime)), close };
  },
  edge: () => ({}),
  endpoints: () => ({}),
};
