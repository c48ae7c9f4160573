import { accessSync, constants, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { UserError } from '../../common/errors.ts';
import type { MetricSink } from '../cloudwatch/types.ts';
import type { DynamoWorkerInit, FromDynamoWorker, ToDynamoWorker } from './worker-messages.ts';
import type { ItemChange } from './streams/item-change.ts';
import { metricBatchReader } from './metric-batch.ts';
import { errorAnswer, httpHandler } from './call-answer.ts';
import type { RequestHandler } from '../local-listener.ts';
import type { AccessRecord } from '../iam/access-ledger.ts';
import { siblingModule } from '../../common/package-paths.ts';
import { LocalTableStream } from './streams/local-table-stream.ts';
import type { StreamSpec } from './streams/stream-spec.ts';

/**
 * DynamoDB for the emulator: dynalite behind a metering front, both on their own worker thread
 * (see worker.ts). The front is the endpoint the functions reach: it publishes
 * AWS/DynamoDB metrics (consumed units, request counts, throttles) into the stack's metric store
 * and carries the throttle fault. A table with a stream has its writes captured on that thread
 * and its records kept here (streams/).
 */

export interface LocalDynamoDb {
  /** http://127.0.0.1:PORT — the metering front */
  endpoint: string;
  /** the same front for the edge on this thread: each call handed to the worker as a message, not over HTTP */
  handle: RequestHandler;
  /** every call a function's role was asked about, allowed or denied, with counts (none when IAM is off) */
  iamAccess(): Promise<AccessRecord[]>;
  /** data-plane calls received and throttled, and the worker thread's CPU ms, so far (as last reported by the worker) */
  stats(): { calls: number; throttled: number; cpuMs: number };
  /** the streams of the stream-enabled tables (options.streams), in that order */
  streams(): LocalTableStream[];
  close(): Promise<void>;
}

export interface StartDynamoDbOptions {
  /** LevelDB directory; in memory when absent. */
  path?: string;
  /** The stack's tables, created and waited for. */
  tables: CreateTableCommandInput[];
  /** Credentials/region for the client that creates the tables (dynalite ignores them). */
  region?: string;
  /** Where AWS/DynamoDB metrics go (none when absent). */
  metrics?: MetricSink;
  /** Share 0..1 of data-plane calls answered with ProvisionedThroughputExceededException. */
  throttleShare?: number;
  /** IAM (target.iam enforce or report): each function's session and its role's statements */
  iam?: DynamoWorkerInit['iam'];
  /** where a function's first denial is said (default stderr) */
  log?: (line: string) => void;
  /** the tables whose StreamSpecification is set (TableDescription.stream), each a table of `tables` */
  streams?: StreamSpec[];
  /** records a stream keeps at most (besides its 24 hours); default local-table-stream.ts's */
  streamRecordsKept?: number;
}

const WORKER_ENTRY = siblingModule(import.meta.url, 'worker');
let workerCode: Promise<string> | undefined;

/**
 * The thread's worker: the compiled module itself (dist/, the package), or, run as TypeScript (a
 * checkout, the tests), that source bundled once per process into plain CommonJS, the thread
 * having no TypeScript loader. Compiled, no stack start runs esbuild for it: about 0.7 CPU-s of
 * a stack's start went to esbuild's service bundling this file.
 */
async function newWorker(workerData: DynamoWorkerInit): Promise<Worker> {
  if (WORKER_ENTRY.endsWith('.js')) return new Worker(pathToFileURL(WORKER_ENTRY), { workerData });
  workerCode ??= import('esbuild')
    .then(({ build }) => build({ entryPoints: [WORKER_ENTRY], bundle: true, write: false, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' }))
    .then((r) => r.outputFiles[0]!.text);
  return new Worker(await workerCode, { eval: true, workerData });
}

export async function startDynamoDb(options: StartDynamoDbOptions): Promise<LocalDynamoDb> {
  if (options.path !== undefined) usableDirectory(options.path);
  const require = createRequire(import.meta.url);
  const streams = tableStreams(options);
  const init: DynamoWorkerInit = {
    dynalitePath: require.resolve('dynalite'),
    path: options.path,
    throttleShare: options.throttleShare ?? 0,
    ...(options.iam ? { iam: options.iam } : {}),
    ...(streams.length > 0 ? { streams: streams.map((s) => ({ tableName: s.tableName, viewType: s.viewType, arn: s.arn })) } : {}),
  };
  const streamOf = new Map(streams.map((s) => [s.tableName, s]));
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // what the worker was asked (a call, the IAM ledger), by id, until it answers
  const waiting = new Map<number, (msg: FromDynamoWorker) => void>();
  let asks = 0;
  const ask = (message: (id: number) => ToDynamoWorker): Promise<FromDynamoWorker> =>
    new Promise((resolve) => {
      const id = ++asks;
      waiting.set(id, resolve);
      worker.postMessage(message(id));
    });
  const worker = await newWorker(init);

  const counters = { calls: 0, throttled: 0, cpuMs: 0 };
  const read = options.metrics ? metricBatchReader(options.metrics) : undefined;
  worker.on('message', (msg: FromDynamoWorker) => {
    if (msg.type === 'data') {
      counters.calls = msg.calls;
      counters.throttled = msg.throttled;
      counters.cpuMs = msg.cpuMs;
    } else if (msg.type === 'stream-changes') appendChanges(streamOf, msg.changes);
    else if (msg.type === 'iam-line') log(msg.line);
    else if (msg.type === 'iam-ledger' || msg.type === 'answer') {
      waiting.get(msg.id)?.(msg);
      waiting.delete(msg.id);
    }
    read?.(msg);
  });

  const port = await new Promise<number>((resolve, reject) => {
    const onMessage = (msg: FromDynamoWorker) => {
      if (msg.type === 'listening') resolve(msg.port);
      else if (msg.type === 'error') reject(new Error(`dynalite: ${msg.message}`));
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`dynalite worker exited with code ${code} before listening`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Ask dynalite to close its store (matters for a LevelDB path), then end the thread.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        worker.on('message', (msg: FromDynamoWorker) => {
          if (msg.type === 'closed') {
            clearTimeout(timer);
            resolve();
          }
        });
        const bye: ToDynamoWorker = { type: 'close' };
        worker.postMessage(bye);
      });
      await worker.terminate();
      // what it was asked and never answered is answered now: no caller waits on a thread that is gone
      for (const answered of waiting.values()) answered({ type: 'closed' });
      waiting.clear();
    })();
    return closing;
  };

  // A store that fails to open kills the worker after it listened: race table creation against it.
  let onExit: ((code: number) => void) | undefined;
  const died = new Promise<never>((_, reject) => {
    onExit = (code) => reject(new Error(`dynalite stopped (exit code ${code})`));
    worker.once('exit', onExit);
  });
  try {
    await Promise.race([createTables(endpoint, options.tables, options.region ?? 'us-east-1'), died]);
  } catch (err) {
    await close();
    if (options.path === undefined) throw err;
    throw new UserError(`dynamodb.path: could not open a table store in ${options.path}: ${(err as Error).message}`);
  } finally {
    worker.off('exit', onExit!);
    died.catch(() => {});
  }
  const iamAccess = async (): Promise<AccessRecord[]> => {
    if (!options.iam || closing) return [];
    const msg = await ask((id) => ({ type: 'iam-ledger', id }));
    return msg.type === 'iam-ledger' ? msg.records : [];
  };
  const handle = httpHandler(async (headers, body) => {
    if (closing) return errorAnswer(500, 'InternalServerError', 'the local DynamoDB is closing');
    const msg = await ask((id) => ({ type: 'call', id, headers, body }));
    return msg.type === 'answer' ? msg.answer : errorAnswer(500, 'InternalServerError', 'the local DynamoDB closed before it answered');
  });
  return { endpoint, handle, stats: () => ({ ...counters }), iamAccess, streams: () => [...streams], close };
}

/** A stream per stream-enabled table; a stream naming no table of the stack is a one-line error. */
function tableStreams(options: StartDynamoDbOptions): LocalTableStream[] {
  return (options.streams ?? []).map((spec) => {
    const table = options.tables.find((t) => t.TableName === spec.tableName);
    if (!table) throw new UserError(`streams: ${spec.arn} is the stream of table ${spec.tableName}, which the stack does not have`);
    return new LocalTableStream(spec, { keySchema: table.KeySchema ?? [], ...(options.streamRecordsKept ? { retainRecords: options.streamRecordsKept } : {}) });
  });
}

/** The worker's changes, each to its table's stream, one append (and one wake-up of its readers) per stream. */
function appendChanges(streamOf: ReadonlyMap<string, LocalTableStream>, changes: ItemChange[]): void {
  const byTable = new Map<string, ItemChange[]>();
  for (const c of changes) {
    let list = byTable.get(c.table);
    if (!list) byTable.set(c.table, (list = []));
    list.push(c);
  }
  for (const [table, list] of byTable) streamOf.get(table)?.append(list);
}

/** The LevelDB directory must exist (it is created) and be writable: one clear line otherwise. */
function usableDirectory(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (err) {
    throw new UserError(`dynamodb.path: cannot use ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

async function createTables(endpoint: string, tables: CreateTableCommandInput[], region: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await Promise.all(
      tables.map((t) =>
        client.send(new CreateTableCommand(t)).catch((err: unknown) => {
          // A persistent store (path) already has its tables from the last run.
          if (!(err instanceof ResourceInUseException)) throw err;
        }),
      ),
    );
    await Promise.all(
      tables.map((t) =>
        waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 }, { TableName: t.TableName! }),
      ),
    );
  } finally {
    client.destroy();
  }
}
