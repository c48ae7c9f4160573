import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { awsJsonHandler, type AwsJsonService } from '../aws-json-server.ts';
import type { MetricSink } from '../cloudwatch/types.ts';
import type { IamGate } from '../iam/iam-gate.ts';
import { serveLocal, type ServiceEndpoint } from '../local-listener.ts';
import { QueryApiError, queryError, queryResult, readQueryBody, sendXml } from '../query-api.ts';
import { queryInput, queryOutput } from './query-protocol.ts';
import type { SqsQueues } from './queue-registry.ts';
import { SQS_OPERATIONS, sqsAccess, type ApiInput, type CallContext } from './sqs-api.ts';
import { SqsError } from './sqs-errors.ts';

export interface SqsServerOptions {
  queues: SqsQueues;
  host?: string;
  port?: number;
  /** asks a function's call of its role (`sqs:<Action>` on the queue's ARN) */
  iam?: IamGate;
  /** where AWS/SQS goes; the depth sampler runs until close() */
  metrics?: MetricSink;
}

const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';
const TARGET_PREFIX = 'AmazonSQS';
/** 10 messages of 1 MiB at most, as text (a Query form URL-encodes them: up to 3 bytes each) */
const MAX_BODY_BYTES = 3 * 1024 * 1024 + 64 * 1024;

/**
 * The emulator's SQS endpoint: one server, both of SQS's protocols. AWS JSON 1.0
 * (`X-Amz-Target: AmazonSQS.<Op>`, what @aws-sdk/client-sqs sends; errors as `__type` with the
 * Query code in `x-amzn-query-error`) and the Query protocol (a form POST of `Action=…` to `/` or to
 * a queue's URL, XML answers: botocore before SQS's JSON, API Gateway's AWS integrations). Queue
 * URLs are answered on the host the request came to. With an IAM gate, a function's call is asked
 * of its role first; a refusal is SQS's AccessDenied.
 */
export async function startSqsServer(options: SqsServerOptions): Promise<ServiceEndpoint> {
  const { queues, iam } = options;
  const stopMetrics = options.metrics ? queues.publishMetrics(options.metrics) : undefined;
  const serveJson = awsJsonHandler({ [TARGET_PREFIX]: jsonProtocol(queues, iam) });
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (String(req.headers['x-amz-target'] ?? '').startsWith(`${TARGET_PREFIX}.`)) return serveJson(req, res);
    serveQuery(req, res, queues, iam).catch(() => res.destroy());
  };
  let endpoint: ServiceEndpoint;
  try {
    endpoint = await serveLocal(handle, options.host ?? '127.0.0.1', options.port ?? 0);
  } catch (err) {
    stopMetrics?.();
    throw err;
  }
  return {
    url: endpoint.url,
    handle,
    close: async () => {
      stopMetrics?.();
      await endpoint.close();
    },
  };
}

/** SQS on the shared AWS JSON server: awsQueryCompatible (SqsError carries its Query code), its own body and unknown-action errors. */
function jsonProtocol(queues: SqsQueues, iam: IamGate | undefined): AwsJsonService {
  return {
    contentType: 'application/x-amz-json-1.0',
    queryCompatible: true,
    operations: Object.fromEntries(Object.keys(SQS_OPERATIONS).map((operation) => [operation, (body: unknown, req: IncomingMessage) => call(operation, body as ApiInput, req, queues, iam)])),
    body: {
      maxBytes: MAX_BODY_BYTES,
      errors: {
        tooLarge: () => new SqsError('BatchRequestTooLong', `Request body larger than ${MAX_BODY_BYTES} bytes`),
        notJson: () => new SqsError('InvalidParameterValue', 'The request body is not valid JSON.'),
      },
    },
    unknownOperation: (operation) => new SqsError('InvalidAction', `The action ${operation || '(none)'} is not valid for this endpoint.`),
  };
}

async function serveQuery(req: IncomingMessage, res: ServerResponse, queues: SqsQueues, iam: IamGate | undefined): Promise<void> {
  const requestId = randomUUID();
  let action = '';
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const params = new URLSearchParams(url.search);
    if (req.method === 'POST') for (const [k, v] of new URLSearchParams(await readQueryBody(req, MAX_BODY_BYTES))) params.append(k, v);
    else req.resume();
    action = params.get('Action') ?? '';
    const input = queryInput(action, params);
    // a request to a queue's URL names its queue by the path
    if (input['QueueUrl'] === undefined && /^\/[^/]+\/[^/]+\/?$/.test(url.pathname)) input['QueueUrl'] = `${originOf(req)}${url.pathname}`;
    const output = (await call(action, input, req, queues, iam)) as Record<string, unknown>;
    sendXml(res, 200, queryResult(action, XMLNS, queryOutput(action, output), requestId), requestId);
  } catch (err) {
    if (res.headersSent) return void res.destroy();
    const e = err instanceof SqsError ? new QueryApiError(err.code, err.message, err.status) : err instanceof QueryApiError ? err : new QueryApiError('InternalFailure', String(err), 500, 'Receiver');
    sendXml(res, e.status, queryError(XMLNS, e, requestId), requestId);
  }
}

/** One operation, after IAM's answer for a function's call; a client that goes aborts its long poll. */
async function call(operation: string, input: ApiInput, req: IncomingMessage, queues: SqsQueues, iam: IamGate | undefined): Promise<unknown> {
  const run = Object.hasOwn(SQS_OPERATIONS, operation) ? SQS_OPERATIONS[operation] : undefined;
  if (!run) throw new SqsError('InvalidAction', `The action ${operation || '(none)'} is not valid for this endpoint.`);
  const principal = iam?.principalOf(req.headers);
  if (principal) {
    const { action, resource } = sqsAccess(queues, operation, input);
    const refusal = iam!.refuses(principal, action, resource);
    if (refusal !== undefined) throw new SqsError('AccessDenied', refusal);
  }
  const abort = new AbortController();
  const onClose = () => abort.abort();
  // the client going (its socket closing) ends a long poll; a keep-alive socket outlives the call
  req.socket.once('close', onClose);
  const ctx: CallContext = {
    origin: originOf(req),
    senderId: principal ? `AROA${createHash('sha1').update(principal.roleArn).digest('hex').slice(0, 17).toUpperCase()}:${principal.function}` : queues.accountId,
    signal: abort.signal,
  };
  try {
    return await run(queues, input, ctx);
  } finally {
    req.socket.off('close', onClose);
  }
}

function originOf(req: IncomingMessage): string {
  const host = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
  return `http://${host}`;
}
