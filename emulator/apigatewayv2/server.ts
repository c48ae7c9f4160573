import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal, type LocalEndpoint } from '../local-listener.ts';
import { BadPageRequest, getApi, getAuthorizers, getIntegrations, getRoutes, type ApiFacts } from './api-resources.ts';
import type { LocalStage } from './stage.ts';

/**
 * The emulator's API Gateway management endpoint, the REST-JSON protocol the SDK speaks: for
 * ApiGatewayV2Client GetApi, GetStage (`GET /v2/apis/{apiId}/stages/{stageName}`), GetRoutes,
 * GetIntegrations and GetAuthorizers of the stack's one API and stage (api-resources.ts); for
 * APIGatewayClient (v1) GetAccount (`GET /account`), the account's throttle. The
 * two services' paths do not overlap, so one endpoint serves both (AWS_ENDPOINT_URL_APIGATEWAYV2
 * and AWS_ENDPOINT_URL_API_GATEWAY name the same URL). An unknown API or stage is API Gateway's
 * NotFoundException (404, `x-amzn-ErrorType`, `{"message":…}`), as is any other request.
 * Signatures are not checked.
 */

const GET_STAGE = /^\/v2\/apis\/([^/]+)\/stages\/([^/]+)\/?$/;
const GET_API = /^\/v2\/apis\/([^/]+)(?:\/(routes|integrations|authorizers))?\/?$/;

export interface ApiGatewayFacts {
  stage: LocalStage;
  /** GetAccount's answer body (account.ts) */
  account: Record<string, unknown>;
  accountId: string;
  /** the API, its routes, integrations and authorizer */
  api: ApiFacts;
}

export async function startApiGatewayV2Server(facts: ApiGatewayFacts, host = '127.0.0.1', port = 0): Promise<LocalEndpoint> {
  const server = createServer((req, res) => {
    req.resume();
    try {
      send(res, 200, answer(req, facts));
    } catch (err) {
      const [status, type] = err instanceof NotFound ? [404, 'NotFoundException'] : err instanceof BadPageRequest ? [400, 'BadRequestException'] : [500, 'InternalServerException'];
      send(res, status, { message: err instanceof Error ? err.message : String(err) }, type);
    }
  });
  return listenLocal(server, host, port);
}

class NotFound extends Error {}

function answer(req: IncomingMessage, facts: ApiGatewayFacts): Record<string, unknown> {
  const url = new URL(req.url ?? '/', 'http://apigateway.local');
  const path = url.pathname;
  if (req.method === 'GET' && (path === '/account' || path === '/account/')) return facts.account;
  const { stage, accountId } = facts;
  const api = req.method === 'GET' ? GET_API.exec(path) : null;
  if (api) {
    const apiId = decodeURIComponent(api[1]);
    if (apiId !== stage.apiId) throw new NotFound(`Invalid API identifier specified ${accountId}:${apiId}`);
    if (api[2] === 'routes') return getRoutes(facts.api, url.searchParams);
    if (api[2] === 'integrations') return getIntegrations(facts.api, url.searchParams);
    if (api[2] === 'authorizers') return getAuthorizers(facts.api, url.searchParams);
    return getApi(facts.api);
  }
  const m = req.method === 'GET' ? GET_STAGE.exec(path) : null;
  if (!m) throw new NotFound(`The local API Gateway endpoint does not serve ${req.method} ${path} (it serves GetApi, GetStage, GetRoutes, GetIntegrations, GetAuthorizers and GetAccount)`);
  const [apiId, stageName] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
  if (apiId !== stage.apiId) throw new NotFound(`Invalid API identifier specified ${accountId}:${apiId}`);
  if (stageName !== stage.stageName) throw new NotFound('Invalid stage identifier specified');
  return stage.body;
}

function send(res: ServerResponse, status: number, payload: unknown, errorType?: string): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(body);
}
