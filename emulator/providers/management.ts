import { startManagementApis } from '../management-apis.ts';
import type { Provider } from './provider.ts';

/** CloudFormation and API Gateway's control planes over the stack, with the gateway's URLs in their answers. */
export const managementProvider: Provider<'management'> = {
  name: 'management',
  what: 'cloudformation and api gateway apis',
  after: ['gateway', 'httpApis', 'restApis'],
  start: ({ config, stack, logs, cloudWatchRoleArn }, running) => {
    const gateway = running.gateway!;
    return startManagementApis({
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
      httpApis: running.httpApis!.servers,
      rest: { restApis: running.restApis!.servers, apiKeys: stack.apiKeys ?? [], usagePlans: stack.usagePlans ?? [] },
    });
  },
  edge: (management) => ({ cloudformation: management.cloudformation.handle, apigateway: management.apigatewayv2.handle }),
  endpoints: (management) => ({ cloudformation: management.cloudformation.url, apigatewayv2: management.apigatewayv2.url }),
};
