/**
 * The floor under the local stack: what the reference functions' own work allows on this host,
 * with nothing of the emulator around it.
 *
 * The connect, join-room and send-message handlers are called directly in plain worker threads,
 * one event at a time per thread as in an execution environment, as many threads per function as
 * the emulator's host cap gives it at its default memory size, each loaded before it is needed,
 * against the emulator's DynamoDB thread (dynalite and its metering front). Their @connections
 * posts reach a minimal endpoint in this thread that writes each one to a WebSocket; the clients'
 * sockets are held by one more thread, which parses every frame and times it from its intended
 * send time. Left out: the gateway and its routing, the Lambda runtime (REPORT lines, logs, the
 * CPU-share model, cold starts, host caps, held-back invocations), CloudWatch, and the harness's
 * own measuring and reporting.
 *
 * It runs the capacity scenario's phases (bench/emulator-capacity/capacity.yaml) in order: 2,000
 * connects at 450/s, 2,000 joins at 600/s into 20 rooms of 100, then 2,500 and 1,250 deliveries/s
 * for 15 s each; then the best case, the joins and deliveries again once their threads have run
 * for `--warm-up` seconds. A whole local stack with its harness on the same host can only do less
 * than this: where the floor misses a capacity target, no emulator that gives each environment its
 * own thread and runs these handlers, their SDK calls and dynalite on this host can meet it.
 *
 *   npx tsx bench/emulator-capacity/floor.ts [--write] [--warm-up 30] [--iam off|enforce]
 *
 * `--iam enforce` runs the handlers as the stack does under enforcement: each thread with its
 * function's session, DynamoDB asking IAM about every call, the endpoint every post, against the
 * reference stack's roles (default off).
 *
 * Run it with the emulated runtime's Node (`.cache/node/v22.23.3/bin/node --import tsx …`) to
 * measure what the default stack runs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { bundleThreads } from '../thread-bundles.ts';
import { WebSocketServer, type WebSocket } from 'ws';
import { FUNCTION_ENV, FUNCTIONS } from '../../reference-stack/functions/manifest.ts';
import { ROOM_METADATA_SK } from '../../reference-stack/functions/shared/protocol.ts';
import { TABLE_DEFAULT_NAMES, tableDefinitions } from '../../reference-stack/functions/shared/tables.ts';
import { startDynamoDb } from '../../emulator/dynamodb/dynamodb-thread.ts';
import {
  connectEvent as gatewayConnectEvent,
  messageEvent as gatewayMessageEvent,
  type ApiIdentity,
  type ClientInfo,
} from '../../emulator/gateway/events.ts';
import { handshakeRequest } from '../../emulator/gateway/handshake-request.ts';
import { stackEnvironment } from '../../emulator/function-environment.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { setUpIam } from '../../emulator/iam/iam-setup.ts';
import { IamGate } from '../../emulator/iam/iam-gate.ts';
import { ConnectionsAccess } from '../../emulator/gateway/connections-access.ts';
import { ONE_VCPU_MB } from '../../emulator/lambda/environments/cpu-share.ts';
import { functionEnvironmentCap } from '../../emulator/lambda/pool/function-environment-cap.ts';
import { DEFAULTS as LAMBDA_DEFAULTS, LOCAL_CREDENTIALS } from '../../emulator/lambda/options.ts';
import { decodeHistogram, newHistogram, type Histogram } from '../../src/metrics/measurement/histogram.ts';
import { blockMarkers, tsxCommand, writeResultsBlock } from '../results-block.ts';
import type { FromReceivers, ReceiversInit } from './floor-receivers.ts';
import type { FloorReply, FloorRequest, FloorRoute } from './floor-worker.ts';

const usage = (problem: string): never => {
  process.stderr.write(`floor: ${problem} (usage: floor.ts [--write] [--warm-up <seconds>] [--iam off|enforce])\n`);
  process.exit(2);
};
let values: { write?: boolean; 'warm-up'?: string; iam?: string } = {};
try {
  ({ values } = parseArgs({ options: { write: { type: 'boolean', default: false }, 'warm-up': { type: 'string', default: '30' }, iam: { type: 'string', default: 'off' } } }));
} catch (err) {
  usage((err as Error).message);
}
const WARM_UP_SECONDS = Number(values['warm-up']);
if (!Number.isInteger(WARM_UP_SECONDS) || WARM_UP_SECONDS < 1 || WARM_UP_SECONDS > 300) usage('--warm-up must be a whole number of seconds from 1 to 300');
if (values.iam !== 'off' && values.iam !== 'enforce') usage('--iam must be off or enforce');
const IAM = values.iam === 'enforce';

// The capacity scenario (capacity.yaml) and its targets.
const CLIENTS = 2_000;
const ROOMS = 20;
const ROOM_SIZE = CLIENTS / ROOMS;
const CONNECT_RATE = 450;
const JOIN_RATE = 600;
const MESSAGE_RATES = [25, 12.5]; // messages/s into rooms of 100: 2,500 and 1,250 deliveries/s
const SEND_SECONDS = 15;
const BEST_CASE_SECONDS = 10;
const REGION = 'us-east-1';
const STAGE = 'local';
// The events' source, declared here: the phases below run at the top level before later lines.
/** Where the events say they came from, as the emulator's gateway names its stage. */
const API: ApiIdentity = { apiId: 'floorlocal', stage: STAGE, domainName: '127.0.0.1' };
/** The handshake as the gateway passes it on to $connect: the client's headers plus the gateway's, its URL. */
const HANDSHAKE = handshakeRequest({ rawHeaders: ['Host', '127.0.0.1', 'Sec-WebSocket-Version', '13'], url: '/' } as unknown as IncomingMessage, '127.0.0.1', API.domainName, Date.now());
const client = (connectionId: string): ClientInfo => ({ connectionId, connectedAt: Date.now(), sourceIp: '127.0.0.1', userAgent: 'fanout-bench floor' });

/** Threads per function: the emulator's host cap for it at its default memory size, on this host. */
const threadsFor = (name: string, memoryMB = FUNCTIONS.find((f) => f.name === name)!.memoryMB): number =>
  functionEnvironmentCap(memoryMB, LAMBDA_DEFAULTS.hostEnvironmentsPerCore);

interface Row {
  what: string;
  threads: number;
  offeredPerSecond: number | undefined;
  done: number;
  donePerSecond: number;
  /** connects and joins: wall time from the first intended call to the last answer ÷ paced time */
  wallOverPaced: number | undefined;
  /** process CPU ÷ wall time: cores kept busy */
  coresBusy: number;
  cpuMsPerOp: number;
  /** of which the handlers' own threads (the rest: DynamoDB, the endpoint, the sockets, V8's helpers) */
  handlerCpuMsPerOp: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// --- the pieces: DynamoDB, the @connections endpoint, the clients' sockets

const dir = await mkdtemp(join(tmpdir(), 'fb-floor-'));
// The reference stack as the emulator describes it, its roles included (the events' API and stage)
const described = await describeStack(defaultStackConfig({ region: REGION, apiId: API.apiId, stage: STAGE }), (line) => process.stderr.write(`${line}\n`));
await described.dispose();
const reference = described.stack;
const grants = IAM ? setUpIam(reference.functions, 'enforce', (line) => process.stderr.write(`${line}\n`)) : undefined;
const sessionOf = new Map(grants?.sessions.map((x) => [x.function, x.token]));
const iamGate = grants && new IamGate('enforce', grants, REGION, '000000000000', (line) => process.stderr.write(`${line}\n`));
const connectionsAccess = iamGate && new ConnectionsAccess(iamGate, API.apiId, STAGE);
const db = await startDynamoDb({ tables: tableDefinitions(), region: REGION, ...(grants ? { iam: { mode: 'enforce', grants, region: REGION, accountId: '000000000000' } } : {}) });
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: db.endpoint, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
);
const sockets = new Map<string, WebSocket>();
const endpoint = createServer(postToConnection);
const wss = new WebSocketServer({ server: endpoint });
wss.on('connection', (ws, req) => {
  const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id');
  if (id) sockets.set(id, ws);
});
await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
const workers: Worker[] = [];

try {
  const [workerPath, receiversPath] = await bundle(dir);
  const rows: Row[] = [];
  const clients = Array.from({ length: CLIENTS }, (_, i) => `c${i}`);
  const roomOf = (i: number) => `s${i % ROOMS}`;
  const receivers = await openReceivers(receiversPath, clients);

  // 1. The capacity scenario's phases, each function's threads new (loaded, never invoked).
  const connecting = await threads(workerPath, threadsFor('fanout-connect'), 'fanout-connect');
  rows.push(await openLoop('connects at 450/s (scenario)', connecting, 'connect', CONNECT_RATE, CLIENTS, (i) => connectEvent(clients[i]!)));
  for (let r = 0; r < ROOMS; r++) await makeRoom(`s${r}`);
  const joining = await threads(workerPath, threadsFor('fanout-join-room'), 'fanout-join-room');
  rows.push(await openLoop('joins at 600/s (scenario)', joining, 'joinRoom', JOIN_RATE, CLIENTS, (i) => joinEvent(clients[i]!, roomOf(i))));
  // The same joins on as few threads as join-room gets at 1,769 MB (a full vCPU, nothing
  // stretched): what fewer isolates to warm up would save. Into rooms of their own.
  const fewer = await threads(workerPath, threadsFor('fanout-join-room', ONE_VCPU_MB), 'fanout-join-room');
  for (let r = 0; r < ROOMS; r++) await makeRoom(`f${r}`);
  rows.push(
    await openLoop(`joins at 600/s, threads as at ${ONE_VCPU_MB} MB`, fewer, 'joinRoom', JOIN_RATE, CLIENTS, (i) => joinEvent(randomUUID(), `f${i % ROOMS}`)),
  );
  await stop(fewer);
  const sending = await threads(workerPath, threadsFor('fanout-send-message'), 'fanout-send-message');
  let sent = 0;
  const sendEvent = (intended: number) => {
    const r = sent++ % ROOMS;
    return messageEvent(clients[r]!, 'sendMessage', { action: 'sendMessage', room: `s${r}`, payload: { t: intended, pad: 'x'.repeat(40) } });
  };
  for (const rate of MESSAGE_RATES) {
    const count = Math.round(rate * SEND_SECONDS);
    const m = await openLoop(`deliveries at ${rate * ROOM_SIZE}/s for ${SEND_SECONDS} s (scenario)`, sending, 'sendMessage', rate, count, (_, t) => sendEvent(t));
    rows.push(await deliveries(m, receivers, rate));
  }

  // 2. The best case: the same work once each function's threads have run for WARM_UP_SECONDS.
  // Rooms of 100 for up to 1,000 joins/s; a faster host goes round them again, past 100 members.
  const warmRooms = Math.ceil((1_000 * (WARM_UP_SECONDS + BEST_CASE_SECONDS)) / ROOM_SIZE);
  for (let r = 0; r < warmRooms; r++) await makeRoom(`w${r}`);
  let warmJoins = 0;
  const warmJoin = () => joinEvent(randomUUID(), `w${Math.floor(warmJoins++ / ROOM_SIZE) % warmRooms}`);
  await closedLoop('', joining, 'joinRoom', WARM_UP_SECONDS, warmJoin);
  rows.push(await closedLoop(`joins as fast as they go, after ${WARM_UP_SECONDS} s warm`, joining, 'joinRoom', BEST_CASE_SECONDS, warmJoin));
  await closedLoop('', sending, 'sendMessage', WARM_UP_SECONDS, () => sendEvent(now()));
  await receivers.collect();
  const max = await closedLoop(`deliveries as fast as they go, after ${WARM_UP_SECONDS} s warm`, sending, 'sendMessage', BEST_CASE_SECONDS, () => sendEvent(now()));
  rows.push(await deliveries(max, receivers, undefined));
  // what IAM was asked, so a run under --iam enforce shows its checks happened
  const asked = iamGate ? [...(await db.iamAccess()), ...iamGate.authorizer.ledger.entries()] : [];
  report(rows, asked.reduce((n, r) => n + r.count, 0), asked.filter((r) => r.decision !== 'allowed').reduce((n, r) => n + r.count, 0));
} finally {
  await Promise.all(workers.map((w) => w.terminate()));
  for (const ws of sockets.values()) ws.terminate();
  wss.close();
  endpoint.close();
  await db.close();
  await rm(dir, { recursive: true, force: true });
}

// --- the function threads

interface Pool {
  workers: Worker[];
  call(w: Worker, route: FloorRoute, event: unknown): Promise<Extract<FloorReply, { t: 'done' }>>;
  /** The threads' CPU so far, ms (as each last reported it). */
  cpuMs(): number;
}

/** `count` threads for `functionName`, resolved once every one has loaded the handlers. */
async function threads(path: string, count: number, functionName: string): Promise<Pool> {
  // What the emulator gives a function, less what only its runtime adds (REPORT-line names and
  // the like): its template's variables, the stack's endpoints, the dummy credentials, the region;
  // CALLBACK_URL is this bench's @connections, where the runtime would send the AWS URL.
  const env = {
    ...reference.functions.find((f) => f.name === functionName)?.environment,
    ...stackEnvironment({ dynamodb: db.endpoint }),
    [FUNCTION_ENV.callbackUrl]: `${base}/${STAGE}`,
    ...LOCAL_CREDENTIALS,
    AWS_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    ...(sessionOf.has(functionName) ? { AWS_SESSION_TOKEN: sessionOf.get(functionName)! } : {}),
  };
  const pending = new Map<number, (r: Extract<FloorReply, { t: 'done' }>) => void>();
  const threadCpu = new Map<Worker, number>();
  const ready: Promise<void>[] = [];
  let nextId = 0;
  const pool: Worker[] = [];
  for (let i = 0; i < count; i++) {
    const w = new Worker(path, { env });
    ready.push(
      new Promise((resolve, reject) => {
        w.on('message', (r: FloorReply) => {
          threadCpu.set(w, r.cpuMs); // from loading on: a window's share is its difference
          if (r.t === 'ready') return resolve();
          pending.get(r.id)?.(r);
          pending.delete(r.id);
        });
        w.once('error', reject);
      }),
    );
    workers.push(w);
    pool.push(w);
  }
  await Promise.all(ready);
  return {
    workers: pool,
    call: (w, route, event) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        w.postMessage({ id, route, event } satisfies FloorRequest);
      }),
    cpuMs: () => [...threadCpu.values()].reduce((a, b) => a + b, 0),
  };
}

/** Fails the benchmark on an answer the scenario would count as an error. */
function check(route: FloorRoute, reply: { statusCode: number; body: string }): void {
  const type = route === 'connect' ? undefined : (JSON.parse(reply.body || '{}') as { type?: string }).type;
  const ok = reply.statusCode === 200 && (route === 'connect' || type === (route === 'joinRoom' ? 'joined' : 'sent'));
  if (!ok) throw new Error(`floor: ${route} answered ${reply.statusCode} ${reply.body}`);
}

async function stop(pool: Pool): Promise<void> {
  await Promise.all(pool.workers.map((w) => w.terminate()));
}

/** Every thread calls as fast as it is answered, for `seconds`. */
async function closedLoop(what: string, pool: Pool, route: FloorRoute, seconds: number, make: () => unknown): Promise<Row> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const start = measureFrom(pool);
  await Promise.all(
    pool.workers.map(async (w) => {
      while (performance.now() < end) {
        check(route, await pool.call(w, route, make()));
        done++;
      }
    }),
  );
  return start.row(what, undefined, done, undefined);
}

/**
 * `total` calls offered at `rate` per second (open model: each has an intended time, and its
 * latency counts from it), each taken by whichever thread is free; a call nobody is free for waits.
 */
async function openLoop(
  what: string,
  pool: Pool,
  route: FloorRoute,
  rate: number,
  total: number,
  make: (i: number, intended: number) => unknown,
): Promise<Row> {
  const latency = newHistogram();
  const queue: Array<{ i: number; intended: number }> = [];
  const idle = [...pool.workers];
  let offered = 0;
  let done = 0;
  const start = measureFrom(pool);
  const t0 = now();
  const run = (w: Worker, i: number, intended: number): void => {
    void pool.call(w, route, make(i, intended)).then((reply) => {
      check(route, reply);
      latency.recordValue(Math.max(1, Math.round((now() - intended) * 1000)));
      done++;
      const next = queue.shift();
      if (next) run(w, next.i, next.intended);
      else idle.push(w);
    });
  };
  while (offered < total) {
    const due = Math.min(total, Math.floor(((now() - t0) / 1000) * rate) + 1);
    for (; offered < due; offered++) {
      const intended = t0 + (offered / rate) * 1000;
      const w = idle.pop();
      if (w) run(w, offered, intended);
      else queue.push({ i: offered, intended });
    }
    await sleep(2);
  }
  // Bounded: a call still unanswered 60 s after the last was due fails the benchmark.
  const deadline = now() + 60_000;
  while (done < total && now() < deadline) await sleep(2);
  if (done < total) throw new Error(`floor: ${total - done} of ${total} ${route} calls unanswered 60 s after the last was due`);
  const row = start.row(what, rate, done, latency);
  row.wallOverPaced = (now() - t0) / ((total / rate) * 1000);
  latency.destroy();
  return row;
}

/** Starts a measurement window: process CPU, the pool's threads' CPU and wall time. */
function measureFrom(pool: Pool) {
  const cpu0 = process.cpuUsage();
  const threads0 = pool.cpuMs();
  const t0 = now();
  return {
    row(what: string, rate: number | undefined, done: number, latency: Histogram | undefined): Row {
      const wallMs = now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      return {
        what,
        threads: pool.workers.length,
        offeredPerSecond: rate,
        done,
        donePerSecond: (done / wallMs) * 1000,
        wallOverPaced: undefined,
        coresBusy: cpuMs / wallMs,
        cpuMsPerOp: cpuMs / done,
        handlerCpuMsPerOp: (pool.cpuMs() - threads0) / done,
        p50Ms: latency ? latency.getValueAtPercentile(50) / 1000 : undefined,
        p99Ms: latency ? latency.getValueAtPercentile(99) / 1000 : undefined,
      };
    },
  };
}

// --- the clients' sockets

interface Receivers {
  /** Deliveries since the last collect, and their latency. */
  collect(): Promise<{ received: number; histogram: Histogram }>;
}

async function openReceivers(path: string, ids: string[]): Promise<Receivers> {
  const w = new Worker(path, { workerData: { url: `${base.replace('http', 'ws')}/`, ids } satisfies ReceiversInit });
  workers.push(w);
  await new Promise<void>((resolve, reject) => {
    w.once('message', (m: FromReceivers) => (m.t === 'open' ? resolve() : reject(new Error('floor: the clients did not open'))));
    w.once('error', reject);
  });
  return {
    // Every post was answered before its handler returned, so its frame is on the socket
    // already; a moment lets the clients' thread read the last of them.
    collect: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('floor: the clients\' thread did not answer in 10 s')), 10_000);
        w.once('error', reject);
        w.once('message', (m: FromReceivers) => {
          clearTimeout(timer);
          w.off('error', reject);
          if (m.t === 'collected') resolve({ received: m.received, histogram: m.histogram ? decodeHistogram(m.histogram) : newHistogram() });
        });
        setTimeout(() => w.postMessage({ t: 'collect' }), 500);
      }),
  };
}

/** A sendMessage row restated per delivery, with the clients' latency; every message owes ROOM_SIZE. */
async function deliveries(m: Row, receivers: Receivers, rate: number | undefined): Promise<Row> {
  const got = await receivers.collect();
  if (got.received !== m.done * ROOM_SIZE) throw new Error(`floor: ${got.received} deliveries arrived for ${m.done} messages to rooms of ${ROOM_SIZE}`);
  const row: Row = {
    ...m,
    offeredPerSecond: rate === undefined ? undefined : rate * ROOM_SIZE,
    done: got.received,
    donePerSecond: m.donePerSecond * ROOM_SIZE,
    cpuMsPerOp: m.cpuMsPerOp / ROOM_SIZE,
    handlerCpuMsPerOp: m.handlerCpuMsPerOp / ROOM_SIZE,
    p50Ms: got.histogram.getValueAtPercentile(50) / 1000,
    p99Ms: got.histogram.getValueAtPercentile(99) / 1000,
  };
  got.histogram.destroy();
  return row;
}

/** POST /{stage}/@connections/{id}: the frame to that client's socket, or 410 Gone. */
function postToConnection(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const id = decodeURIComponent((req.url ?? '').split('/@connections/')[1] ?? '');
    const ws = sockets.get(id);
    const refusal = connectionsAccess?.refuses('POST', req.headers);
    if (refusal !== undefined) {
      res.writeHead(403, { 'x-amzn-ErrorType': 'AccessDeniedException', 'content-type': 'application/json' }).end(JSON.stringify({ Message: refusal }));
      return;
    }
    if (req.method !== 'POST' || !ws) {
      res.writeHead(410, { 'x-amzn-ErrorType': 'GoneException', 'content-type': 'application/json' }).end('{"message":"Gone"}');
      return;
    }
    ws.send(Buffer.concat(chunks));
    res.writeHead(200, { 'content-length': '0' }).end();
  });
}

// --- the events and fixtures

async function makeRoom(room: string): Promise<void> {
  await doc.send(new PutCommand({ TableName: TABLE_DEFAULT_NAMES.messages, Item: { room, sk: ROOM_METADATA_SK, createdAt: Date.now(), createdBy: 'floor' } }));
}

// The events the emulator's gateway builds, from its own builders: the handlers get the same input.
function connectEvent(connectionId: string) {
  return gatewayConnectEvent(API, client(connectionId), HANDSHAKE, randomUUID(), Date.now());
}

function messageEvent(connectionId: string, routeKey: string, body: unknown) {
  return gatewayMessageEvent(API, client(connectionId), routeKey, Buffer.from(JSON.stringify(body)), false, randomUUID(), Date.now());
}

function joinEvent(connectionId: string, room: string) {
  return messageEvent(connectionId, 'joinRoom', { action: 'joinRoom', room });
}

/** The thread entries bundled to plain JS (as the emulator bundles the functions), into `out`. */
async function bundle(out: string): Promise<[string, string]> {
  const entry = (name: string) => fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const [worker, receivers] = await bundleThreads(out, [entry('floor-worker'), entry('floor-receivers')]);
  return [worker!, receivers!];
}

// --- the record

function report(rows: Row[], iamCalls: number, iamDenied: number): void {
  const n = (v: number | undefined, digits = 1) => (v === undefined ? '—' : v.toFixed(digits));
  const lines = [
    "## Emulator: the floor under it (the functions' own work, nothing of the emulator)",
    '',
    'The reference connect, join-room and send-message handlers called directly in plain worker',
    'threads, one event at a time per thread, as many threads per function as the emulator\'s host',
    'cap gives it, against the emulator\'s DynamoDB thread (dynalite and its metering front); their',
    'posts go to WebSockets that one more thread reads and times. No gateway, no Lambda runtime (no',
    'REPORT lines, logs, CPU-share model, cold starts or held-back invocations), no CloudWatch, no',
    'harness. The capacity scenario\'s phases first, on threads that had run nothing yet; then the',
    'best case, once the same threads had run for a while. A whole local stack and its harness on',
    'this host can only do less.',
    '',
    `- command: \`${tsxCommand()} bench/emulator-capacity/floor.ts --write --warm-up ${WARM_UP_SECONDS}${IAM ? ' --iam enforce' : ''}\``,
    ...(IAM ? [`- iam: enforce, ${iamCalls} calls authorized against the reference stack's roles, ${iamDenied} denied`] : []),
    `- measured: ${new Date().toISOString()}; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `- machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version} (the handlers run on it)`,
    '',
    "| what | threads | offered /s | done /s | wall ÷ paced | cores busy | process CPU ms per op | of which the handlers' threads | latency p50 ms | latency p99 ms |",
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.what} | ${r.threads} | ${r.offeredPerSecond ?? '—'} | ${r.donePerSecond.toFixed(0)} | ${r.wallOverPaced === undefined ? '—' : `${r.wallOverPaced.toFixed(2)}×`} | ${r.coresBusy.toFixed(2)} | ${r.cpuMsPerOp.toFixed(3)} | ${r.handlerCpuMsPerOp.toFixed(3)} | ${n(r.p50Ms)} | ${n(r.p99Ms)} |`,
    ),
    '',
    "Latency: connects and joins from the intended time to the handler's answer; deliveries from the",
    "intended send time to the client's socket. Process CPU is every thread of this process (the",
    "handlers' threads, DynamoDB, the endpoint and the sockets, V8's helpers).",
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.write) writeResultsBlock(new URL('../RESULTS.md', import.meta.url).pathname, blockMarkers('floor', 'bench/emulator-capacity/floor.ts'), lines);
}
