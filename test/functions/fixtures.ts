/**
 * Test fixtures for the chat handlers: a real dynalite, a real HTTP @connections peer, handler
 * events shaped like API Gateway's, and the environment a deployed function would get.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { TABLE_DEFAULT_NAMES, tableDefinitions } from '../../reference-stack/functions/shared/tables.ts';
import type { ConnectEvent, DisconnectEvent, MessageEvent, RouteResult } from '../../reference-stack/functions/shared/events.ts';

export const TABLES = TABLE_DEFAULT_NAMES;
export const STAGE = 'local';

type DynaliteFactory = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** dynalite in this process with the stack's three tables. */
export async function startDynamo(): Promise<{ endpoint: string; doc: DynamoDBDocumentClient; close: () => Promise<void> }> {
  // dynalite ships no type declarations; a non-literal specifier keeps tsc from looking for them.
  const { default: dynalite } = (await import('dynalite' as string)) as { default: DynaliteFactory };
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await listen(server);
  const raw = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  for (const def of tableDefinitions(TABLES)) await raw.send(new CreateTableCommand(def));
  const doc = DynamoDBDocumentClient.from(raw);
  return {
    endpoint,
    doc,
    close: async () => {
      raw.destroy();
      await close(server);
    },
  };
}

export interface RecordedPost {
  connectionId: string;
  body: string;
}

/**
 * A test peer for the @connections management API, speaking its real wire protocol to the real
 * SDK client: POST /{stage}/@connections/{id} answers 200 for a live id, 410 with
 * `x-amzn-ErrorType: GoneException` for any other id (so the SDK raises GoneException), and 403
 * ForbiddenException for ids in `forbidden`. Every post is recorded.
 */
export interface ConnectionsPeer {
  callbackUrl: string;
  live: Set<string>;
  forbidden: Set<string>;
  /** Posts to these ids are never answered (a stuck post): only the caller's abort ends them. */
  stalled: Set<string>;
  posts: RecordedPost[];
  /** Hold every answer this long (ms), so concurrent posts overlap. */
  delayMs: number;
  /** Most posts seen in flight at once. */
  maxInFlight: number;
  close: () => Promise<void>;
}

export async function startConnectionsPeer(): Promise<ConnectionsPeer> {
  const prefix = `/${STAGE}/@connections/`;
  let inFlight = 0;
  const peer: ConnectionsPeer = {
    callbackUrl: '',
    live: new Set<string>(),
    forbidden: new Set<string>(),
    stalled: new Set<string>(),
    posts: [],
    delayMs: 0,
    maxInFlight: 0,
    close: () => close(server),
  };
  const { live, forbidden, posts } = peer;
  const server = createServer((req, res) => {
    inFlight++;
    peer.maxInFlight = Math.max(peer.maxInFlight, inFlight);
    res.on('finish', () => inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => (peer.delayMs > 0 ? setTimeout(answer, peer.delayMs) : answer()));
    const answer = () => {
      const url = req.url ?? '';
      if (req.method !== 'POST' || !url.startsWith(prefix)) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
        return;
      }
      const connectionId = decodeURIComponent(url.slice(prefix.length));
      posts.push({ connectionId, body: Buffer.concat(chunks).toString('utf8') });
      if (peer.stalled.has(connectionId)) {
        inFlight--; // never finishes: the caller aborts (or close() ends it)
        return;
      }
      if (forbidden.has(connectionId)) {
        res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'ForbiddenException' });
        res.end('{"message":"Forbidden"}');
      } else if (live.has(connectionId)) {
        res.writeHead(200, { 'content-length': '0' }).end();
      } else {
        res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'GoneException' });
        res.end('{"message":null}');
      }
    };
  });
  peer.callbackUrl = `${await listen(server)}/${STAGE}`;
  return peer;
}

/**
 * A DynamoDB endpoint in front of dynalite that answers chosen operations with
 * ProvisionedThroughputExceededException (HTTP 400, as DynamoDB does) a given number of times,
 * and forwards everything else. The SDK then sees real throttling: its retries, its error class.
 */
export interface ThrottlingDynamo {
  endpoint: string;
  /** Throttle the next `times` calls of `operation` (e.g. "BatchWriteItem"); Infinity = all. */
  throttle(operation: string, times: number): void;
  /** Calls answered with throttling so far, by operation. */
  throttled: Map<string, number>;
  /** Stop throttling anything. */
  reset(): void;
  close: () => Promise<void>;
}

const THROTTLED_BODY = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
});

export async function startThrottlingDynamo(target: string): Promise<ThrottlingDynamo> {
  const upstream = new URL(target);
  const pending = new Map<string, number>();
  const throttled = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const left = pending.get(operation) ?? 0;
      if (left > 0) {
        pending.set(operation, left - 1);
        throttled.set(operation, (throttled.get(operation) ?? 0) + 1);
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(THROTTLED_BODY) });
        res.end(THROTTLED_BODY);
        return;
      }
      const body = Buffer.concat(chunks);
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 500, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', (err) => res.destroy(err));
      forward.end(body);
    });
  });
  const endpoint = await listen(server);
  return {
    endpoint,
    throttle: (operation, times) => pending.set(operation, times),
    throttled,
    reset: () => pending.clear(),
    close: () => close(server),
  };
}

/** The environment the emulator / CDK gives each function; set before importing any handler. */
export function setFunctionEnv(dynamoEndpoint: string, callbackUrl: string, extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    CONNECTIONS_TABLE: TABLES.connections,
    ROOM_MEMBERS_TABLE: TABLES.roomMembers,
    MESSAGES_TABLE: TABLES.messages,
    CALLBACK_URL: callbackUrl,
    // Set by Lambda itself; Powertools emits ColdStart only for on-demand environments.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    ...extra,
  });
}

/** Each handler module, imported lazily: handlers read their environment at module load. */
const HANDLER_MODULES = {
  connect: () => import('../../reference-stack/functions/connect.ts'),
  disconnect: () => import('../../reference-stack/functions/disconnect.ts'),
  setName: () => import('../../reference-stack/functions/set-name.ts'),
  whoami: () => import('../../reference-stack/functions/whoami.ts'),
  fallback: () => import('../../reference-stack/functions/default.ts'),
  createRoom: () => import('../../reference-stack/functions/create-room.ts'),
  joinRoom: () => import('../../reference-stack/functions/join-room.ts'),
  leaveRoom: () => import('../../reference-stack/functions/leave-room.ts'),
  sendMessage: () => import('../../reference-stack/functions/send-message.ts'),
  broadcast: () => import('../../reference-stack/functions/broadcast.ts'),
  push: () => import('../../reference-stack/functions/push.ts'),
  pushWorker: () => import('../../reference-stack/functions/push-worker.ts'),
};

export type HandlerName = keyof typeof HANDLER_MODULES;
export type ChatHandlers<K extends HandlerName> = { [N in K]: Awaited<ReturnType<(typeof HANDLER_MODULES)[N]>>['handler'] };

/** Imports the named handlers, one after another; call only after setFunctionEnv, as on Lambda. */
export async function loadHandlers<K extends HandlerName>(names: readonly K[]): Promise<ChatHandlers<K>> {
  const handlers: Partial<Record<HandlerName, unknown>> = {};
  for (const name of names) handlers[name] = (await HANDLER_MODULES[name]()).handler;
  return handlers as ChatHandlers<K>;
}

export interface ChatBackend<K extends HandlerName> {
  readonly dynamo: Awaited<ReturnType<typeof startDynamo>>;
  /** The functions' DynamoDB endpoint when started with `{ throttling: true }`. */
  readonly throttling: ThrottlingDynamo;
  readonly peer: ConnectionsPeer;
  /** The handlers named, loaded after the environment was set. */
  readonly h: ChatHandlers<K>;
}

/**
 * Registers beforeAll/afterAll for a file's tests: dynalite and an @connections peer started, the
 * function environment set (plus `extraEnv`), then the named handlers imported. With
 * `{ throttling: true }` the functions reach dynalite through a ThrottlingDynamo (the test's own
 * reads go straight to dynalite). The accessors are valid once beforeAll has run.
 */
export function useChatBackend<K extends HandlerName>(
  handlerNames: readonly K[],
  extraEnv: Record<string, string> = {},
  options: { throttling?: boolean } = {},
): ChatBackend<K> {
  let dynamo: ChatBackend<K>['dynamo'] | undefined;
  let throttling: ThrottlingDynamo | undefined;
  let peer: ConnectionsPeer | undefined;
  let h: ChatHandlers<K> | undefined;
  beforeAll(async () => {
    dynamo = await startDynamo();
    if (options.throttling) throttling = await startThrottlingDynamo(dynamo.endpoint);
    peer = await startConnectionsPeer();
    setFunctionEnv(throttling?.endpoint ?? dynamo.endpoint, peer.callbackUrl, extraEnv);
    h = await loadHandlers(handlerNames);
  });
  afterAll(async () => {
    await peer?.close();
    await throttling?.close();
    await dynamo?.close();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('chat backend used before beforeAll ran');
    return value;
  };
  return {
    get dynamo() {
      return ready(dynamo);
    },
    get throttling() {
      return ready(throttling);
    },
    get peer() {
      return ready(peer);
    },
    get h() {
      return ready(h);
    },
  };
}

/** The posts the peer received carrying this messageId. */
export function postsOf(peer: ConnectionsPeer, messageId: unknown): RecordedPost[] {
  return peer.posts.filter((p) => (JSON.parse(p.body) as { messageId?: string }).messageId === messageId);
}

/** An API Gateway-style connection id ("L0SM9cOFvHcCIhw="): base64, so it needs URL-encoding. */
export function newConnectionId(): string {
  return randomBytes(10).toString('base64');
}

function requestContext(connectionId: string, routeKey: string, eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT') {
  const now = Date.now();
  return {
    routeKey,
    eventType,
    messageId: (eventType === 'MESSAGE' ? randomBytes(6).toString('base64') : null) as string,
    extendedRequestId: randomUUID(),
    requestTime: new Date(now).toUTCString(),
    messageDirection: 'IN' as const,
    stage: STAGE,
    connectedAt: now - 1000,
    requestTimeEpoch: now,
    identity: { sourceIp: '127.0.0.1', userAgent: 'vitest' },
    requestId: randomUUID(),
    domainName: '127.0.0.1',
    connectionId,
    apiId: 'local',
  };
}

export function connectEvent(connectionId: string, query?: Record<string, string>, headers?: Record<string, string>): ConnectEvent {
  return {
    requestContext: requestContext(connectionId, '$connect', 'CONNECT'),
    headers: { Host: '127.0.0.1', 'Sec-WebSocket-Version': '13', ...headers },
    queryStringParameters: query,
    isBase64Encoded: false,
  };
}

export function disconnectEvent(connectionId: string): DisconnectEvent {
  const ctx = requestContext(connectionId, '$disconnect', 'DISCONNECT');
  return {
    requestContext: { ...ctx, disconnectStatusCode: 1000, disconnectReason: 'Client closed' },
    isBase64Encoded: false,
  };
}

/** A message event; `body` objects are sent as JSON text, strings as they are. */
export function messageEvent(connectionId: string, routeKey: string, body: unknown): MessageEvent {
  return {
    requestContext: requestContext(connectionId, routeKey, 'MESSAGE'),
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/** The frame a two-way route sent back. */
export function frameOf(result: RouteResult): Record<string, unknown> {
  if (result.body === undefined) throw new Error(`route returned no body (status ${result.statusCode})`);
  return JSON.parse(result.body) as Record<string, unknown>;
}

export async function getRow(doc: DynamoDBDocumentClient, table: string, key: Record<string, string>) {
  return (await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
}

export async function membersOf(doc: DynamoDBDocumentClient, room: string): Promise<string[]> {
  const out = await doc.send(
    new QueryCommand({
      TableName: TABLES.roomMembers,
      KeyConditionExpression: 'room = :r',
      ExpressionAttributeValues: { ':r': room },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((i) => i.connectionId as string).sort();
}

export async function scanAll(doc: DynamoDBDocumentClient, table: string) {
  return (await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];
}

/**
 * Everything written to stdout (EMF, INFO/DEBUG logs) and stderr (Powertools prints WARN/ERROR
 * logs there) while `fn` runs, kept out of the test output. On Lambda both streams go to the
 * function's log group.
 */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[]; stderr: string[] }> {
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write);
  const chunks: string[][] = [[], []];
  streams.forEach((stream, i) => {
    stream.write = function (chunk: unknown, ...rest: unknown[]) {
      chunks[i].push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    } as typeof stream.write;
  });
  const lines = (i: number) => chunks[i].join('').split('\n').filter((l) => l.length > 0);
  try {
    const result = await fn();
    return { result, lines: lines(0), stderr: lines(1) };
  } finally {
    streams.forEach((stream, i) => (stream.write = originals[i]));
  }
}

export interface EmfDocument extends Record<string, unknown> {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }>;
  };
}

/** EMF documents among captured lines. */
export function emfDocuments(lines: readonly string[]): EmfDocument[] {
  const docs: EmfDocument[] = [];
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed._aws) docs.push(parsed as EmfDocument);
    } catch {
      // a log line that is not JSON
    }
  }
  return docs;
}
