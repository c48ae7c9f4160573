import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import type { RequestListener } from '../../emulator/dynamodb/in-process-call.ts';
import { MeteringFront } from '../../emulator/dynamodb/metering-front.ts';
import { httpHandler } from '../../emulator/dynamodb/call-answer.ts';
import { MetricBatch, metricBatchReader } from '../../emulator/dynamodb/metric-batch.ts';

/**
 * The measured process: dynalite and the metering front on one thread, as in the emulator's
 * DynamoDB worker, except that the metric batches go straight into a MetricStore here (the
 * emulator posts them to the stack's thread, which stores them: both halves are counted).
 * Prints {"direct":PORT,"front":PORT}; answers "cpu" on stdin with its CPU µs so far.
 */
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (o: Record<string, unknown>) => Server;
const db = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const store = new MetricStore();
let front: MeteringFront;
const batch = new MetricBatch(metricBatchReader(store), () => ({ ...front.counters, cpuMs: 0 }));
front = new MeteringFront({ dynalite: db.listeners('request')[0] as RequestListener, sink: batch, throttleShare: 0 });
const frontServer = createServer(httpHandler(front.answer));

db.listen(0, '127.0.0.1', () => {
  frontServer.listen(0, '127.0.0.1', () => {
    const port = (s: Server) => (s.address() as AddressInfo).port;
    process.stdout.write(`${JSON.stringify({ direct: port(db), front: port(frontServer) })}\n`);
  });
});

process.stdin.setEncoding('utf8');
process.stdin.on('data', (line: string) => {
  if (line.trim() === 'cpu') {
    const u = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpuUs: u.user + u.system })}\n`);
  }
});
process.stdin.on('end', () => process.exit(0));
