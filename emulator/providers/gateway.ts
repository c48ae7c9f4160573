import { stageAccessLogSettings } from '../apigatewayv2/access-log-settings.ts';
import { startGateway } from '../gateway/server.ts';
import { qualifiedName } from '../stack-model/stack-outline.ts';
import { templateError } from '../stack-model/template-errors.ts';
import type { Provider } from './provider.ts';

/**
 * API Gateway's WebSocket API: bound first, so its port (hence the local @connections URL) is
 * known to the services after it, and a port in use fails before anything else has started. It
 * serves connections once the runtime is attached, last (../stack.ts).
 */
export const gatewayProvider: Provider<'gateway'> = {
  name: 'gateway',
  what: 'gateway',
  after: [],
  async start({ config, stack, metrics, logs, log, gate, iam, invokeRefusals, authorizerFunction, functionOf, cloudWatchRoleArn, accountThrottle }, running) {
    const authorizer = stack.authorizer;
    const gateway = await startGateway({
      config,
      // a qualified integration invokes `name:qualifier`, as API Gateway passes its URI's function ARN to Invoke
      functions: stack.routes.map((r) => ({ name: qualifiedName(functionOf(r.functionId).name, r.qualifier), route: r.routeKey, returnResponse: r.twoWay })),
      ...(stack.api ? { routeSelectionExpression: stack.api.routeSelectionExpression } : { noWebSocketApi: true }),
      metrics,
      log,
      authorizer: authorizer && authorizerFunction && { functionName: qualifiedName(authorizerFunction.name, authorizer.qualifier), identitySource: authorizer.identitySource },
      ...(gate ? { iam: gate } : {}),
      logs,
      ...(stack.awsRoutes?.length
        ? {
            awsIntegrations: {
              routes: stack.awsRoutes,
              // the messaging services start after the gateway: their endpoints are read when a route calls them
              endpointOf: (service: 'sqs' | 'sns' | 'events') => running.messaging?.endpoints[service === 'events' ? 'eventbridge' : service],
              sessionTokenOf: (roleArn: string) => iam?.sessions.find((s) => s.roleArn === roleArn && s.function.startsWith('API Gateway route '))?.token,
            },
          }
        : {}),
      ...(invokeRefusals ? { invokeRefusals } : {}),
      account: accountThrottle,
    });
    const stageSettings = stack.api?.stage.accessLog;
    gateway.accessLog.configure(
      stageAccessLogSettings(
        stageSettings,
        { region: config.region, accountId: config.accountId, cloudWatchRoleArn, logGroupExists: (name) => logs.hasGroup(name), createLogGroup: (name) => logs.createGroup(name) },
        (message) => templateError(stack.source.templateFile, ['Resources', stack.api?.stage.logicalId ?? 'Stage', 'Properties', 'AccessLogSettings'], message),
      ),
    );
    return gateway;
  },
  edge: (gateway) => ({ 'execute-api': gateway.handle }),
  endpoints: () => ({}),
};
