import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { RequestListener } from './in-process-call.ts';
import { IamAuthorizer } from '../iam/iam-authorizer.ts';
import { MeteringFront } from './metering-front.ts';
import type { FrontIam } from './front-iam.ts';
import { httpHandler } from './call-answer.ts';
import { MetricBatch } from './metric-batch.ts';
import { threadCpuClock } from '../lambda/environments/cpu-share.ts';
import type { DynamoWorkerInit, FromDynamoWorker, ToDynamoWorker } from './worker-messages.ts';
import type { ItemChange } from './streams/item-change.ts';

/**
 * The DynamoDB worker thread: dynalite and its metering front. dynalite answers ~1,400 calls/s
 * and is CPU-bound; on the gateway's thread it would stall every socket while it works.
 * dynalite keeps a loopback listener of its own only because closing that server is what closes
 * its store; every call reaches it in-process through the front.
 */

const init = workerData as DynamoWorkerInit;
const port = parentPort!;
const post = (m: FromDynamoWorker) => port.postMessage(m);

type DynaliteServer = import('node:http').Server;
const dynalite = createRequire(init.dynalitePath)(init.dynalitePath) as (options: Record<string, unknown>) => DynaliteServer;
const db = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: init.path });
const handler = db.listeners('request')[0] as RequestListener;

let front: MeteringFront;
// The thread's CPU rides along, for the stack's host-CPU accounting (host-cpu.ts).
const threadCpu = threadCpuClock() ?? (() => 0);
const batch = new MetricBatch(post, () => ({ ...front.counters, cpuMs: threadCpu() }));
const iam: FrontIam | undefined = init.iam && {
  authorizer: new IamAuthorizer(init.iam.mode, new Map(init.iam.grants.roles), init.iam.accountId),
  principals: new Map(init.iam.grants.sessions.map((s) => [s.token, s])),
  region: init.iam.region,
  onFirstDenial: (line) => post({ type: 'iam-line', line }),
};
// A stream table's changes go to the stack's thread as they are captured (one message per turn of this thread's loop at most).
const streams = init.streams?.length ? { specs: init.streams, post: (changes: ItemChange[]) => post({ type: 'stream-changes', changes }) } : undefined;
front = new MeteringFront({ dynalite: handler, sink: batch, throttleShare: init.throttleShare, ...(iam ? { iam } : {}), ...(streams ? { streams } : {}) });
const server = createServer(httpHandler(front.answer));

const fail = (err: unknown) => post({ type: 'error', message: String((err as Error)?.message ?? err) });
db.on('error', fail);
server.on('error', fail);
db.listen(0, '127.0.0.1', () => {
  server.listen(0, '127.0.0.1', () => post({ type: 'listening', port: (server.address() as AddressInfo).port }));
});

port.on('message', (m: ToDynamoWorker) => {
  if (m.type === 'call') return void front.answer(m.headers, m.body).then((answer) => post({ type: 'answer', id: m.id, answer }));
  if (m.type === 'iam-ledger') return post({ type: 'iam-ledger', id: m.id, records: iam?.authorizer.ledger.entries() ?? [] });
  if (m.type !== 'close') return;
  server.close();
  server.closeAllConnections();
  batch.stop();
  front.flushStreams();
  db.close(() => post({ type: 'closed' }));
});
