import { ApiGatewayV2Client, GetApiCommand, GetRoutesCommand, GetStagesCommand, type Route, type Stage } from '@aws-sdk/client-apigatewayv2';
import type { StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { RouteMatcher } from '../../common/http-route-match.ts';
import { UserError } from '../../common/errors.ts';
import { apiGatewayPages } from '../aws/api-gateway-pages.ts';
import { ownSettings, type SdkClientSettings } from '../aws/sdk-settings.ts';

/**
 * A `via: http` publish phase's route of the stack's own HTTP API (`to: POST /notify`), found as
 * on AWS, the same calls on AWS and on the emulator: the stack's AWS::ApiGatewayV2::Api resources
 * (ListStackResources, given), each one's protocol and endpoint (GetApi), routes (GetRoutes) and
 * stage (GetStages: `$default` where it has one, else its only one). Which route the request takes
 * is API Gateway's choice (common/http-route-match.ts: the most specific, `$default` last); the URL
 * is the endpoint, the stage (none for `$default`) and the path. What cannot be found is one
 * line naming the phase's field and what the stack has.
 */

export interface HttpRouteTarget {
  url: string;
  method: string;
  /** "HTTP API http-notify route POST /notify (http://127.0.0.1:41234/notify)" */
  label: string;
}

export async function resolveHttpRoute(
  asked: { method: string; path: string },
  o: { resources: readonly StackResourceSummary[]; settings: SdkClientSettings; field: string; where: string },
): Promise<HttpRouteTarget> {
  const to = `${asked.method} ${asked.path}`;
  const ids = o.resources.filter((r) => r.ResourceType === 'AWS::ApiGatewayV2::Api' && r.PhysicalResourceId).map((r) => ({ logicalId: r.LogicalResourceId, apiId: r.PhysicalResourceId! }));
  const client = new ApiGatewayV2Client(ownSettings(o.settings));
  try {
    const call = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
      try {
        return await f();
      } catch (err) {
        const e = err as { name?: string; message?: string };
        throw new UserError(`${o.field}: ${what} could not be read to find ${to} (${e.name ?? 'Error'}: ${(e.message ?? String(err)).split('\n')[0]})`);
      }
    };
    const apis: Array<{ name: string; apiId: string; endpoint: string; routes: Route[] }> = [];
    for (const { logicalId, apiId } of ids) {
      const api = await call(`API ${apiId} (GetApi)`, () => client.send(new GetApiCommand({ ApiId: apiId })));
      if (api.ProtocolType !== 'HTTP' || !api.ApiEndpoint) continue;
      const routes = await call(`the routes of API ${apiId} (GetRoutes)`, () => apiGatewayPages<Route>((NextToken) => client.send(new GetRoutesCommand({ ApiId: apiId, NextToken }))));
      apis.push({ name: api.Name ?? logicalId ?? apiId, apiId, endpoint: api.ApiEndpoint, routes });
    }
    if (apis.length === 0) throw new UserError(`${o.field}: ${o.where} has no HTTP API to send ${to} to; name a URL instead (your own backend's)`);
    const matched = apis.flatMap((api) => {
      const m = new RouteMatcher(api.routes.flatMap((r) => (r.RouteKey ? [{ routeKey: r.RouteKey }] : []))).match(asked.method, asked.path);
      return m ? [{ api, routeKey: m.route.routeKey }] : [];
    });
    if (matched.length === 0) {
      const have = apis.map((a) => `${a.name}: ${a.routes.map((r) => r.RouteKey).join(', ') || 'no route'}`).join('; ');
      throw new UserError(`${o.field}: no route of ${o.where}'s HTTP APIs takes ${to} (${have})`);
    }
    if (matched.length > 1) throw new UserError(`${o.field}: ${to} is taken by a route of ${matched.length} HTTP APIs (${matched.map((m) => `${m.api.name}: ${m.routeKey}`).join('; ')}): name the URL of the one to send to`);
    const { api, routeKey } = matched[0]!;
    const stages = await call(`the stages of API ${api.apiId} (GetStages)`, () => apiGatewayPages<Stage>((NextToken) => client.send(new GetStagesCommand({ ApiId: api.apiId, NextToken }))));
    const names = stages.flatMap((s) => (s.StageName ? [s.StageName] : []));
    const stage = names.includes('$default') ? '$default' : names.length === 1 ? names[0]! : undefined;
    if (stage === undefined) {
      throw new UserError(`${o.field}: HTTP API ${api.name} has ${names.length === 0 ? 'no stage' : `the stages ${names.join(', ')} and none is $default`}: name the URL to send ${to} to`);
    }
    const url = `${api.endpoint.replace(/\/$/, '')}${stage === '$default' ? '' : `/${encodeURIComponent(stage)}`}${asked.path}`;
    return { url, method: asked.method, label: `HTTP API ${api.name} route ${routeKey} (${url})` };
  } finally {
    client.destroy();
  }
}
