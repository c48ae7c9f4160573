import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { listenLocal, type LocalEndpoint } from '../local-listener.ts';
import { EDGE_SERVICES, needsQueryBody, serviceOfRequest, type EdgeService } from './request-service.ts';

/**
 * The edge: every AWS API the emulator serves on one port, as LocalStack's edge serves them, so
 * that one variable (`AWS_ENDPOINT_URL`) points the SDK and the AWS CLI at the whole stack. Each
 * request is told by what names its service (request-service.ts) and forwarded as it came to that
 * service's own endpoint, its body and answer streamed through (never held whole), so every
 * server behind it is unchanged and answers exactly as on its own port. A request no service
 * claims is a 404 naming what the edge serves.
 */

/** Each service's own endpoint (http://127.0.0.1:P); execute-api is the gateway's (its @connections API). */
export type EdgeUpstreams = Record<EdgeService, string>;

/** Query protocol form bodies are small (CloudFormation's own endpoint takes 64 KB). */
const MAX_FORM_BYTES = 64 * 1024;

/** Hop-by-hop headers are the connection's, not the message's (RFC 9110 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'proxy-authenticate']);

export async function startEdge(upstreams: EdgeUpstreams, host = '127.0.0.1', port = 0): Promise<LocalEndpoint> {
  const agent = new Agent({ keepAlive: true });
  const targets = Object.fromEntries(EDGE_SERVICES.map((s) => [s, new URL(upstreams[s])])) as Record<EdgeService, URL>;
  const server = createServer((req, res) => {
    route(req, res, targets, agent).catch((err: unknown) => fail(res, 500, 'InternalFailure', String(err)));
  });
  const endpoint = await listenLocal(server, host, port);
  return {
    url: endpoint.url,
    close: async () => {
      await endpoint.close();
      agent.destroy();
    },
  };
}

async function route(req: IncomingMessage, res: ServerResponse, targets: Record<EdgeService, URL>, agent: Agent): Promise<void> {
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
  const target = targets[service];
  const upstream = request({
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    method: asked.method,
    path: asked.url,
    headers: { ...forwarded(req.headers), host: target.host },
    agent,
  });
  upstream.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwarded(answer.headers));
    pipeline(answer, res, () => {});
  });
  upstream.on('error', (err) => {
    if (!res.headersSent) fail(res, 502, 'ServiceUnavailable', `the emulator's ${service} endpoint did not answer: ${err.message}`);
    else res.destroy();
  });
  if (formBody) upstream.end(formBody);
  else pipeline(req, upstream, () => {});
}

function forwarded(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
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
