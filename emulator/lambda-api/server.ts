import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { LambdaControlPlane } from './control-plane.ts';
import { LambdaApiError, serializationError, unknownOperation } from './errors.ts';
import { listenLocal, type LocalEndpoint } from '../local-listener.ts';
import { readJsonBody, type JsonBodyErrors } from '../request-body.ts';
import type { IamGate } from '../iam/iam-gate.ts';

/**
 * The emulator's Lambda API endpoint: Lambda's REST-JSON protocol (API version 2015-03-31), so
 * the SDK's LambdaClient works with `endpoint` set. Served: GetFunctionConfiguration,
 * UpdateFunctionConfiguration, GetFunction, ListFunctions, ListEventSourceMappings,
 * GetEventSourceMapping (the stack's mappings, read-only), and GetAccountSettings (API version
 * 2016-08-19). Signatures are not checked; with an IAM gate, a function's call is asked of its
 * role (`lambda:<Operation>` on the function's ARN, `*` for the account's), a denial Lambda's 403
 * AccessDeniedException. It serves no Invoke: functions invoke no function through it.
 */

export interface LambdaApiServerOptions {
  controlPlane: LambdaControlPlane;
  host?: string;
  /** 0 = any free port */
  port?: number;
  /** IAM (config.iam enforce or report): a function's calls asked of its role */
  iam?: IamGate;
}

/** Its `url` is the `endpoint` of a LambdaClient. */
export type LambdaApiServer = LocalEndpoint;

const MAX_BODY_BYTES = 256 * 1024;
const PREFIX = '/2015-03-31/functions';
const ACCOUNT_SETTINGS = '/2016-08-19/account-settings';
const MAPPINGS = '/2015-03-31/event-source-mappings';

export async function startLambdaApiServer(options: LambdaApiServerOptions): Promise<LambdaApiServer> {
  const { controlPlane, host = '127.0.0.1', port = 0, iam } = options;
  const server = createServer((req, res) => {
    handle(req, res, controlPlane, iam).catch((err: unknown) => {
      const error = err instanceof LambdaApiError ? err : new LambdaApiError('ServiceException', 500, String(err), 'Message', 'Service');
      sendError(res, error);
    });
  });
  return listenLocal(server, host, port);
}

async function handle(req: IncomingMessage, res: ServerResponse, plane: LambdaControlPlane, iam: IamGate | undefined): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://lambda.local');
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '');
  const qualifier = url.searchParams.get('Qualifier') ?? undefined;
  // The SDK URL-encodes the FunctionName label (an ARN's colons become %3A).
  const m = path.startsWith(`${PREFIX}/`) ? /^\/([^/]+)(\/configuration)?$/.exec(path.slice(PREFIX.length)) : null;
  const fn = m ? decodeURIComponent(m[1]) : undefined;
  const mapping = path === MAPPINGS ? '' : path.startsWith(`${MAPPINGS}/`) ? decodeURIComponent(path.slice(MAPPINGS.length + 1)) : undefined;
  const principal = iam?.principalOf(req.headers);
  if (principal && mapping !== undefined) {
    const [action, resource] = mapping === '' ? ['ListEventSourceMappings', '*'] : ['GetEventSourceMapping', plane.eventSourceMappings.arnOf(mapping)];
    const refusal = iam!.refuses(principal, `lambda:${action}`, resource);
    if (refusal !== undefined) {
      req.resume();
      throw new LambdaApiError('AccessDeniedException', 403, refusal, 'Message');
    }
  } else if (principal) {
    const action = fn === undefined ? (path === ACCOUNT_SETTINGS ? 'GetAccountSettings' : 'ListFunctions') : m?.[2] === undefined ? 'GetFunction' : method === 'PUT' ? 'UpdateFunctionConfiguration' : 'GetFunctionConfiguration';
    const resource = fn === undefined ? '*' : fn.startsWith('arn:') ? fn : `arn:aws:lambda:${iam!.region}:${iam!.accountId}:function:${fn}`;
    const refusal = iam!.refuses(principal, `lambda:${action}`, resource);
    if (refusal !== undefined) {
      req.resume();
      throw new LambdaApiError('AccessDeniedException', 403, refusal, 'Message');
    }
  }

  if (method === 'GET' && mapping !== undefined) {
    req.resume();
    if (mapping !== '') return send(res, 200, plane.eventSourceMappings.get(mapping));
    const q = (k: string) => url.searchParams.get(k) ?? undefined;
    return send(res, 200, plane.eventSourceMappings.list({ functionName: q('FunctionName'), eventSourceArn: q('EventSourceArn'), marker: q('Marker'), maxItems: q('MaxItems') }));
  }
  if (method === 'GET' && path === ACCOUNT_SETTINGS) {
    req.resume();
    return send(res, 200, plane.accountSettings());
  }
  if (method === 'GET' && path === PREFIX) {
    req.resume();
    return send(res, 200, plane.listFunctions(url.searchParams.get('Marker') ?? undefined, url.searchParams.get('MaxItems') ?? undefined));
  }
  if (fn !== undefined && m?.[2] === '/configuration' && method === 'GET') {
    req.resume();
    return send(res, 200, plane.getConfiguration(fn, qualifier));
  }
  if (fn !== undefined && m?.[2] === '/configuration' && method === 'PUT') {
    const body = await readJson(req);
    return send(res, 200, plane.updateConfiguration(fn, body));
  }
  if (fn !== undefined && m?.[2] === undefined && method === 'GET') {
    req.resume();
    return send(res, 200, plane.getFunction(fn, qualifier));
  }
  req.resume();
  throw unknownOperation(method, url.pathname);
}

const BODY_ERRORS: JsonBodyErrors = {
  tooLarge: () => new LambdaApiError('RequestTooLargeException', 413, `Request must be smaller than ${MAX_BODY_BYTES} bytes`),
  notJson: () => serializationError('Could not parse request body into json: the body is not valid JSON'),
};
const readJson = (req: IncomingMessage): Promise<unknown> => readJsonBody(req, MAX_BODY_BYTES, BODY_ERRORS);

function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(body);
}

function sendError(res: ServerResponse, err: LambdaApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, err.status, err.body(), { 'x-amzn-errortype': err.type });
}
