import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal, type LocalEndpoint, type RequestHandler } from '../local-listener.ts';
import { EDGE_SERVICES, needsQueryBody, serviceOfRequest, type EdgeService } from './request-service.ts';

/**
 * The edge: every AWS API the emulator serves on one port, as LocalStack's edge serves them, so
 * that one variable (`AWS_ENDPOINT_URL`) points the SDK and the AWS CLI at the whole stack. Each
 * request is told by what names its service (request-service.ts) and handed, in process, to the
 * handler that service's own endpoint runs: no second HTTP hop, and every service answers exactly
 * as on its own port. A request no service claims is a 404 naming what the edge serves.
 */

/** Each service's request handler (execute-api is the gateway's: its @connections API). */
export type EdgeHandlers = Record<EdgeService, RequestHandler>;

/** Query protocol form bodies are small (CloudFormation's own endpoint takes 64 KB). */
const MAX_FORM_BYTES = 64 * 1024;

export async function startEdge(handlers: EdgeHandlers, host = '127.0.0.1', port = 0): Promise<LocalEndpoint> {
  const server = createServer((req, res) => {
    route(req, res, handlers).catch((err: unknown) => fail(res, 500, 'InternalFailure', String(err)));
  });
  return listenLocal(server, host, port);
}

async function route(req: IncomingMessage, res: ServerResponse, handlers: EdgeHandlers): Promise<void> {
  const asked = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
  let formBody: Buffer | undefined;
  if (needsQueryBody(asked)) {
    formBody = await readBounded(req);
    if (formBody === undefined) return fail(res, 413, 'RequestEntityTooLarge', `Request body larger than ${MAX_FORM_BYTES} bytes`);
  }
  const service = serviceOfRequest({ ...asked, ...(formBody ? { formBody: formBody.toString('utf8') } : {}) });
  if (!service) {
    req.resume();
    return fail(res, 404, 'UnknownServiceException', `The emulator's edge cannot tell which service ${asked.method} ${asked.url} is for (it serves ${EDGE_SERVICES.join(', ')}, told by the SigV4 credential scope, X-Amz-Target, the Query Action or the path)`);
  }
  handlers[service](formBody ? replayed(req, formBody) : req, res);
}

/** The request again, its body (already read to tell the service) readable once more. */
function replayed(req: IncomingMessage, body: Buffer): IncomingMessage {
  const again = new IncomingMessage(req.socket);
  // complete: a message read to its end is not an aborted one, whose destroy would end the socket
  Object.assign(again, { method: req.method, url: req.url, headers: req.headers, rawHeaders: req.rawHeaders, httpVersion: req.httpVersion, complete: true });
  again.push(body);
  again.push(null);
  return again;
}

function readBounded(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_FORM_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function fail(res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': randomUUID(), 'x-amzn-errortype': type });
  res.end(body);
}
