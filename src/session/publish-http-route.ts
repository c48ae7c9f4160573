import { APIGatewayClient, GetApiKeyCommand, GetResourcesCommand, GetRestApiCommand, type Resource } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, GetApiCommand, GetRoutesCommand, GetStagesCommand, type Route, type Stage } from '@aws-sdk/client-apigatewayv2';
import type { StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { RouteMatcher } from '../../common/http-route-match.ts';
import { UserError } from '../../common/errors.ts';
import { apiGatewayPages, restApiPages } from '../aws/api-gateway-pages.ts';
import { restApiStages } from '../aws/rest-api-stages.ts';
import { ownSettings, type SdkClientSettings } from '../aws/sdk-settings.ts';

/**
 * A `via: http` publish phase's route of the stack's own HTTP or REST API (`to: POST /notify`),
 * found as on AWS, the same calls on AWS and on the emulator: the stack's AWS::ApiGatewayV2::Api
 * and AWS::ApiGateway::RestApi resources (ListStackResources, given); an HTTP API's protocol and
 * endpoint (GetApi), routes (GetRoutes) and stage (GetStages: `$default` where it has one, else
 * its only one); a REST API's name (GetRestApi), resources and their methods (GetResources) and
 * stage (GetStages: its only one, SAM's `Stage` passed over: ../aws/rest-api-stages.ts). Which route or method takes the request is API Gateway's choice
 * (common/http-route-match.ts: the most specific, `$default` last); the URL is the endpoint, the
 * stage (none for `$default`) and the path. A REST API has no endpoint field: on AWS its URL is
 * `https://{id}.execute-api.{region}.amazonaws.com/{stage}`; where the API Gateway client is
 * pointed at an endpoint of its own (the emulator's, LocalStack's), it is that endpoint's
 * `/restapis/{id}/{stage}/_user_request_` path, which both serve. The phase's `apiKey` names one
 * of the stack's API keys (AWS::ApiGateway::ApiKey by logical id, id or name), its value read
 * with GetApiKey and sent as `x-api-key`, never printed. What cannot be found is one line naming
 * the phase's field and what the stack has.
 */

export interface HttpRouteTarget {
  url: string;
  method: string;
  /** "HTTP API http-notify route POST /notify (http://127.0.0.1:41234/notify)" */
  label: string;
  /** request headers (an API key's): values never printed */
  headers?: Record<string, string>;
}

export interface HttpRouteSettings {
  /** API Gateway v2's (HTTP APIs) */
  v2: SdkClientSettings;
  /** API Gateway's (REST APIs, API keys) */
  v1: SdkClientSettings;
}

interface Candidate {
  kind: 'HTTP API' | 'REST API';
  id: string;
  name: string;
  /** `POST /notify`, `ANY /{proxy+}`, `$default` */
  routeKeys: string[];
  url(stage: string, path: string): Promise<string>;
  stages(): Promise<string[]>;
}

export async function resolveHttpRoute(
  asked: { method: string; path: string; apiKey?: string },
  o: { resources: readonly StackResourceSummary[]; settings: HttpRouteSettings; field: string; where: string },
): Promise<HttpRouteTarget> {
  const to = `${asked.method} ${asked.path}`;
  const physical = (type: string) => o.resources.filter((r) => r.ResourceType === type && r.PhysicalResourceId).map((r) => ({ logicalId: r.LogicalResourceId, id: r.PhysicalResourceId! }));
  const v2 = new ApiGatewayV2Client(ownSettings(o.settings.v2));
  const v1 = new APIGatewayClient(ownSettings(o.settings.v1));
  const call = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      const e = err as { name?: string; message?: string };
      throw new UserError(`${o.field}: ${what} could not be read to find ${to} (${e.name ?? 'Error'}: ${(e.message ?? String(err)).split('\n')[0]})`);
    }
  };
  try {
    const apis: Candidate[] = [];
    for (const { logicalId, id } of physical('AWS::ApiGatewayV2::Api')) {
      const api = await call(`API ${id} (GetApi)`, () => v2.send(new GetApiCommand({ ApiId: id })));
      if (api.ProtocolType !== 'HTTP' || !api.ApiEndpoint) continue;
      const endpoint = api.ApiEndpoint.replace(/\/$/, '');
      const routes = await call(`the routes of API ${id} (GetRoutes)`, () => apiGatewayPages<Route>((NextToken) => v2.send(new GetRoutesCommand({ ApiId: id, NextToken }))));
      apis.push({
        kind: 'HTTP API',
        id,
        name: api.Name ?? logicalId ?? id,
        routeKeys: routes.flatMap((r) => (r.RouteKey ? [r.RouteKey] : [])),
        url: async (stage, path) => `${endpoint}${stage === '$default' ? '' : `/${encodeURIComponent(stage)}`}${path}`,
        stages: async () => {
          const stages = await call(`the stages of API ${id} (GetStages)`, () => apiGatewayPages<Stage>((NextToken) => v2.send(new GetStagesCommand({ ApiId: id, NextToken }))));
          return stages.flatMap((s) => (s.StageName ? [s.StageName] : []));
        },
      });
    }
    for (const { logicalId, id } of physical('AWS::ApiGateway::RestApi')) {
      const api = await call(`REST API ${id} (GetRestApi)`, () => v1.send(new GetRestApiCommand({ restApiId: id })));
      const resources = await call(`the resources of REST API ${id} (GetResources)`, () => restApiPages<Resource>((position) => v1.send(new GetResourcesCommand({ restApiId: id, embed: ['methods'], position, limit: 500 }))));
      apis.push({
        kind: 'REST API',
        id,
        name: api.name ?? logicalId ?? id,
        routeKeys: resources.flatMap((r) => Object.keys(r.resourceMethods ?? {}).map((m) => `${m} ${r.path}`)),
        url: async (stage, path) => `${await restStageUrl(v1, o.settings.v1, id, stage)}${path}`,
        stages: () => call(`the stages of REST API ${id} (GetStages)`, () => restApiStages(v1, id)),
      });
    }
    if (apis.length === 0) throw new UserError(`${o.field}: ${o.where} has no HTTP or REST API to send ${to} to; name a URL instead (your own backend's)`);
    const matched = apis.flatMap((api) => {
      const m = new RouteMatcher(api.routeKeys.map((routeKey) => ({ routeKey }))).match(asked.method, asked.path);
      return m ? [{ api, routeKey: m.route.routeKey }] : [];
    });
    if (matched.length === 0) {
      const have = apis.map((a) => `${a.kind} ${a.name}: ${a.routeKeys.join(', ') || 'no route'}`).join('; ');
      throw new UserError(`${o.field}: no route of ${o.where}'s APIs takes ${to} (${have})`);
    }
    if (matched.length > 1) throw new UserError(`${o.field}: ${to} is taken by a route of ${matched.length} APIs (${matched.map((m) => `${m.api.kind} ${m.api.name}: ${m.routeKey}`).join('; ')}): name the URL of the one to send to`);
    const { api, routeKey } = matched[0]!;
    const names = await api.stages();
    const stage = names.includes('$default') ? '$default' : names.length === 1 ? names[0]! : undefined;
    if (stage === undefined) {
      throw new UserError(`${o.field}: ${api.kind} ${api.name} has ${names.length === 0 ? 'no stage' : `the stages ${names.join(', ')}${api.kind === 'HTTP API' ? ' and none is $default' : ''}`}: name the URL to send ${to} to`);
    }
    const url = await api.url(stage, asked.path);
    const key = asked.apiKey === undefined ? undefined : await apiKeyValue(asked.apiKey, physical('AWS::ApiGateway::ApiKey'), call, v1, o);
    return {
      url,
      method: asked.method,
      label: `${api.kind} ${api.name} ${api.kind === 'HTTP API' ? 'route' : 'method'} ${routeKey} (${url})${key ? `, with API key ${key.name}` : ''}`,
      ...(key ? { headers: { 'x-api-key': key.value } } : {}),
    };
  } finally {
    v1.destroy();
    v2.destroy();
  }
}

/**
 * A REST API stage's URL: on AWS's execute-api host, or, where the API Gateway client has an
 * endpoint of its own (the settings', else AWS_ENDPOINT_URL_API_GATEWAY or AWS_ENDPOINT_URL as the
 * SDK takes them), that endpoint's `/restapis/{id}/{stage}/_user_request_` form.
 */
async function restStageUrl(client: APIGatewayClient, settings: SdkClientSettings, id: string, stage: string): Promise<string> {
  const own = settings.endpoint ?? process.env.AWS_ENDPOINT_URL_API_GATEWAY ?? process.env.AWS_ENDPOINT_URL;
  if (own) return `${own.replace(/\/$/, '')}/restapis/${encodeURIComponent(id)}/${encodeURIComponent(stage)}/_user_request_`;
  return `https://${id}.execute-api.${await client.config.region()}.amazonaws.com/${encodeURIComponent(stage)}`;
}

async function apiKeyValue(
  named: string,
  keys: ReadonlyArray<{ logicalId: string | undefined; id: string }>,
  call: <T>(what: string, f: () => Promise<T>) => Promise<T>,
  client: APIGatewayClient,
  o: { field: string; where: string },
): Promise<{ name: string; value: string }> {
  const field = o.field.replace(/\.to$/, '.apiKey');
  const read = (id: string) => call(`API key ${id} (GetApiKey)`, () => client.send(new GetApiKeyCommand({ apiKey: id, includeValue: true })));
  // by logical id or id, else by name (each key read to know it)
  const byId = keys.find((k) => k.logicalId === named || k.id === named);
  const candidates = byId ? [{ k: byId, key: await read(byId.id) }] : await Promise.all(keys.map(async (k) => ({ k, key: await read(k.id) })));
  const hit = candidates.find((r) => r.k === byId || r.key.name === named);
  if (!hit) {
    const have = keys.map((k) => k.logicalId ?? k.id);
    throw new UserError(`${field}: no API key "${named}" in ${o.where} (${have.length > 0 ? `its API keys: ${have.join(', ')}` : 'it has no AWS::ApiGateway::ApiKey'}); name one by its logical id, id or name`);
  }
  const { k: found, key } = hit;
  if (!key.value) throw new UserError(`${field}: API key ${named} has no value to send (GetApiKey gave none: the credentials may not read it)`);
  if (key.enabled === false) throw new UserError(`${field}: API key ${named} is disabled (Enabled: false): API Gateway answers 403 to every request with it`);
  return { name: key.name ?? found.logicalId ?? found.id, value: key.value };
}
