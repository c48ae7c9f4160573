import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tableDefinitions, TABLE_DEFAULT_NAMES } from '../../reference-stack/functions/shared/tables.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { inProcessCall, type RequestListener } from '../../emulator/dynamodb/in-process-call.ts';
import { MeteringFront } from '../../emulator/dynamodb/metering-front.ts';
import { MetricBatch, metricBatchReader } from '../../emulator/dynamodb/metric-batch.ts';

/**
 * The front's own CPU per call, without HTTP or an SDK client in the way: the same request bodies
 * handed to dynalite's handler directly, then to the front (which hands them to the same handler),
 * one call at a time, alternating rounds, this process's CPU time around each round. The front's
 * HTTP server is not counted: it replaces dynalite's, which is not counted either.
 *
 *   npx tsx bench/dynamodb-front/in-process.ts [--calls 5000] [--rounds 5]
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CALLS = arg('calls', 5000);
const ROUNDS = arg('rounds', 5);

const dynalite = createRequire(import.meta.url)('dynalite') as (o: Record<string, unknown>) => Server;
const handler = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }).listeners('request')[0] as RequestListener;
const store = new MetricStore();
let front: MeteringFront;
const batch = new MetricBatch(metricBatchReader(store), () => ({ ...front.counters, cpuMs: 0 }));
front = new MeteringFront({ dynalite: handler, sink: batch, throttleShare: 0 });

const headers = (op: string) => ({
  'content-type': 'application/x-amz-json-1.0',
  'x-amz-target': `DynamoDB_20120810.${op}`,
  authorization: 'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
  'x-amz-date': '20260101T000000Z',
});
for (const def of tableDefinitions()) await inProcessCall(handler, headers('CreateTable'), JSON.stringify(def));
const S = (s: string) => ({ S: s });
for (let i = 0; i < 20; i++) {
  await inProcessCall(handler, headers('PutItem'), JSON.stringify({ TableName: TABLE_DEFAULT_NAMES.roomMembers, Item: { room: S('r'), connectionId: S(`c-${i}`), joinedAt: { N: '1' } } }));
}
await inProcessCall(handler, headers('PutItem'), JSON.stringify({ TableName: TABLE_DEFAULT_NAMES.connections, Item: { connectionId: S('c-0'), connectedAt: { N: '1' }, name: S('n') } }));

let seq = 0;
function request(i: number): [Record<string, string>, string] {
  switch (i % 5) {
    case 0:
      return [headers('GetItem'), JSON.stringify({ TableName: TABLE_DEFAULT_NAMES.roomMembers, Key: { room: S('r'), connectionId: S('c-0') }, ConsistentRead: true })];
    case 1:
      return [headers('GetItem'), JSON.stringify({ TableName: TABLE_DEFAULT_NAMES.connections, Key: { connectionId: S('c-0') }, ConsistentRead: true })];
    case 2:
      return [
        headers('Query'),
        JSON.stringify({ TableName: TABLE_DEFAULT_NAMES.roomMembers, KeyConditionExpression: 'room = :r', ExpressionAttributeValues: { ':r': S('r') }, ConsistentRead: true }),
      ];
    case 3:
      return [
        headers('PutItem'),
        JSON.stringify({ TableName: TABLE_DEFAULT_NAMES.messages, Item: { room: S('r'), sk: S(`${Date.now()}#${seq++}`), from: S('c-0'), name: S('n'), payloadJson: S('x'.repeat(200)) } }),
      ];
    default:
      return [headers('PutItem'), JSON.stringify({ TableName: TABLE_DEFAULT_NAMES.roomMembers, Item: { room: S('r2'), connectionId: S(`c-${seq++ % 50}`), joinedAt: { N: '1' } } })];
  }
}

async function round(viaFront: boolean): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    const [h, body] = request(i);
    const answer = viaFront ? await front.answer(h, body) : await inProcessCall(handler, h, body);
    if (answer.status !== 200) throw new Error(`${answer.status} ${answer.body}`);
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / CALLS;
}

await round(false);
await round(true);
const diffs: number[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  const direct = await round(false);
  const viaFront = await round(true);
  diffs.push(viaFront - direct);
  console.log(`round ${r}: dynalite ${direct.toFixed(0)} µs CPU/call, front + dynalite ${viaFront.toFixed(0)} µs, front ${(viaFront - direct).toFixed(0)} µs`);
}
const sorted = [...diffs].sort((a, b) => a - b);
console.log(`median over ${ROUNDS} rounds of ${CALLS} calls: the front's own work is ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} µs of CPU per call (rounds ${sorted[0].toFixed(0)}…${sorted[sorted.length - 1].toFixed(0)})`);
batch.stop();
process.exit(0);
