import { accessSync, constants, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { UserError } from '../../src/errors.ts';
import { tableDefinitions } from '../functions/shared/tables.ts';

/**
 * DynamoDB for the emulator: dynalite on its own worker thread. dynalite answers ~1,400 calls/s
 * and is CPU-bound; on the gateway's thread it would stall every socket while it works.
 */

export interface LocalDynamoDb {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  close(): Promise<void>;
}

export interface StartDynamoDbOptions {
  /** LevelDB directory; in memory when absent. */
  path?: string;
  /** Tables to create and wait for (default: the reference stack's). */
  tables?: CreateTableCommandInput[];
  /** Credentials/region for the client that creates the tables (dynalite ignores them). */
  region?: string;
}

// CommonJS because an eval'd worker is a script; the dynalite path comes in workerData so the
// worker needs no module resolution of its own.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.dynalitePath);
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: workerData.path });
server.on('error', (err) => parentPort.postMessage({ type: 'error', message: String(err && err.message || err) }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
parentPort.on('message', (msg) => {
  if (msg && msg.type === 'close') {
    server.close(() => parentPort.postMessage({ type: 'closed' }));
  }
});
`;

export async function startDynamoDb(options: StartDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  if (options.path !== undefined) usableDirectory(options.path);
  const require = createRequire(import.meta.url);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { dynalitePath: require.resolve('dynalite'), path: options.path },
  });
  const port = await new Promise<number>((resolve, reject) => {
    const onMessage = (msg: { type: string; port?: number; message?: string }) => {
      if (msg.type === 'listening') resolve(msg.port!);
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
        worker.on('message', (msg: { type: string }) => {
          if (msg.type === 'closed') {
            clearTimeout(timer);
            resolve();
          }
        });
        worker.postMessage({ type: 'close' });
      });
      await worker.terminate();
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
    await Promise.race([createTables(endpoint, options.tables ?? tableDefinitions(), options.region ?? 'us-east-1'), died]);
  } catch (err) {
    await close();
    if (options.path === undefined) throw err;
    throw new UserError(`dynamodb.path: could not open a table store in ${options.path}: ${(err as Error).message}`);
  } finally {
    worker.off('exit', onExit!);
    died.catch(() => {});
  }
  return { endpoint, close };
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
