import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
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

  try {
    await createTables(endpoint, options.tables ?? tableDefinitions(), options.region ?? 'us-east-1');
  } catch (err) {
    await close();
    throw err;
  }
  return { endpoint, close };
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
