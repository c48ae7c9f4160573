import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal, type LocalEndpoint } from '../local-listener.ts';
import type { LocalStage } from './stage.ts';

/**
 * The emulator's API Gateway management endpoint, the REST-JSON protocol the SDK speaks: for
 * ApiGatewayV2Client GetStage (`GET /v2/apis/{apiId}/stages/{stageName}`) of the stack's one API
 * and stage; for APIGatewayClient (v1) GetAccount (`GET /account`), the account's throttle. The
 * two services' paths do not overlap, so one endpoint serves both (AWS_ENDPOINT_URL_APIGATEWAYV2
 * and AWS_ENDPOINT_URL_API_GATEWAY name the same URL). An unknown API or stage is API Gateway's
 * NotFoundException (404, `x-amzn-ErrorType`, `{"message":…}`), as is any other request.
 * Signatures are not checked.
 */

const GET_STAGE = /^\/v2\/apis\/([^/]+)\/stages\/([^/]+)\/?$/;

export interface ApiGatewayFacts {
  stage: LocalStage;
  /** GetAccount's answer body (account.ts) */
  account: Record<string, unknown>;
  accountId: string;
}

export async function startApiGatewayV2Server(facts: ApiGatewayFacts, host = '127.0.0.1', port = 0): Promise<LocalEndpoint> {
  const server = createServer((req, res) => {
    req.resume();
    try {
      send(res, 200, answer(req, facts));
    } catch (err) {
      const notFound = err instanceof NotFound;
      send(res, notFound ? 404 : 500, { message: err instanceof Error ? err.message : String(err) }, notFound ? 'NotFoundException' : 'InternalServerException');
    }
  });
  return listenLocal(server, host, port);
}

class NotFound extends Error {}

function answer(req: IncomingMessage, facts: ApiGatewayFacts): Record<string, unknown> {
  const path = new URL(req.url ?? '/', 'http://apigateway.local').pathname;
  if (req.method === 'GET' && (path === '/account' || path === '/account/')) return facts.account;
  const m = req.method === 'GET' ? GET_STAGE.exec(path) : null;
  if (!m) throw new NotFound(`The local API Gateway endpoint does not serve ${req.method} ${path} (it serves GetStage and GetAccount)`);
  const { stage, accountId } = facts;
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
