import { stageAccessLogSettings } from '../apigatewayv2/access-log-settings.ts';
import { readJwks } from '../http-api/jwks.ts';
import { startHttpApi, type HttpApiServer } from '../http-api/server.ts';
import { httpAuthorizerInvokeRefusal, httpRouteInvokeRefusal } from '../iam/invoke-permission.ts';
import { qualifiedName } from '../stack-model/stack-outline.ts';
import { templateError } from '../stack-model/template-errors.ts';
import type { Provider } from './provider.ts';

/**
 * The stack's HTTP APIs (../http-api/), each on a port of its own: bound first, as the WebSocket
 * API is, so their URLs are known to the control planes (GetApi, the stack's outputs); they serve
 * once the Lambda runtime is attached (../stack.ts). API Gateway's right to invoke each route's
 * function and each Lambda authorizer's (AWS::Lambda::Permission) is said at start, and enforced as
 * the config's `iam` asks. JWT authorizers check tokens against the local copies of their issuers'
 * keys the config names (`template.jwks`; checked before anything starts: ../config.ts). A stage's
 * AccessLogSettings are checked as API Gateway checks an HTTP API's (no account CloudWatch role
 * needed) and its lines written to the log group. An AWS_IAM route asks the stack's IAM about
 * the function that signed a request (../gateway/execute-api-iam.ts).
 */
export const httpApisProvider: Provider<'httpApis'> = {
  name: 'httpApis',
  what: 'HTTP APIs',
  after: [],
  async start({ config, stack, metrics, log, logs, gate, accountThrottle, functionOf }) {
    const servers: HttpApiServer[] = [];
    const close = async () => {
      await Promise.all(servers.map((s) => s.close()));
    };
    try {
      const jwks = readJwks(stack.httpApis ?? [], config.template?.jwks, { templateFile: stack.source.templateFile, sourceOf: () => 'the stack config' });
      for (const api of stack.httpApis ?? []) {
        const at = { region: config.region, accountId: config.accountId, apiId: api.id, stage: api.stage.name };
        const routes = new Map<string, string>();
        if (config.iam !== 'off') {
          for (const r of api.routes) {
            if (r.integrationType !== 'AWS_PROXY') continue;
            const why = httpRouteInvokeRefusal(r.routeKey, functionOf(r.functionId), stack.invokePermissions, at);
            if (why !== undefined) routes.set(r.routeKey, why);
          }
        }
        // the Lambda authorizers a route uses
        const used = new Set(api.routes.flatMap((r) => (r.authorization?.type === 'CUSTOM' ? [r.authorization.authorizerId] : [])));
        const authorizers = new Map<string, string>();
        if (config.iam !== 'off') {
          for (const a of api.authorizers ?? []) {
            if (a.type !== 'REQUEST' || !used.has(a.id)) continue;
            const why = httpAuthorizerInvokeRefusal(a, functionOf(a.functionId), stack.invokePermissions, at);
            if (why !== undefined) authorizers.set(a.id, why);
          }
        }
        const accessLog = stageAccessLogSettings(
          api.stage.accessLog,
          { region: config.region, accountId: config.accountId, cloudWatchRoleArn: undefined, roleRequired: false, logGroupExists: (name) => logs.hasGroup(name), createLogGroup: (name) => logs.createGroup(name) },
          (message) => templateError(stack.source.templateFile, ['Resources', api.stage.logicalId ?? api.logicalId, 'Properties', 'AccessLogSettings'], message),
        );
        const server = await startHttpApi({
          api,
          accessLog: { ...(accessLog ? { settings: accessLog } : {}), logs },
          ...(gate ? { iam: gate } : {}),
          account: accountThrottle,
          host: config.host,
          region: config.region,
          accountId: config.accountId,
          metrics,
          log,
          functionOf: (r) => qualifiedName(functionOf(r.functionId).name, r.qualifier),
          ...(routes.size > 0 && config.iam !== 'off' ? { refusals: { mode: config.iam, routes } } : {}),
          jwks,
          authorizerFunctionOf: (a) => qualifiedName(functionOf(a.functionId).name, a.qualifier),
          ...(authorizers.size > 0 && config.iam !== 'off' ? { authorizerRefusals: { mode: config.iam, authorizers } } : {}),
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
