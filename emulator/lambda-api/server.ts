import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { LambdaControlPlane } from './control-plane.ts';
import { AwsApiError } from '../cloudwatch/aws-json.ts';
import { fromAwsApiError, LambdaApiError, notReady, requestTooLarge, serializationError, unknownOperation } from './errors.ts';
import { EventInvokeConfigs } from './event-invoke-configs.ts';
import { FunctionInvoker, INVOKE_LIMITS } from './invoke.ts';
import { VersionsApi } from './versions-api.ts';
import type { AsyncInvocations } from '../lambda/async-invocation.ts';
import type { LogStore } from '../cloudwatch/log-store.ts';
import type { AsyncInvokeConfig } from '../stack-model/stack-description.ts';
import { serveLocal, type ServiceEndpoint } from '../local-listener.ts';
import { readJsonBody, type JsonBodyErrors } from '../request-body.ts';
import type { IamGate } from '../iam/iam-gate.ts';

/**
 * The emulator's Lambda API endpoint: Lambda's REST-JSON protocol (API version 2015-03-31), so
 * the SDK's LambdaClient works with `endpoint` set. Served: Invoke (invoke.ts: RequestResponse,
 * Event, DryRun; a Qualifier runs its version), GetFunctionConfiguration, UpdateFunctionConfiguration, GetFunction,
 * PublishVersion, ListVersionsByFunction, Create/Get/Update/DeleteAlias, ListAliases,
 * Put/Get/DeleteProvisionedConcurrencyConfig, ListProvisionedConcurrencyConfigs (versions-api.ts),
 * ListFunctions, ListEventSourceMappings, GetEventSourceMapping (the stack's mappings,
 * read-only), Get/Put/Update/Delete/ListFunctionEventInvokeConfig(s) (API version 2019-09-25) and
 * GetAccountSettings (2016-08-19). Signatures are not checked; with an IAM gate, a function's call
 * is asked of its role (`lambda:<Operation>` on the function's ARN, `*` for the account's; Invoke's
 * action is `lambda:InvokeFunction`), a denial Lambda's 403 AccessDeniedException.
 *
 * It listens before its functions exist, so that the runtime can be given its URL (a function's
 * SDK reaches lambda.<region>.amazonaws.com here); `attach` hands it the functions once the
 * runtime is made. Until then it answers 503.
 */

export interface LambdaApiServerOptions {
  /** the functions served from the start (else given later to `attach`) */
  controlPlane?: LambdaControlPlane;
  host?: string;
  /** 0 = any free port */
  port?: number;
  /** IAM (config.iam enforce or report): a function's calls asked of its role */
  iam?: IamGate;
}

/** What the API serves, once the runtime exists. */
export interface LambdaApiFunctions {
  controlPlane: LambdaControlPlane;
  /** Invoke with InvocationType Event, and what an EventInvokeConfig change is applied to */
  asyncInvocations?: AsyncInvocations;
  /** each function's asynchronous invocation settings as the template gives them (FunctionDescription.asyncInvoke) */
  asyncConfigs?: Record<string, AsyncInvokeConfig | undefined>;
  /** the functions' logs (LogType Tail) */
  logs?: LogStore;
  /** whether an EventInvokeConfig destination is a resource of the stack (ServiceTargets.has) */
  hasTarget?: (arn: string) => boolean;
}

/** Its `url` is the `endpoint` of a LambdaClient. */
export interface LambdaApiServer extends ServiceEndpoint {
  /** Serve these functions from now on. */
  attach(functions: LambdaApiFunctions): void;
}

/** What a request is answered from. */
interface Served {
  plane: LambdaControlPlane;
  invoker: FunctionInvoker;
  eventInvokeConfigs: EventInvokeConfigs;
  versions: VersionsApi;
}

const MAX_BODY_BYTES = 256 * 1024;
/** past this an Invoke's body is not even read to the end: the connection is dropped */
const MAX_DRAINED_BYTES = 64 * 1024 * 1024;
const PREFIX = '/2015-03-31/functions';
const CONFIG_PREFIX = '/2019-09-25/functions';
const ACCOUNT_SETTINGS = '/2016-08-19/account-settings';
const MAPPINGS = '/2015-03-31/event-source-mappings';

export async function startLambdaApiServer(options: LambdaApiServerOptions): Promise<LambdaApiServer> {
  const { host = '127.0.0.1', port = 0, iam } = options;
  let served: Served | undefined;
  const attach = (f: LambdaApiFunctions): void => {
    const { region, accountId } = f.controlPlane.place;
    served = {
      plane: f.controlPlane,
      versions: new VersionsApi(f.controlPlane),
      invoker: new FunctionInvoker({ runtime: f.controlPlane.runtime, ...(f.asyncInvocations ? { asyncInvocations: f.asyncInvocations } : {}), ...(f.logs ? { logs: f.logs } : {}) }),
      eventInvokeConfigs: new EventInvokeConfigs({
        configs: f.asyncConfigs ?? {},
        region,
        accountId,
        ...(f.asyncInvocations ? { apply: (name, config) => f.asyncInvocations!.configure(name, config) } : {}),
        ...(f.hasTarget ? { hasTarget: f.hasTarget } : {}),
      }),
    };
  };
  if (options.controlPlane) attach({ controlPlane: options.controlPlane });
  const endpoint = await serveLocal(
    (req, res) => {
      handle(req, res, served, iam).catch((err: unknown) => {
        const error = err instanceof LambdaApiError ? err : err instanceof AwsApiError ? fromAwsApiError(err) : new LambdaApiError('ServiceException', 500, String(err), 'Message', 'Service');
        sendError(res, error);
      });
    },
    host,
    port,
  );
  return { ...endpoint, attach };
}

async function handle(req: IncomingMessage, res: ServerResponse, served: Served | undefined, iam: IamGate | undefined): Promise<void> {
  if (!served) {
    req.resume();
    throw notReady();
  }
  const { plane, invoker, eventInvokeConfigs, versions } = served;
  const url = new URL(req.url ?? '/', 'http://lambda.local');
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '');
  const qualifier = url.searchParams.get('Qualifier') ?? undefined;
  // versions, aliases, provisioned concurrency (versions-api.ts)
  const versionsOp = versions.operation(method, path, url.searchParams);
  if (versionsOp) {
    const principal = iam?.principalOf(req.headers);
    const refusal = principal ? iam!.refuses(principal, `lambda:${versionsOp.action}`, versionsOp.resource) : undefined;
    const withBody = method === 'POST' || method === 'PUT';
    if (refusal !== undefined || !withBody) req.resume();
    if (refusal !== undefined) throw new LambdaApiError('AccessDeniedException', 403, refusal, 'Message');
    const { status, payload } = await versionsOp.answer(() => (withBody ? readJson(req) : Promise.resolve({})));
    return payload === undefined ? sendRaw(res, status, '') : send(res, status, payload);
  }
  // The SDK URL-encodes the FunctionName label (an ARN's colons become %3A).
  const m = path.startsWith(`${PREFIX}/`) ? /^\/([^/]+)(\/configuration|\/invocations)?$/.exec(path.slice(PREFIX.length)) : null;
  const c = path.startsWith(`${CONFIG_PREFIX}/`) ? /^\/([^/]+)\/event-invoke-config(\/list)?$/.exec(path.slice(CONFIG_PREFIX.length)) : null;
  const fn = m ? decodeURIComponent(m[1]!) : c ? decodeURIComponent(c[1]!) : undefined;
  const mapping = path === MAPPINGS ? '' : path.startsWith(`${MAPPINGS}/`) ? decodeURIComponent(path.slice(MAPPINGS.length + 1)) : undefined;
  const principal = iam?.principalOf(req.headers);
  if (principal) {
    const [action, resource] = operationOf(method, path, m, c, fn, mapping, qualifier, plane, iam!);
    const refusal = iam!.refuses(principal, `lambda:${action}`, resource);
    if (refusal !== undefined) {
      req.resume();
      throw new LambdaApiError('AccessDeniedException', 403, refusal, 'Message');
    }
  }

  if (fn !== undefined && m?.[2] === '/invocations' && method === 'POST') {
    const target = plane.resolveQualified(fn, qualifier);
    const { payload, bytes } = await readPayload(req);
    const header = (h: string) => (typeof req.headers[h] === 'string' ? (req.headers[h] as string) : undefined);
    const answer = await invoker.invoke({
      functionName: target.name,
      ...(target.qualifier !== undefined ? { qualifier: target.qualifier } : {}),
      executedVersion: plane.versionOf(target.name, target.qualifier),
      invocationType: header('x-amz-invocation-type'), logType: header('x-amz-log-type'), clientContext: header('x-amz-client-context'), payload, bytes });
    return sendRaw(res, answer.status, answer.body, answer.headers);
  }
  if (fn !== undefined && c) {
    const name = plane.resolve(fn, qualifier);
    if (c[2] === '/list' && method === 'GET') {
      req.resume();
      return send(res, 200, eventInvokeConfigs.list(name, url.searchParams.get('MaxItems') ?? undefined));
    }
    if (c[2] === undefined && method === 'GET') {
      req.resume();
      return send(res, 200, eventInvokeConfigs.get(name));
    }
    if (c[2] === undefined && method === 'PUT') return send(res, 200, eventInvokeConfigs.put(name, await readJson(req)));
    if (c[2] === undefined && method === 'POST') return send(res, 200, eventInvokeConfigs.update(name, await readJson(req)));
    if (c[2] === undefined && method === 'DELETE') {
      req.resume();
      eventInvokeConfigs.delete(name);
      return sendRaw(res, 204, '');
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

/** The IAM action a request is asked as, and the resource: the function's ARN (qualified as asked), a mapping's, or `*`. */
function operationOf(
  method: string,
  path: string,
  m: RegExpExecArray | null,
  c: RegExpExecArray | null,
  fn: string | undefined,
  mapping: string | undefined,
  qualifier: string | undefined,
  plane: LambdaControlPlane,
  iam: IamGate,
): [string, string] {
  if (mapping !== undefined) return mapping === '' ? ['ListEventSourceMappings', '*'] : ['GetEventSourceMapping', plane.eventSourceMappings.arnOf(mapping)];
  if (fn === undefined) return [path === ACCOUNT_SETTINGS ? 'GetAccountSettings' : 'ListFunctions', '*'];
  const arn = fn.startsWith('arn:') ? fn : `arn:aws:lambda:${iam.region}:${iam.accountId}:function:${fn}`;
  const resource = qualifier !== undefined && !fn.startsWith('arn:') ? `${arn}:${qualifier}` : arn;
  if (c) {
    const verb = c[2] === '/list' ? 'ListFunctionEventInvokeConfigs' : ({ GET: 'Get', PUT: 'Put', POST: 'Update', DELETE: 'Delete' }[method] ?? 'Get') + 'FunctionEventInvokeConfig';
    return [verb, resource];
  }
  if (m?.[2] === '/invocations') return ['InvokeFunction', resource];
  return [m?.[2] === undefined ? 'GetFunction' : method === 'PUT' ? 'UpdateFunctionConfiguration' : 'GetFunctionConfiguration', resource];
}

/**
 * An Invoke's body, read to the end even past the largest payload (6 MB), so the client gets
 * Lambda's RequestTooLargeException rather than a reset connection; what is past the limit is
 * not kept.
 */
function readPayload(req: IncomingMessage): Promise<{ payload: Buffer; bytes: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_DRAINED_BYTES) {
        reject(requestTooLarge(INVOKE_LIMITS.syncBytes));
        req.destroy();
        return;
      }
      if (bytes <= INVOKE_LIMITS.syncBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve({ payload: bytes > INVOKE_LIMITS.syncBytes ? Buffer.alloc(0) : Buffer.concat(chunks), bytes }));
    req.on('error', reject);
  });
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

function sendRaw(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...(body === '' ? {} : { 'content-type': 'application/json' }),
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
  send(res, err.status, err.body(), { 'x-amzn-errortype': err.type, ...err.headers });
}
