import { APIGatewayClient, GetApiKeyCommand, GetResourcesCommand, GetRestApiCommand, type Resource } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, GetApiCommand, GetRoutesCommand, GetStagesCommand, type Route, type Stage } from '@aws-sdk/client-apigatewayv2';
import type { StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { RouteMatcher } from '../../common/http-route-match.ts';
import type { HttpTarget } from '../contracts/publish-phase.ts';
import { UserError } from '../../common/errors.ts';
import { apiGatewayPages, restApiPages } from '../aws/api-gateway-pages.ts';
import { restApiStages } from '../aws/rest-api-stages.ts';
import { ownSettings, type SdkClientSettings } from '../aws/sdk-settings.ts';
import type { ApiStage } from '../targets/publish-stage-logging.ts';

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
 * `/restapis/{id}/{stage}/_user_request_` path, which both serve. An HTTP API route named by its
 * logical id (an AWS::ApiGatewayV2::Route of the stack: its physical id is the route's id) is
 * its API's route of that id, sent to its own path (one without path variables; `ANY` sends a
 * POST). The phase's `apiKey` names one
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
  /** the stage that serves it: its access log traces each publish to its invocation */
  stage: ApiStage;
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
  /** `POST /notify`, `ANY /{proxy+}`, `$default`, with the route's id (an HTTP API's) */
  routes: Array<{ key: string; id?: string }>;
  url(stage: string, path: string): Promise<string>;
  stages(): Promise<string[]>;
}

export async function resolveHttpRoute(
  target: Exclude<HttpTarget, { kind: 'url' }>,
  apiKey: string | undefined,
  o: { resources: readonly StackResourceSummary[]; settings: HttpRouteSettings; field: string; where: string },
): Promise<HttpRouteTarget> {
  const to = target.kind === 'route' ? `${target.method} ${target.path}` : target.logicalId;
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
        routes: routes.flatMap((r) => (r.RouteKey ? [{ key: r.RouteKey, ...(r.RouteId ? { id: r.RouteId } : {}) }] : [])),
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
        routes: resources.flatMap((r) => Object.keys(r.resourceMethods ?? {}).map((m) => ({ key: `${m} ${r.path}` }))),
        url: async (stage, path) => `${await restStageUrl(v1, o.settings.v1, id, stage)}${path}`,
        stages: () => call(`the stages of REST API ${id} (GetStages)`, () => restApiStages(v1, id)),
      });
    }
    if (apis.length === 0) throw new UserError(`${o.field}: ${o.where} has no HTTP or REST API to send ${to} to; name a URL instead (your own backend's)`);
    const { api, routeKey, method, path } = target.kind === 'route' ? routeTaking(target.method, target.path, apis, o) : routeOfLogicalId(target.logicalId, apis, o);
    const names = await api.stages();
    const stage = names.includes('$default') ? '$default' : names.length === 1 ? names[0]! : undefined;
    if (stage === undefined) {
      throw new UserError(`${o.field}: ${api.kind} ${api.name} has ${names.length === 0 ? 'no stage' : `the stages ${names.join(', ')}${api.kind === 'HTTP API' ? ' and none is $default' : ''}`}: name the URL to send ${to} to`);
    }
    const url = await api.url(stage, path);
    const key = apiKey === undefined ? undefined : await apiKeyValue(apiKey, physical('AWS::ApiGateway::ApiKey'), call, v1, o);
    return {
      url,
      method,
      label: `${api.kind} ${api.name} ${api.kind === 'HTTP API' ? 'route' : 'method'} ${routeKey} (${url})${key ? `, with API key ${key.name}` : ''}`,
      ...(key ? { headers: { 'x-api-key': key.value } } : {}),
      stage: { kind: api.kind, apiId: api.id, stage },
    };
  } finally {
    v1.destroy();
    v2.destroy();
  }
}

/** The route of the stack's APIs API Gateway would choose for the request: exactly one, else one line saying what the APIs have. */
function routeTaking(method: string, path: string, apis: readonly Candidate[], o: { field: string; where: string }): ChosenRoute {
  const to = `${method} ${path}`;
  const matched = apis.flatMap((api) => {
    const m = new RouteMatcher(api.routes.map((r) => ({ routeKey: r.key }))).match(method, path);
    return m ? [{ api, routeKey: m.route.routeKey, method, path }] : [];
  });
  if (matched.length === 0) {
    const have = apis.map((a) => `${a.kind} ${a.name}: ${a.routes.map((r) => r.key).join(', ') || 'no route'}`).join('; ');
    throw new UserError(`${o.field}: no route of ${o.where}'s APIs takes ${to} (${have})`);
  }
  if (matched.length > 1) throw new UserError(`${o.field}: ${to} is taken by a route of ${matched.length} APIs (${matched.map((m) => `${m.api.kind} ${m.api.name}: ${m.routeKey}`).join('; ')}): name the URL of the one to send to`);
  return matched[0]!;
}

interface ChosenRoute {
  api: Candidate;
  routeKey: string;
  /** the request sent to it */
  method: string;
  path: string;
}

/**
 * The method and path an HTTP API route named by its logical id is sent to, and its API: the
 * stack's AWS::ApiGatewayV2::Route of that logical id, found among its APIs' routes by its id.
 * A route whose path has variables, `$default`, or a method without a body names no request: one
 * line asking for the path.
 */
function routeOfLogicalId(
  logicalId: string,
  apis: readonly Candidate[],
  o: { resources: readonly StackResourceSummary[]; field: string; where: string },
): ChosenRoute {
  const routeIds = o.resources.filter((r) => r.ResourceType === 'AWS::ApiGatewayV2::Route' && r.PhysicalResourceId);
  const resource = routeIds.find((r) => r.LogicalResourceId === logicalId);
  if (!resource) {
    const other = o.resources.find((r) => r.LogicalResourceId === logicalId);
    const have = routeIds.map((r) => r.LogicalResourceId).join(', ');
    throw new UserError(`${o.field}: ${logicalId} is no route of ${o.where}${other ? ` (it is ${other.ResourceType})` : ''}: name an AWS::ApiGatewayV2::Route by its logical id (${have || 'the stack has none'}), or the route as METHOD /path`);
  }
  for (const api of apis) {
    const route = api.routes.find((r) => r.id === resource.PhysicalResourceId);
    if (!route) continue;
    const m = /^(ANY|POST|PUT|PATCH) (\/[^{}]*)$/.exec(route.key);
    if (!m) throw new UserError(`${o.field}: route ${logicalId} of ${api.kind} ${api.name} is ${route.key}, which names no one request with a body: name the method and path to send to (to: POST /rooms/lobby/notify)`);
    return { method: m[1] === 'ANY' ? 'POST' : m[1]!, path: m[2]!, api, routeKey: route.key };
  }
  throw new UserError(`${o.field}: route ${logicalId} (${resource.PhysicalResourceId}) is on no HTTP API of ${o.where}`);
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
