import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Lambda's Runtime API (version 2018-06-01) for one execution environment, on 127.0.0.1: what a
 * runtime process (the emulator's Python bootstrap, a custom runtime's `bootstrap`) calls to get
 * its invocations and hand back their results, as on Lambda:
 *
 *   GET  /2018-06-01/runtime/invocation/next              blocks until an invocation is delivered
 *   POST /2018-06-01/runtime/invocation/{id}/response     202 {"status":"OK"}
 *   POST /2018-06-01/runtime/invocation/{id}/error        202 {"status":"OK"}
 *   POST /2018-06-01/runtime/init/error                   202 {"status":"OK"}
 *   POST /2018-06-01/runtime/restore/error                202 {"status":"OK"} (SnapStart: an after-restore hook failed)
 *
 * A call the runtime's state does not allow is answered 403 `InvalidStateTransition` ("State
 * transition from Running to Ready failed for runtime. Error: State transition is not allowed"),
 * a request id other than the one being run 400 `InvalidRequestID`, a response over Lambda's
 * 6 MB payload limit 413 `RequestEntityTooLarge` (the invocation then fails with
 * `Function.ResponseSizeTooLarge`), an unknown path 404, as Lambda's own API answers
 * (aws-lambda-runtime-interface-emulator's rapi). One server per environment: the variable
 * AWS_LAMBDA_RUNTIME_API is host:port only, so the port is what tells environments apart.
 */

/** Lambda's invoke payload limit (6 MB) plus the slack its API allows. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024 + 100;

const PREFIX = '/2018-06-01/runtime/';
const INVOCATION = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;

/** The runtime's states as Lambda names them in its answers. */
type State = 'Started' | 'Ready' | 'Running' | 'RuntimeResponseSentState' | 'InitError';

export interface Invocation {
  requestId: string;
  /** epoch ms */
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string;
  /** the event, as JSON */
  body: string;
  /** Lambda-Runtime-Client-Context: the JSON an Invoke's ClientContext carried */
  clientContext?: string;
}

/** What the environment hears from its runtime. */
export interface RuntimeApiEvents {
  /** The runtime asks for its next invocation: the first time, INIT is over; later, the last one is answered. */
  next(): void;
  /** An invocation's result (`tooLarge`: the body passed Lambda's payload limit and was not kept). */
  response(requestId: string, body: Buffer, tooLarge: boolean): void;
  /** An invocation's error, as the runtime reports it. */
  error(requestId: string, body: Buffer, errorTypeHeader: string | undefined): void;
  /** INIT failed, as the runtime reports it (a restored environment: its restore failed). */
  initError(body: Buffer, errorTypeHeader: string | undefined): void;
}

export class RuntimeApiServer {
  private state: State = 'Started';
  private pendingNext: ServerResponse | undefined;
  private current: string | undefined;

  private constructor(
    private readonly server: Server,
    private readonly events: RuntimeApiEvents,
    /** `127.0.0.1:PORT`: AWS_LAMBDA_RUNTIME_API */
    readonly address: string,
  ) {}

  static async listen(events: RuntimeApiEvents): Promise<RuntimeApiServer> {
    let api: RuntimeApiServer | undefined;
    const server = createServer((req, res) => api!.handle(req, res));
    // A frozen runtime holds its /next open for as long as it is frozen, and a handler may run
    // for minutes between two calls on one connection: no timeout of Node's may close either.
    server.keepAliveTimeout = 0;
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref();
    const { port } = server.address() as AddressInfo;
    api = new RuntimeApiServer(server, events, `127.0.0.1:${port}`);
    return api;
  }

  /** Whether the runtime is waiting on /next (INIT done, last invocation answered). */
  get waiting(): boolean {
    return this.pendingNext !== undefined;
  }

  /** Answer the runtime's pending /next with an invocation. False when none is pending. */
  deliver(inv: Invocation): boolean {
    const res = this.pendingNext;
    if (!res) return false;
    this.pendingNext = undefined;
    this.state = 'Running';
    this.current = inv.requestId;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': inv.requestId,
      'Lambda-Runtime-Deadline-Ms': String(inv.deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': inv.invokedFunctionArn,
      'Lambda-Runtime-Trace-Id': inv.traceId,
      ...(inv.clientContext !== undefined ? { 'Lambda-Runtime-Client-Context': inv.clientContext } : {}),
      'Content-Length': Buffer.byteLength(inv.body),
    });
    res.end(inv.body);
    return true;
  }

  close(): void {
    this.server.close();
    this.server.closeAllConnections();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    if (!url.startsWith(PREFIX)) return notFound(res);
    if (url === `${PREFIX}invocation/next`) {
      if (req.method !== 'GET') return methodNotAllowed(res);
      if (this.state !== 'Started' && this.state !== 'RuntimeResponseSentState') return this.forbidden(res, 'Ready');
      this.state = 'Ready';
      this.pendingNext = res;
      this.events.next();
      return;
    }
    if (url === `${PREFIX}init/error` || url === `${PREFIX}restore/error`) {
      if (req.method !== 'POST') return methodNotAllowed(res);
      if (this.state !== 'Started') return this.forbidden(res, 'InitError');
      this.state = 'InitError';
      return readBody(req, (body) => {
        accepted(res);
        this.events.initError(body, header(req, 'lambda-runtime-function-error-type'));
      });
    }
    const m = INVOCATION.exec(url);
    if (!m) return notFound(res);
    if (req.method !== 'POST') return methodNotAllowed(res);
    const [, id, kind] = m;
    const isResponse = kind === 'response';
    if (this.state !== 'Running') return this.forbidden(res, isResponse ? 'InvocationResponse' : 'InvocationErrorResponse');
    if (decodeURIComponent(id!) !== this.current) return json(res, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
    this.state = 'RuntimeResponseSentState';
    const requestId = this.current;
    readBody(req, (body, tooLarge) => {
      if (tooLarge) json(res, 413, { errorMessage: `Exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`, errorType: 'RequestEntityTooLarge' });
      else accepted(res);
      if (isResponse) this.events.response(requestId, body, tooLarge);
      else this.events.error(requestId, body, header(req, 'lambda-runtime-function-error-type'));
    });
  }

  private forbidden(res: ServerResponse, to: string): void {
    json(res, 403, {
      errorType: 'InvalidStateTransition',
      errorMessage: `State transition from ${this.state} to ${to} failed for runtime. Error: State transition is not allowed`,
    });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The whole body, or (past Lambda's payload limit) none of it, read to its end either way. */
function readBody(req: IncomingMessage, done: (body: Buffer, tooLarge: boolean) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    const tooLarge = size > MAX_PAYLOAD_BYTES;
    done(tooLarge ? Buffer.alloc(0) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), tooLarge);
  });
  req.on('error', () => undefined);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const ACCEPTED = '{"status":"OK"}';

function accepted(res: ServerResponse): void {
  res.writeHead(202, { 'Content-Type': 'application/json', 'Content-Length': ACCEPTED.length });
  res.end(ACCEPTED);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 19 });
  res.end('404 page not found\n');
}

function methodNotAllowed(res: ServerResponse): void {
  res.writeHead(405, { 'Content-Length': 0 });
  res.end();
}
