import {
  GetApiCommand,
  GetAuthorizersCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand,
  type ApiGatewayV2Client,
  type Authorizer,
  type Integration,
  type Route,
} from '@aws-sdk/client-apigatewayv2';
import { UserError } from '../../common/errors.ts';
import { awsCallError } from '../aws/aws-call-errors.ts';
import type { TargetDiscovery } from '../contracts/target-schema.ts';
import { stageUrls } from './deployed-stack.ts';
import { apiGatewayPages } from '../aws/api-gateway-pages.ts';

/**
 * A WebSocket API found by its id, as API Gateway v2 describes it: GetApi (it must be a WEBSOCKET
 * API; its ApiEndpoint and the stage make the URL), GetStage (the stage exists), GetRoutes and
 * GetIntegrations (each route's AWS_PROXY integration names its function by its invoke ARN) and
 * GetAuthorizers (the $connect authorizer's function). A route whose integration is not a Lambda
 * function is left out (nothing of it is pulled from CloudWatch) and said so.
 */

export interface DiscoveredApi {
  websocketUrl: string;
  callbackUrl: string;
  /** `qualifier`: the alias or version the integration's URI names (absent: unqualified) */
  functions: Array<{ route: string; name: string; qualifier?: string; authorizer?: true }>;
  /** the $connect authorizer's IdentitySource, where it has one */
  identitySource?: string[];
  found: TargetDiscovery['found'];
}

export async function discoverApi(client: ApiGatewayV2Client, apiId: string, stage: string, o: { subject: string; region?: string }): Promise<DiscoveredApi> {
  const call = async <T>(action: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      if ((err as Error).name === 'NotFoundException') {
        throw new UserError(`${o.subject}: ${action === 'apigateway:GET stage' ? `no stage "${stage}" on API ${apiId}` : `no API ${apiId}`}${o.region ? ` in ${o.region}` : ''} (${(err as Error).message})`);
      }
      throw awsCallError(err, { subject: o.subject, action: 'apigateway:GET', service: 'API Gateway', ...(o.region ? { region: o.region } : {}) });
    }
  };
  const api = await call('apigateway:GET api', () => client.send(new GetApiCommand({ ApiId: apiId })));
  if (api.ProtocolType !== 'WEBSOCKET') throw new UserError(`${o.subject}: API ${apiId} is ${api.ProtocolType ?? 'of no protocol'}, not a WebSocket API`);
  if (!api.ApiEndpoint) throw new UserError(`${o.subject}: API ${apiId} has no endpoint (GetApi answered no ApiEndpoint)`);
  await call('apigateway:GET stage', () => client.send(new GetStageCommand({ ApiId: apiId, StageName: stage })));
  const routes = await call('apigateway:GET', () => apiGatewayPages<Route>((NextToken) => client.send(new GetRoutesCommand({ ApiId: apiId, NextToken }))));
  const integrations = await call('apigateway:GET', () => apiGatewayPages<Integration>((NextToken) => client.send(new GetIntegrationsCommand({ ApiId: apiId, NextToken }))));
  const urls = stageUrls(api.ApiEndpoint, stage);
  const found: TargetDiscovery['found'] = [
    { what: 'api', value: `${apiId} (${api.Name ?? 'unnamed'}, WEBSOCKET)`, from: 'GetApi' },
    { what: 'stage', value: stage, from: 'GetStage' },
    { what: 'websocket URL', value: urls.websocketUrl, from: "GetApi's ApiEndpoint and the stage" },
  ];
  const functions: DiscoveredApi['functions'] = [];
  const byId = new Map(integrations.map((i) => [i.IntegrationId, i]));
  for (const r of routes) {
    const integration = byId.get(r.Target?.replace(/^integrations\//, ''));
    const ref = integration ? lambdaFunctionRef(integration.IntegrationUri) : undefined;
    const name = ref?.name;
    if (ref && name && r.RouteKey) {
      functions.push({ route: r.RouteKey, name, ...(ref.qualifier ? { qualifier: ref.qualifier } : {}) });
      found.push({ what: `function of ${r.RouteKey}`, value: name, from: 'GetRoutes + GetIntegrations' });
    } else if (r.RouteKey) {
      found.push({ what: `route ${r.RouteKey}`, value: integration ? `${integration.IntegrationType} ${integration.IntegrationUri ?? ''}`.trim() : 'no integration', from: 'GetRoutes + GetIntegrations (not a Lambda function: not measured)' });
    }
  }
  const connect = routes.find((r) => r.RouteKey === '$connect' && r.AuthorizationType === 'CUSTOM' && r.AuthorizerId);
  let identitySource: string[] | undefined;
  if (connect) {
    const authorizers = await call('apigateway:GET', () => apiGatewayPages<Authorizer>((NextToken) => client.send(new GetAuthorizersCommand({ ApiId: apiId, NextToken }))));
    const authorizer = authorizers.find((a) => a.AuthorizerId === connect.AuthorizerId);
    const name = lambdaFunctionName(authorizer?.AuthorizerUri);
    if (authorizer?.IdentitySource?.length) identitySource = authorizer.IdentitySource;
    if (name) {
      functions.push({ route: '$connect', name, authorizer: true });
      found.push({ what: 'authorizer of $connect', value: name, from: 'GetAuthorizers' });
    }
  }
  // an API whose routes integrate only AWS services (SQS, say) is measured too: a stack's other functions are its resources' (stack-discovery.ts)
  return { ...urls, functions, found, ...(identitySource ? { identitySource } : {}) };
}

/**
 * The function an integration or authorizer URI names: the invoke ARN
 * `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/arn:aws:lambda:{region}:{account}:function:{name}[:{alias}]/invocations`,
 * or a plain Lambda ARN.
 */
export function lambdaFunctionName(uri: string | undefined): string | undefined {
  return lambdaFunctionRef(uri)?.name;
}

/** The function an integration or authorizer URI names, and the alias or version after its name (`$LATEST`, or none: unqualified). */
export function lambdaFunctionRef(uri: string | undefined): { name: string; qualifier?: string } | undefined {
  const m = /arn:aws[a-z-]*:lambda:[^:]+:\d+:function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?/.exec(uri ?? '');
  if (!m) return undefined;
  return { name: m[1]!, ...(m[2] && m[2] !== '$LATEST' ? { qualifier: m[2] } : {}) };
}
