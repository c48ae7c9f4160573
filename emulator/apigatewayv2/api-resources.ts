import { apiResourceId, functionNameOf, lambdaInvokeUri, qualifiedName, type StackOutline, type StackPlacement } from '../stack-model/stack-outline.ts';

/**
 * The WebSocket API as API Gateway v2 describes it (REST-JSON field names): GetApi, GetRoutes,
 * GetIntegrations and GetAuthorizers, from the stack the emulator runs. Route, integration and
 * authorizer ids are API Gateway's 7-character ids, derived from the logical ids
 * (stack-outline.ts) so that a route's `integrations/<id>` and `authorizerId` name what the other
 * calls list. Every integration is AWS_PROXY to its function's invoke ARN, the only kind the
 * emulator runs. `apiEndpoint` is where the emulator's gateway listens (ws://127.0.0.1:P), as
 * AWS's is `wss://{apiId}.execute-api.{region}.amazonaws.com`: the stage's URL is it plus
 * `/{stage}`.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html
 */

export interface ApiFacts {
  stack: StackOutline;
  placement: StackPlacement;
  created: Date;
}

/** A page of a list: `maxResults` (a string on the wire) and the `nextToken` of the page before. */
export class BadPageRequest extends Error {}

export function apiEndpointOf(websocketUrl: string): string {
  const u = new URL(websocketUrl);
  return `${u.protocol}//${u.host}`;
}

/** GetApi of the WebSocket API (the server answers NotFoundException first where the stack has none). */
export function getApi(f: ApiFacts): Record<string, unknown> {
  const api = f.stack.api!;
  return {
    apiEndpoint: apiEndpointOf(f.placement.websocketUrl),
    apiId: f.placement.apiId,
    apiKeySelectionExpression: '$request.header.x-api-key',
    createdDate: f.created.toISOString(),
    disableExecuteApiEndpoint: false,
    name: api.name,
    protocolType: 'WEBSOCKET',
    routeSelectionExpression: api.routeSelectionExpression,
    tags: {},
  };
}

export function getRoutes(f: ApiFacts, query: URLSearchParams): Record<string, unknown> {
  const { apiId } = f.placement;
  const authorizerId = f.stack.authorizer ? apiResourceId(apiId, f.stack.authorizer.logicalId) : undefined;
  return page(
    f.stack.routes.map((r) => ({
      apiGatewayManaged: false,
      apiKeyRequired: false,
      authorizationType: r.authorizationType,
      ...(r.authorizationType === 'CUSTOM' && authorizerId ? { authorizerId } : {}),
      requestModels: {},
      requestParameters: {},
      routeId: apiResourceId(apiId, r.logicalId),
      routeKey: r.routeKey,
      ...(r.twoWay ? { routeResponseSelectionExpression: '$default' } : {}),
      target: `integrations/${apiResourceId(apiId, r.integrationId)}`,
    })),
    query,
  );
}

export function getIntegrations(f: ApiFacts, query: URLSearchParams): Record<string, unknown> {
  const seen = new Map<string, Record<string, unknown>>();
  for (const r of f.stack.routes) {
    if (seen.has(r.integrationId)) continue;
    seen.set(r.integrationId, {
      apiGatewayManaged: false,
      connectionType: 'INTERNET',
      contentHandlingStrategy: 'CONVERT_TO_TEXT',
      integrationId: apiResourceId(f.placement.apiId, r.integrationId),
      integrationMethod: 'POST',
      integrationType: 'AWS_PROXY',
      // an integration that names an alias or version keeps it, as its URI was written
      integrationUri: lambdaInvokeUri(f.placement, qualifiedName(functionNameOf(f.stack, r.functionId), r.qualifier)),
      passthroughBehavior: 'WHEN_NO_MATCH',
      payloadFormatVersion: '1.0',
      timeoutInMillis: 29_000,
    });
  }
  return page([...seen.values()], query);
}

export function getAuthorizers(f: ApiFacts, query: URLSearchParams): Record<string, unknown> {
  const a = f.stack.authorizer;
  const items = a
    ? [
        {
          authorizerId: apiResourceId(f.placement.apiId, a.logicalId),
          authorizerType: 'REQUEST',
          authorizerUri: lambdaInvokeUri(f.placement, qualifiedName(functionNameOf(f.stack, a.functionId), a.qualifier)),
          identitySource: a.identitySource,
          name: a.name,
        },
      ]
    : [];
  return page(items, query);
}

/** API Gateway's lists: `maxResults` items from the `nextToken`'s position; the next page's token when there is one. */
export function page(items: Array<Record<string, unknown>>, query: URLSearchParams): Record<string, unknown> {
  const max = query.get('maxResults');
  const token = query.get('nextToken');
  const size = max === null ? 100 : Number(max);
  const start = token === null ? 0 : Number(token);
  if (!Number.isSafeInteger(size) || size < 1) throw new BadPageRequest(`Invalid maxResults: ${max}`);
  if (!Number.isSafeInteger(start) || start < 0 || start > items.length || (token !== null && String(start) !== token)) throw new BadPageRequest('Invalid nextToken');
  const next = start + size < items.length ? String(start + size) : undefined;
  return { items: items.slice(start, start + size), ...(next ? { nextToken: next } : {}) };
}
