import { startHttpApi, type HttpApiServer } from '../http-api/server.ts';
import { httpRouteInvokeRefusal } from '../iam/invoke-permission.ts';
import { qualifiedName } from '../stack-model/stack-outline.ts';
import type { Provider } from './provider.ts';

/**
 * The stack's HTTP APIs (../http-api/), each on a port of its own: bound first, as the WebSocket
 * API is, so their URLs are known to the control planes (GetApi, the stack's outputs); they serve
 * once the Lambda runtime is attached (../stack.ts). API Gateway's right to invoke each route's
 * function (AWS::Lambda::Permission) is said at start, and enforced as the config's `iam` asks.
 */
export const httpApisProvider: Provider<'httpApis'> = {
  name: 'httpApis',
  what: 'HTTP APIs',
  after: [],
  async start({ config, stack, metrics, log, functionOf }) {
    const servers: HttpApiServer[] = [];
    const close = async () => {
      await Promise.all(servers.map((s) => s.close()));
    };
    try {
      for (const api of stack.httpApis ?? []) {
        const at = { region: config.region, accountId: config.accountId, apiId: api.id, stage: api.stage.name };
        const routes = new Map<string, string>();
        if (config.iam !== 'off') {
          for (const r of api.routes) {
            const why = httpRouteInvokeRefusal(r.routeKey, functionOf(r.functionId), stack.invokePermissions, at);
            if (why !== undefined) routes.set(r.routeKey, why);
          }
        }
        const server = await startHttpApi({
          api,
          host: config.host,
          region: config.region,
          accountId: config.accountId,
          metrics,
          log,
          functionOf: (r) => qualifiedName(functionOf(r.functionId).name, r.qualifier),
          ...(routes.size > 0 && config.iam !== 'off' ? { refusals: { mode: config.iam, routes } } : {}),
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
