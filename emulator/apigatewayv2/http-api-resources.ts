import type { HttpApiServer } from '../http-api/server.ts';
import type { HttpRouteDescription } from '../stack-model/stack-description.ts';
import { apiResourceId, lambdaInvokeUri, type StackPlacement } from '../stack-model/stack-outline.ts';
import { accessLogSettingsOf } from './access-log-settings.ts';
import { page } from './api-resources.ts';

/**
 * The stack's HTTP APIs as API Gateway v2 describes them (REST-JSON field names): GetApi,
 * GetRoutes, GetIntegrations, GetStages and GetStage. `apiEndpoint` is where the API listens here
 * (http://127.0.0.1:P), as AWS's is `https://{apiId}.execute-api.{region}.amazonaws.com`: a
 * route's URL is it, the stage (none for `$default`) and the path, on AWS and here alike.
 * Route and integration ids are derived as the WebSocket API's are (api-resources.ts).
 */

/** An HTTP API the emulator serves (../http-api/server.ts): its description, its stage's URL, the function each route invokes, its stage's access logging. */
export type ServedHttpApi = Pick<HttpApiServer, 'api' | 'url' | 'functionOf' | 'accessLog'>;

export function getHttpApi(s: ServedHttpApi, created: Date): Record<string, unknown> {
  return {
    apiEndpoint: new URL(s.url).origin,
    apiId: s.api.id,
    apiKeySelectionExpression: '$request.header.x-api-key',
    createdDate: created.toISOString(),
    disableExecuteApiEndpoint: false,
    name: s.api.name,
    protocolType: 'HTTP',
    routeSelectionExpression: '${request.method} ${request.path}',
    tags: {},
  };
}

/** A route's id: its resource's, or (a route of the OpenAPI body) its key's. */
const routeId = (s: ServedHttpApi, r: HttpRouteDescription) => apiResourceId(s.api.id, r.logicalId ?? r.routeKey);

export function getHttpRoutes(s: ServedHttpApi, query: URLSearchParams): Record<string, unknown> {
  return page(
    s.api.routes.map((r) => ({
      apiGatewayManaged: false,
      apiKeyRequired: false,
      ...(r.authorization && r.authorization.type !== 'AWS_IAM' && r.authorization.scopes.length ? { authorizationScopes: r.authorization.scopes } : {}),
      authorizationType: r.authorization?.type ?? 'NONE',
      ...(r.authorization && r.authorization.type !== 'AWS_IAM' ? { authorizerId: r.authorization.authorizerId } : {}),
      requestModels: {},
      requestParameters: {},
      routeId: routeId(s, r),
      routeKey: r.routeKey,
      target: `integrations/${apiResourceId(s.api.id, r.integrationId)}`,
    })),
    query,
  );
}

export function getHttpIntegrations(s: ServedHttpApi, placement: Pick<StackPlacement, 'region' | 'accountId'>, query: URLSearchParams): Record<string, unknown> {
  const seen = new Map<string, Record<string, unknown>>();
  for (const r of s.api.routes) {
    if (seen.has(r.integrationId)) continue;
    seen.set(r.integrationId, {
      apiGatewayManaged: false,
      connectionType: 'INTERNET',
      integrationId: apiResourceId(s.api.id, r.integrationId),
      ...(r.integrationType === 'AWS_PROXY'
        ? { integrationMethod: 'POST', integrationType: 'AWS_PROXY', integrationUri: lambdaInvokeUri(placement, s.functionOf(r)) }
        : { integrationMethod: r.httpMethod, integrationType: 'HTTP_PROXY', integrationUri: r.uri, ...(Object.keys(r.requestParameters).length > 0 ? { requestParameters: r.requestParameters } : {}) }),
      payloadFormatVersion: r.payloadFormatVersion,
      timeoutInMillis: r.timeoutMs,
    });
  }
  return page([...seen.values()], query);
}

export function getHttpStage(s: ServedHttpApi, created: Date): Record<string, unknown> {
  const { stage } = s.api;
  const settings = (t: { rateLimit: number; burstLimit: number } | undefined) => ({
    detailedMetricsEnabled: stage.detailedMetrics,
    ...(t ? { throttlingBurstLimit: t.burstLimit, throttlingRateLimit: t.rateLimit } : {}),
  });
  return {
    apiGatewayManaged: false,
    autoDeploy: true,
    createdDate: created.toISOString(),
    defaultRouteSettings: settings(stage.throttle),
    lastUpdatedDate: created.toISOString(),
    routeSettings: Object.fromEntries(Object.entries(stage.routeThrottles).map(([key, t]) => [key, settings(t)])),
    stageName: stage.name,
    stageVariables: stage.variables,
    tags: {},
    ...accessLogSettingsOf(s.accessLog),
  };
}

export function getHttpStages(s: ServedHttpApi, created: Date, query: URLSearchParams): Record<string, unknown> {
  return page([getHttpStage(s, created)], query);
}
