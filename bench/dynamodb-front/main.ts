import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_DEFAULT_NAMES, tableDefinitions } from '../../reference-stack/functions/shared/tables.ts';

/**
 * CPU the DynamoDB metering front adds per call. A child process runs dynalite and the front on
 * one thread (server.ts); this process sends the same mix of calls through the real SDK, first
 * straight to dynalite, then through the front, alternating rounds, and reads the child's CPU
 * time before and after each. The mix is sendMessage's (2 GetItem, 1 Query of a 20-member room,
 * 1 history PutItem) plus a member PutItem on the table with a global index (the front's
 * ReturnValues: ALL_OLD path).
 *
 *   npx tsx bench/dynamodb-front/main.ts [--calls 4000] [--rounds 3]
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CALLS = arg('calls', 4000);
const ROUNDS = arg('rounds', 3);
const IN_FLIGHT = 16;

const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./server.ts', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout! });
const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
const ports = JSON.parse(await next()) as { direct: number; front: number };
const cpuUs = async () => {
  child.stdin!.write('cpu\n');
  return (JSON.parse(await next()) as { cpuUs: number }).cpuUs;
};

const client = (port: number) =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 }),
  );
const direct = client(ports.direct);
const front = client(ports.front);

for (const def of tableDefinitions()) await direct.send(new CreateTableCommand(def));
const members = Array.from({ length: 20 }, (_, i) => ({ room: 'r', connectionId: `c-${i}`, joinedAt: 1 }));
await direct.send(new BatchWriteCommand({ RequestItems: { [TABLE_DEFAULT_NAMES.roomMembers]: members.map((Item) => ({ PutRequest: { Item } })) } }));
await direct.send(new PutCommand({ TableName: TABLE_DEFAULT_NAMES.connections, Item: { connectionId: 'c-0', connectedAt: 1, name: 'n' } }));

let seq = 0;
function call(ddb: DynamoDBDocumentClient, i: number) {
  switch (i % 5) {
    case 0:
      return ddb.send(new GetCommand({ TableName: TABLE_DEFAULT_NAMES.roomMembers, Key: { room: 'r', connectionId: 'c-0' }, ConsistentRead: true }));
    case 1:
      return ddb.send(new GetCommand({ TableName: TABLE_DEFAULT_NAMES.connections, Key: { connectionId: 'c-0' }, ConsistentRead: true }));
    case 2:
      return ddb.send(
        new QueryCommand({ TableName: TABLE_DEFAULT_NAMES.roomMembers, KeyConditionExpression: 'room = :r', ExpressionAttributeValues: { ':r': 'r' }, ConsistentRead: true }),
      );
    case 3:
      return ddb.send(
        new PutCommand({ TableName: TABLE_DEFAULT_NAMES.messages, Item: { room: 'r', sk: `${Date.now()}#${seq++}`, from: 'c-0', name: 'n', payloadJson: 'x'.repeat(200) } }),
      );
    default:
      return ddb.send(new PutCommand({ TableName: TABLE_DEFAULT_NAMES.roomMembers, Item: { room: 'r2', connectionId: `c-${seq++ % 50}`, joinedAt: 1 } }));
  }
}

async function run(ddb: DynamoDBDocumentClient): Promise<{ cpuUsPerCall: number; callsPerSec: number }> {
  const before = await cpuUs();
  const started = performance.now();
  let i = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (i < CALLS) await call(ddb, i++);
  }));
  const seconds = (performance.now() - started) / 1000;
  return { cpuUsPerCall: ((await cpuUs()) - before) / CALLS, callsPerSec: CALLS / seconds };
}

await run(direct); // warm-up: JIT, table pages
await run(front);
const results: Array<{ round: number; direct: number; front: number; directRate: number; frontRate: number }> = [];
for (let round = 1; round <= ROUNDS; round++) {
  const d = await run(direct);
  const f = await run(front);
  results.push({ round, direct: d.cpuUsPerCall, front: f.cpuUsPerCall, directRate: d.callsPerSec, frontRate: f.callsPerSec });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const r of results) {
  console.log(
    `round ${r.round}: dynalite alone ${r.direct.toFixed(0)} µs CPU/call (${r.directRate.toFixed(0)} calls/s), through the front ${r.front.toFixed(0)} µs (${r.frontRate.toFixed(0)} calls/s), front adds ${(r.front - r.direct).toFixed(0)} µs`,
  );
}
console.log(
  `median over ${ROUNDS} rounds of ${CALLS} calls: dynalite alone ${median(results.map((r) => r.direct)).toFixed(0)} µs, through the front ${median(results.map((r) => r.front)).toFixed(0)} µs, front adds ${median(results.map((r) => r.front - r.direct)).toFixed(0)} µs of CPU per call`,
);
direct.destroy();
front.destroy();
child.stdin!.end();
