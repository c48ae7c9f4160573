import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AwsApiError } from './cloudwatch/aws-json.ts';
import { serveLocal, type RequestHandler, type ServiceEndpoint } from './local-listener.ts';
import { readJsonBody, type JsonBodyErrors } from './request-body.ts';
import type { IamGate } from './iam/iam-gate.ts';

/**
 * An HTTP endpoint speaking the AWS JSON protocols (1.0 and 1.1) the SDK v3 clients use: a POST
 * whose `X-Amz-Target: <ServicePrefix>.<Operation>` names the operation, a JSON body, a JSON
 * answer, and errors as `{"__type","message"}` so the SDK raises the modelled exception. Shared by
 * the emulator's CloudWatch, Parameter Store, EventBridge, DynamoDB Streams and SQS endpoints (SQS
 * through `awsJsonHandler`, beside its Query protocol). Signatures are not checked.
 */
export interface AwsJsonService {
  contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';
  /** Answer the query-era code next to __type (awsQueryCompatible services only, e.g. CloudWatch). */
  queryCompatible: boolean;
  /**
   * An operation may answer later (SQS's long poll); `req` is the call's own (its caller, its
   * socket); `denied`: the items IAM refused where the service answers each item apart (see `access`).
   */
  operations: Record<string, (body: unknown, req: IncomingMessage, denied: ReadonlyMap<string, string>) => unknown>;
  /**
   * What a call needs of IAM (`<service>:<Operation>` on its resources), asked of a function's
   * role when the server has an IAM gate; a refusal is this service's own error (`status`).
   */
  access?: {
    /**
     * `shownAs`: the resource as the denial names it, where the service words it as the caller gave it (Secrets Manager's SecretId).
     * `item`: a refusal of this entry fails only that item of the call (BatchGetSecretValue's secrets): the operation gets it in `denied`, keyed by `item`, with the refusal's message.
     */
    of: (operation: string, body: unknown) => Array<{ action: string; resource: string; shownAs?: string; item?: string }>;
    status: number;
  };
  /** The service's own answers to a body too large or not JSON (default: SerializationException, 4 MiB). */
  body?: { maxBytes: number; errors: JsonBodyErrors };
  /** The service's own answer to an operation it does not have (default: UnknownOperationException). */
  unknownOperation?: (operation: string) => AwsApiError;
}

export type AwsJsonServer = ServiceEndpoint;

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const NONE_DENIED: ReadonlyMap<string, string> = new Map();

/** Serves `services`, keyed by their X-Amz-Target prefix, on host:port (0 = any free port). */
export async function startAwsJsonServer(services: Record<string, AwsJsonService>, host = '127.0.0.1', port = 0, iam?: IamGate): Promise<AwsJsonServer> {
  return serveLocal(awsJsonHandler(services, iam), host, port);
}

/** The request handler of such a server, for an endpoint that also speaks another protocol (SQS's Query). */
export function awsJsonHandler(services: Record<string, AwsJsonService>, iam?: IamGate): RequestHandler {
  return (req, res) => {
    handle(req, res, services, iam).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      send(res, 500, 'application/x-amz-json-1.1', { __type: 'InternalFailure', message: String(err) });
    });
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, services: Record<string, AwsJsonService>, iam: IamGate | undefined): Promise<void> {
  const target = String(req.headers['x-amz-target'] ?? '');
  const dot = target.indexOf('.');
  const service = dot > 0 ? services[target.slice(0, dot)] : undefined;
  const contentType = service?.contentType ?? 'application/x-amz-json-1.1';
  const name = target.slice(dot + 1);
  const operation = service && Object.hasOwn(service.operations, name) ? service.operations[name] : undefined;
  if (req.method !== 'POST' || !service || !operation) {
    req.resume();
    const unknown = service?.unknownOperation?.(name) ?? new AwsApiError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
    sendError(res, contentType, service?.queryCompatible ?? false, unknown);
    return;
  }
  let body: unknown;
  try {
    body = await (service.body ? readJsonBody(req, service.body.maxBytes, service.body.errors) : readJson(req));
  } catch (err) {
    sendError(res, contentType, service.queryCompatible, err instanceof AwsApiError ? err : new AwsApiError('SerializationException', String(err)));
    return;
  }
  const principal = iam && service.access ? iam.principalOf(req.headers) : undefined;
  // allocated only for a call with an item refused (Secrets Manager's batch): the SQS path calls here for every message
  let denied: Map<string, string> | undefined;
  if (principal) {
    for (const { action, resource, shownAs, item } of service.access!.of(name, body)) {
      const words = shownAs === undefined ? {} : { words: (_user: string, reason: Parameters<IamGate['authorizer']['denialMessage']>[3]) => iam!.authorizer.denialMessage(principal, action, shownAs, reason) };
      const refusal = iam!.refuses(principal, action, resource, words);
      if (refusal === undefined) continue;
      if (item !== undefined) (denied ??= new Map()).set(item, refusal);
      else return sendError(res, contentType, false, new AwsApiError('AccessDeniedException', refusal, service.access!.status));
    }
  }
  try {
    send(res, 200, contentType, await operation(body, req, denied ?? NONE_DENIED));
  } catch (err) {
    if (err instanceof AwsApiError) sendError(res, contentType, service.queryCompatible, err);
    else throw err;
  }
}

const BODY_ERRORS: JsonBodyErrors = {
  tooLarge: () => new AwsApiError('SerializationException', `Request body larger than ${MAX_BODY_BYTES} bytes`, 413),
  notJson: () => new AwsApiError('SerializationException', 'Request body is not valid JSON'),
};
const readJson = (req: IncomingMessage): Promise<unknown> => readJsonBody(req, MAX_BODY_BYTES, BODY_ERRORS);

function send(res: ServerResponse, status: number, contentType: string, payload: unknown, extra: Record<string, string> = {}): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    ...extra,
  });
  res.end(body);
}

function sendError(res: ServerResponse, contentType: string, queryCompatible: boolean, err: AwsApiError): void {
  const extra: Record<string, string> = queryCompatible && err.queryCode ? { 'x-amzn-query-error': err.queryCode } : {};
  send(res, err.status, contentType, { __type: err.type, message: err.message }, extra);
}
