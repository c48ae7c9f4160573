import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal, type LocalEndpoint } from '../local-listener.ts';
import type { LocalStage } from './stage.ts';

/**
 * The emulator's API Gateway v2 management endpoint: the REST-JSON protocol the SDK's
 * ApiGatewayV2Client speaks. Only GetStage (`GET /v2/apis/{apiId}/stages/{stageName}`) for the
 * stack's one API and stage. An unknown API or stage is API Gateway's NotFoundException (404,
 * `x-amzn-ErrorType`, `{"message":…}`), as is any other request. Signatures are not checked.
 */

const GET_STAGE = /^\/v2\/apis\/([^/]+)\/stages\/([^/]+)\/?$/;

export async function startApiGatewayV2Server(stage: LocalStage, accountId: string, host = '127.0.0.1', port = 0): Promise<LocalEndpoint> {
  const server = createServer((req, res) => {
    req.resume();
    try {
      send(res, 200, getStage(req, stage, accountId));
    } catch (err) {
      const notFound = err instanceof NotFound;
      send(res, notFound ? 404 : 500, { message: err instanceof Error ? err.message : String(err) }, notFound ? 'NotFoundException' : 'InternalServerException');
    }
  });
  return listenLocal(server, host, port);
}

class NotFound extends Error {}

function getStage(req: IncomingMessage, stage: LocalStage, accountId: string): Record<string, unknown> {
  const path = new URL(req.url ?? '/', 'http://apigateway.local').pathname;
  const m = req.method === 'GET' ? GET_STAGE.exec(path) : null;
  if (!m) throw new NotFound(`The local API Gateway v2 endpoint does not serve ${req.method} ${path} (it serves GetStage)`);
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
