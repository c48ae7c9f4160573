import type { RestApiServer } from '../rest-api/server.ts';
import type { ApiKeyDescription, UsagePlanDescription } from '../stack-model/stack-description.ts';
import { accessLogSettingsOf } from './access-log-settings.ts';
import { BadPageRequest } from './api-resources.ts';

/**
 * The stack's REST APIs as API Gateway (v1) describes them, its REST-JSON names and its lists
 * (`{"item": [...], "position": …}`, timestamps in epoch seconds): GetRestApis, GetRestApi,
 * GetResources (each resource's methods with `embed=methods`), GetStages, GetStage, GetApiKey
 * (its value only with `includeValue=true`). A REST API has no endpoint field: on AWS its URL is
 * `https://{id}.execute-api.{region}.amazonaws.com/{stage}`; here, as LocalStack serves it too,
 * it is `{this endpoint}/restapis/{id}/{stage}/_user_request_/{path}` (server.ts hands such a
 * request to the API's server in-process), or the API's own port (the ready line's `restApis`).
 * https://docs.aws.amazon.com/apigateway/latest/api/API_GetResources.html
 * https://docs.aws.amazon.com/apigateway/latest/api/API_GetApiKey.html
 */

/** A REST API the emulator serves (../rest-api/server.ts). */
export type ServedRestApi = Pick<RestApiServer, 'api' | 'url' | 'handle' | 'accessLogOf'>;

export interface RestApiFacts {
  restApis: readonly ServedRestApi[];
  apiKeys: readonly ApiKeyDescription[];
  usagePlans: readonly UsagePlanDescription[];
  created: Date;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** A page of a v1 list: `limit` (1 to 500, default 25) and the `position` the page before gave. */
export function v1Page(items: Array<Record<string, unknown>>, query: URLSearchParams): Record<string, unknown> {
  const limit = query.get('limit');
  const position = query.get('position');
  const size = limit === null ? 25 : Number(limit);
  const start = position === null ? 0 : Number(position);
  if (!Number.isSafeInteger(size) || size < 1 || size > 500) throw new BadPageRequest(`Invalid limit: ${limit} (1 to 500)`);
  if (!Number.isSafeInteger(start) || start < 0 || start > items.length || (position !== null && String(start) !== position)) throw new BadPageRequest('Invalid position');
  const next = start + size < items.length ? String(start + size) : undefined;
  return { item: items.slice(start, start + size), ...(next ? { position: next } : {}) };
}

export function getRestApi(s: ServedRestApi, created: Date): Record<string, unknown> {
  const { api } = s;
  return {
    id: api.id,
    name: api.name,
    createdDate: seconds(created),
    apiKeySource: api.apiKeySource,
    ...(api.binaryMediaTypes.length > 0 ? { binaryMediaTypes: api.binaryMediaTypes } : {}),
    endpointConfiguration: { types: ['EDGE'] },
    disableExecuteApiEndpoint: false,
    rootResourceId: api.resources[0]!.id,
    tags: {},
  };
}

export function getRestApis(f: RestApiFacts, query: URLSearchParams): Record<string, unknown> {
  return v1Page(
    f.restApis.map((s) => getRestApi(s, f.created)),
    query,
  );
}

export function getRestResources(s: ServedRestApi, query: URLSearchParams): Record<string, unknown> {
  const embed = query.getAll('embed').flatMap((e) => e.split(',')).includes('methods');
  const byPath = new Map(s.api.resources.map((r) => [r.path, r]));
  const parentOf = (path: string) => byPath.get(path.slice(0, path.lastIndexOf('/')) || '/')!;
  const items = s.api.resources.map((r) => {
    const methods = s.api.methods.filter((m) => m.path === r.path);
    return {
      id: r.id,
      ...(r.path === '/' ? {} : { parentId: parentOf(r.path).id, pathPart: r.path.slice(r.path.lastIndexOf('/') + 1) }),
      path: r.path,
      ...(methods.length > 0
        ? {
            resourceMethods: Object.fromEntries(
              methods.map((m) => {
                const authorizer = m.authorizerId === undefined ? undefined : s.api.authorizers.find((a) => a.logicalId === m.authorizerId);
                return [m.httpMethod, embed ? { httpMethod: m.httpMethod, authorizationType: m.authorizationType, ...(authorizer ? { authorizerId: authorizer.id } : {}), apiKeyRequired: m.apiKeyRequired } : {}];
              }),
            ),
          }
        : {}),
    };
  });
  return v1Page(items, query);
}

export function getRestStage(s: ServedRestApi, stageName: string, created: Date): Record<string, unknown> | undefined {
  const stage = s.api.stages.find((st) => st.name === stageName);
  if (!stage) return undefined;
  const settings = (t: { rateLimit: number; burstLimit: number } | undefined) => ({ metricsEnabled: stage.detailedMetrics, ...(t ? { throttlingBurstLimit: t.burstLimit, throttlingRateLimit: t.rateLimit } : {}) });
  return {
    stageName: stage.name,
    variables: stage.variables,
    // the stage's own settings (`*/*`); a method's are enforced (../rest-api/) but not listed here
    methodSettings: stage.throttle || stage.detailedMetrics ? { '*/*': settings(stage.throttle) } : {},
    cacheClusterEnabled: false,
    tracingEnabled: false,
    createdDate: seconds(created),
    lastUpdatedDate: seconds(created),
    ...accessLogSettingsOf(s.accessLogOf(stage.name)),
  };
}

export function getRestStages(s: ServedRestApi, created: Date): Record<string, unknown> {
  return { item: s.api.stages.map((st) => getRestStage(s, st.name, created)!) };
}

/** GetApiKey: undefined for a key the stack does not have. Its value is said only when asked for (`includeValue`). */
export function getApiKey(f: RestApiFacts, keyId: string, query: URLSearchParams): Record<string, unknown> | undefined {
  const key = f.apiKeys.find((k) => k.id === keyId);
  if (!key) return undefined;
  const stageKeys = f.usagePlans.filter((p) => p.keys.includes(key.logicalId)).flatMap((p) => p.apiStages.map((s) => `${s.apiId}/${s.stage}`));
  return {
    id: key.id,
    name: key.name,
    enabled: key.enabled,
    ...(query.get('includeValue') === 'true' ? { value: key.value } : {}),
    createdDate: seconds(f.created),
    lastUpdatedDate: seconds(f.created),
    stageKeys,
    tags: {},
  };
}
