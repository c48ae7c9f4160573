import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  TrimmedDataAccessException,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { UserError } from '../../common/errors.ts';
import { startDynamoDb, type LocalDynamoDb } from '../../emulator/dynamodb/dynamodb-thread.ts';
import { LocalTableStream } from '../../emulator/dynamodb/streams/local-table-stream.ts';
import { startDynamoDbStreamsServer } from '../../emulator/dynamodb/streams/streams-server.ts';
import type { StreamSpec } from '../../emulator/dynamodb/streams/stream-spec.ts';
import type { StreamViewType, TableStream } from '../../emulator/dynamodb/streams/table-stream.ts';
import type { AwsJsonServer } from '../../emulator/aws-json-server.ts';
import { IamGate } from '../../emulator/iam/iam-gate.ts';
import { grantsOne } from './iam-test-grants.ts';

// DynamoDB Streams from the writes the emulator serves: the real DynamoDB client writes through
// the metering front (dynalite behind it, on its worker thread); the records reach the stack's
// thread's TableStream, and the real DynamoDB Streams client reads them through the streams
// endpoint. Each view type's table gets the same writes; the expected images are written by hand.

const ACCOUNT = '000000000000';
const LABEL = '2026-01-01T00:00:00.000';
const VIEW_TYPES: StreamViewType[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const arnOf = (table: string) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${table}/stream/${LABEL}`;
const tableOf = (view: StreamViewType) => `items-${view.toLowerCase().replace(/_/g, '-')}`;

function keyed(name: string): CreateTableCommandInput & { TableName: string } {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  };
}

const specs: StreamSpec[] = VIEW_TYPES.map((viewType) => ({ tableName: tableOf(viewType), viewType, arn: arnOf(tableOf(viewType)) }));

let db: LocalDynamoDb;
let ddb: DynamoDBClient;
let server: AwsJsonServer;
let streamsClient: DynamoDBStreamsClient;
let clock = Date.now();

beforeAll(async () => {
  db = await startDynamoDb({ tables: [...specs.map((s) => keyed(s.tableName)), keyed('plain'), keyed('plain-too'), keyed('timed')], streams: [...specs, { tableName: 'timed', viewType: 'KEYS_ONLY', arn: arnOf('timed') }] });
  ddb = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  server = await startDynamoDbStreamsServer({ streams: db.streams(), now: () => clock });
  streamsClient = new DynamoDBStreamsClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
});

afterAll(async () => {
  ddb?.destroy();
  streamsClient?.destroy();
  await server?.close();
  await db?.close();
});

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: string): AttributeValue => ({ N: n });
type Item = Record<string, AttributeValue>;

function streamOf(table: string): TableStream {
  const stream = db.streams().find((s) => s.tableName === table);
  if (!stream) throw new Error(`no stream for ${table}`);
  return stream;
}

/** Resolves once `stream` holds `count` records (bounded: the writes were answered already, the changes are on their way). */
function untilRecords(stream: TableStream, count: number): Promise<void> {
  const have = () => stream.read(stream.shards()[0]!, undefined, count + 1).length;
  if (have() >= count) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${stream.tableName}: ${have()} records, not ${count}`));
    }, 10_000);
    const off = stream.onAppend(() => {
      if (have() < count) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** The same writes on each table; returns what each caller received where the capture could have changed it. */
async function writeScenario(table: string) {
  const answers: Record<string, unknown> = {};
  const a = { pk: S('a'), sk: N('1') };
  const b = { pk: S('b'), sk: N('2') };
  const c = { pk: S('c'), sk: N('3') };
  // 1. INSERT a (its number in a form DynamoDB stores otherwise)
  answers.put = await ddb.send(new PutItemCommand({ TableName: table, Item: { ...a, v: S('one'), n: N('1.50') } }));
  // 2. the same item again (1.5 is 1.50): no change, no record
  await ddb.send(new PutItemCommand({ TableName: table, Item: { ...a, v: S('one'), n: N('1.5') } }));
  // 3. MODIFY a
  answers.update = await ddb.send(new UpdateItemCommand({ TableName: table, Key: a, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': S('two') } }));
  // 4. the same update again: no record; the caller's UPDATED_NEW answer as asked
  answers.updatedNew = await ddb.send(new UpdateItemCommand({ TableName: table, Key: a, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': S('two') }, ReturnValues: 'UPDATED_NEW' }));
  // 5. a failed condition: nothing
  answers.failed = await ddb
    .send(new PutItemCommand({ TableName: table, Item: { ...b, v: S('never') }, ConditionExpression: 'attribute_exists(pk)' }))
    .catch((e: unknown) => e);
  // 6. a batch: INSERT b, INSERT c, REMOVE a
  await ddb.send(
    new BatchWriteItemCommand({
      RequestItems: { [table]: [{ PutRequest: { Item: { ...b, v: S('bee') } } }, { PutRequest: { Item: { ...c, v: S('sea') } } }, { DeleteRequest: { Key: a } }] },
    }),
  );
  // 7. deleting what is not there: nothing
  await ddb.send(new DeleteItemCommand({ TableName: table, Key: { pk: S('zzz'), sk: N('9') } }));
  // 8. an update asking ALL_OLD: MODIFY c, the caller gets the old item
  answers.updateOld = await ddb.send(new UpdateItemCommand({ TableName: table, Key: c, UpdateExpression: 'SET w = :w', ExpressionAttributeValues: { ':w': N('7') }, ReturnValues: 'ALL_OLD' }));
  // 9. an update creating its item: INSERT d
  await ddb.send(new UpdateItemCommand({ TableName: table, Key: { pk: S('d'), sk: N('4') }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': S('dee') } }));
  // 10. a transaction: INSERT e, MODIFY d (its condition holds), a check of c that holds
  await ddb.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: table, Item: { pk: S('e'), sk: N('5'), v: S('ee') } } },
        { Update: { TableName: table, Key: { pk: S('d'), sk: N('4') }, UpdateExpression: 'SET v = :v', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':v': S('dee2') } } },
        { ConditionCheck: { TableName: table, Key: c, ConditionExpression: 'w = :seven', ExpressionAttributeValues: { ':seven': N('7') } } },
      ],
    }),
  );
  // 11. a transaction whose check fails: nothing written, nothing recorded
  answers.canceled = await ddb
    .send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: table, Item: { pk: S('f'), sk: N('6') } } },
          { ConditionCheck: { TableName: table, Key: c, ConditionExpression: 'w = :eight', ExpressionAttributeValues: { ':eight': N('8') }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
        ],
      }),
    )
    .catch((e: unknown) => e);
  answers.notWritten = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: S('f'), sk: N('6') } }));
  // 12. REMOVE b, the caller asking ALL_OLD
  answers.deleteOld = await ddb.send(new DeleteItemCommand({ TableName: table, Key: b, ReturnValues: 'ALL_OLD' }));
  return answers;
}

/** What every view type's records say, before the view type picks its images. */
const EXPECTED: Array<{ eventName: string; Keys: Item; OldImage?: Item; NewImage?: Item }> = [
  { eventName: 'INSERT', Keys: { pk: S('a'), sk: N('1') }, NewImage: { pk: S('a'), sk: N('1'), v: S('one'), n: N('1.5') } },
  { eventName: 'MODIFY', Keys: { pk: S('a'), sk: N('1') }, OldImage: { pk: S('a'), sk: N('1'), v: S('one'), n: N('1.5') }, NewImage: { pk: S('a'), sk: N('1'), v: S('two'), n: N('1.5') } },
  { eventName: 'INSERT', Keys: { pk: S('b'), sk: N('2') }, NewImage: { pk: S('b'), sk: N('2'), v: S('bee') } },
  { eventName: 'INSERT', Keys: { pk: S('c'), sk: N('3') }, NewImage: { pk: S('c'), sk: N('3'), v: S('sea') } },
  { eventName: 'REMOVE', Keys: { pk: S('a'), sk: N('1') }, OldImage: { pk: S('a'), sk: N('1'), v: S('two'), n: N('1.5') } },
  { eventName: 'MODIFY', Keys: { pk: S('c'), sk: N('3') }, OldImage: { pk: S('c'), sk: N('3'), v: S('sea') }, NewImage: { pk: S('c'), sk: N('3'), v: S('sea'), w: N('7') } },
  { eventName: 'INSERT', Keys: { pk: S('d'), sk: N('4') }, NewImage: { pk: S('d'), sk: N('4'), v: S('dee') } },
  { eventName: 'INSERT', Keys: { pk: S('e'), sk: N('5') }, NewImage: { pk: S('e'), sk: N('5'), v: S('ee') } },
  { eventName: 'MODIFY', Keys: { pk: S('d'), sk: N('4') }, OldImage: { pk: S('d'), sk: N('4'), v: S('dee') }, NewImage: { pk: S('d'), sk: N('4'), v: S('dee2') } },
  { eventName: 'REMOVE', Keys: { pk: S('b'), sk: N('2') }, OldImage: { pk: S('b'), sk: N('2'), v: S('bee') } },
];

function expectedFor(view: StreamViewType) {
  return EXPECTED.map((e) => {
    const out: Record<string, unknown> = { eventName: e.eventName, Keys: e.Keys };
    if (e.NewImage && (view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES')) out.NewImage = e.NewImage;
    if (e.OldImage && (view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES')) out.OldImage = e.OldImage;
    return out;
  });
}

/** Every record of a stream's shard through the real Streams client, `limit` per GetRecords. */
async function readAll(arn: string, limit: number): Promise<_Record[]> {
  const described = await streamsClient.send(new DescribeStreamCommand({ StreamArn: arn }));
  const shard = described.StreamDescription!.Shards![0]!.ShardId!;
  let iterator = (await streamsClient.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  const out: _Record[] = [];
  for (let page = 0; iterator && page < 100; page++) {
    const r = await streamsClient.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
    if (r.Records!.length === 0) break;
    out.push(...r.Records!);
    iterator = r.NextShardIterator;
  }
  return out;
}

describe('DynamoDB Streams capture', () => {
  const answers = new Map<StreamViewType, Record<string, unknown>>();

  beforeAll(async () => {
    for (const view of VIEW_TYPES) answers.set(view, await writeScenario(tableOf(view)));
    await Promise.all(VIEW_TYPES.map((v) => untilRecords(streamOf(tableOf(v)), EXPECTED.length)));
  });

  it.each(VIEW_TYPES)('%s: one record per change, in order, with the images the view type keeps', (view) => {
    const stream = streamOf(tableOf(view));
    const records = stream.read(stream.shards()[0]!, undefined, 100);
    expect(records.map((r) => ({ eventName: r.eventName, Keys: r.dynamodb.Keys, ...(r.dynamodb.NewImage ? { NewImage: r.dynamodb.NewImage } : {}), ...(r.dynamodb.OldImage ? { OldImage: r.dynamodb.OldImage } : {}) }))).toEqual(expectedFor(view));
    const sequences = records.map((r) => r.dynamodb.SequenceNumber);
    for (const s of sequences) expect(s).toMatch(/^\d{21,}$/);
    for (let i = 1; i < sequences.length; i++) expect(BigInt(sequences[i]!) > BigInt(sequences[i - 1]!)).toBe(true);
    expect(stream.latestSequence()).toBe(sequences[sequences.length - 1]);
    const first = records[0]!;
    expect(first).toMatchObject({ eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: 'us-east-1', eventSourceARN: arnOf(tableOf(view)) });
    expect(first.eventID).toMatch(/^[0-9a-f]{32}$/);
    expect(first.dynamodb.StreamViewType).toBe(view);
    expect(Math.abs(first.dynamodb.ApproximateCreationDateTime - Date.now() / 1000)).toBeLessThan(600);
    // SizeBytes: the keys and the images kept ("pk"+"a" + "sk"+1-digit number = 3 + 2 + 2 = 7 bytes of keys)
    const keysBytes = 7;
    const image = 7 + 1 + 3 + 1 + 2; // + "v" "one" + "n" 1.5 (2 significant digits: 2 bytes)
    expect(first.dynamodb.SizeBytes).toBe(keysBytes + (view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES' ? image : 0));
  });

  it('hands each caller what it asked for, not what the capture asked for', () => {
    const a = answers.get('NEW_AND_OLD_IMAGES')!;
    expect((a.put as { Attributes?: unknown }).Attributes).toBeUndefined();
    expect((a.update as { Attributes?: unknown }).Attributes).toBeUndefined();
    expect((a.updatedNew as { Attributes?: unknown }).Attributes).toEqual({ v: S('two') });
    expect(a.failed).toBeInstanceOf(ConditionalCheckFailedException);
    expect((a.updateOld as { Attributes?: unknown }).Attributes).toEqual({ pk: S('c'), sk: N('3'), v: S('sea') });
    expect((a.deleteOld as { Attributes?: unknown }).Attributes).toEqual({ pk: S('b'), sk: N('2'), v: S('bee') });
    expect(a.canceled).toBeInstanceOf(TransactionCanceledException);
    expect((a.canceled as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { pk: S('c'), sk: N('3'), v: S('sea'), w: N('7') } },
    ]);
    expect((a.canceled as Error).message).toBe('Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]');
    expect((a.notWritten as { Item?: unknown }).Item).toBeUndefined();
  });

  it("answers DescribeTable with the table's stream, as DynamoDB does", async () => {
    const table = (await ddb.send(new DescribeTableCommand({ TableName: tableOf('NEW_IMAGE') }))).Table!;
    expect(table.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect(table.LatestStreamArn).toBe(arnOf(tableOf('NEW_IMAGE')));
    expect(table.LatestStreamLabel).toBe(LABEL);
    const plain = (await ddb.send(new DescribeTableCommand({ TableName: 'plain' }))).Table!;
    expect(plain.StreamSpecification).toBeUndefined();
    expect(plain.LatestStreamArn).toBeUndefined();
  });

  it('serves TransactWriteItems (which dynalite lacks) at two write units per 1 KB item, recording nothing for a table without a stream', async () => {
    const r = await ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: 'plain', Item: { pk: S('tx'), sk: N('1'), pad: S('x'.repeat(1100)) } } }, { Put: { TableName: 'plain', Item: { pk: S('tx'), sk: N('2') } } }],
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    expect(r.ConsumedCapacity).toEqual([{ TableName: 'plain', CapacityUnits: 6, WriteCapacityUnits: 6 }]); // 2 × 2 KB-steps + 2 × 1
    const twice = await ddb
      .send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'plain', Item: { pk: S('tx'), sk: N('1') } } }, { Delete: { TableName: 'plain', Key: { pk: S('tx'), sk: N('1.0') } } }] }))
      .catch((e: unknown) => e);
    expect(twice).toMatchObject({ name: 'ValidationException', message: 'Transaction request cannot include multiple operations on one item' });
  });

  it('keeps each item in order under concurrent writes to the same items', async () => {
    const table = tableOf('NEW_AND_OLD_IMAGES');
    const stream = streamOf(table);
    const before = stream.read(stream.shards()[0]!, undefined, 1000).length;
    const key = (i: number) => ({ pk: S(`hot-${i % 3}`), sk: N('0') });
    // 60 writes racing on three items: puts, counter updates and batch puts interleaved
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i % 3 === 0
          ? ddb.send(new UpdateItemCommand({ TableName: table, Key: key(i), UpdateExpression: 'ADD c :one', ExpressionAttributeValues: { ':one': N('1') } }))
          : i % 3 === 1
            ? ddb.send(new PutItemCommand({ TableName: table, Item: { ...key(i), c: N(String(1000 + i)) } }))
            : ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: [{ PutRequest: { Item: { ...key(i), c: N(String(2000 + i)) } } }] } })),
      ),
    );
    await untilRecords(stream, before + 60);
    const records = stream.read(stream.shards()[0]!, undefined, 1000).slice(before);
    expect(records).toHaveLength(60);
    // each item's records chain: every record's OldImage is the NewImage of that item's record before it
    const last = new Map<string, unknown>();
    for (const r of records) {
      const id = (r.dynamodb.Keys.pk as { S: string }).S;
      expect(r.dynamodb.OldImage).toEqual(last.get(id));
      last.set(id, r.dynamodb.NewImage);
    }
  });
});

describe('the DynamoDB Streams API through the real client', () => {
  it('lists the streams, describes one, and reads every record page by page', async () => {
    const listed = await streamsClient.send(new ListStreamsCommand({}));
    expect(listed.Streams!.map((s) => s.TableName)).toEqual([...VIEW_TYPES.map(tableOf), 'timed']);
    const one = await streamsClient.send(new ListStreamsCommand({ TableName: tableOf('OLD_IMAGE') }));
    expect(one.Streams).toEqual([{ StreamArn: arnOf(tableOf('OLD_IMAGE')), TableName: tableOf('OLD_IMAGE'), StreamLabel: LABEL }]);
    const paged = await streamsClient.send(new ListStreamsCommand({ Limit: 2 }));
    expect(paged.LastEvaluatedStreamArn).toBe(arnOf(tableOf('NEW_IMAGE')));

    const arn = arnOf(tableOf('NEW_AND_OLD_IMAGES'));
    const d = (await streamsClient.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!;
    expect(d).toMatchObject({ StreamArn: arn, StreamLabel: LABEL, StreamStatus: 'ENABLED', StreamViewType: 'NEW_AND_OLD_IMAGES', TableName: tableOf('NEW_AND_OLD_IMAGES') });
    expect(d.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(d.Shards).toHaveLength(1);
    expect(d.Shards![0]!.ShardId).toMatch(/^shardId-\d{20}-[0-9a-f]{8}$/);

    const stream = streamOf(tableOf('NEW_AND_OLD_IMAGES'));
    const held = stream.read(stream.shards()[0]!, undefined, 1000);
    const read = await readAll(arn, 3);
    expect(read.map((r) => r.dynamodb!.SequenceNumber)).toEqual(held.map((r) => r.dynamodb.SequenceNumber));
    expect(read[1]).toMatchObject({ eventName: 'MODIFY', eventSource: 'aws:dynamodb', awsRegion: 'us-east-1', dynamodb: { Keys: EXPECTED[1]!.Keys, OldImage: EXPECTED[1]!.OldImage, NewImage: EXPECTED[1]!.NewImage, StreamViewType: 'NEW_AND_OLD_IMAGES' } });
    expect(read[1]!.dynamodb!.ApproximateCreationDateTime).toBeInstanceOf(Date);
  });

  it('starts where asked: AT_ and AFTER_SEQUENCE_NUMBER, LATEST; an unknown stream is ResourceNotFoundException', async () => {
    const arn = arnOf(tableOf('KEYS_ONLY'));
    const stream = streamOf(tableOf('KEYS_ONLY'));
    const shard = stream.shards()[0]!;
    const held = stream.read(shard, undefined, 1000);
    const third = held[2]!.dynamodb.SequenceNumber;
    const from = async (type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER' | 'LATEST', SequenceNumber?: string) => {
      const it = (await streamsClient.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: type, ...(SequenceNumber ? { SequenceNumber } : {}) }))).ShardIterator;
      return streamsClient.send(new GetRecordsCommand({ ShardIterator: it, Limit: 1 }));
    };
    expect((await from('AT_SEQUENCE_NUMBER', third)).Records![0]!.dynamodb!.SequenceNumber).toBe(third);
    expect((await from('AFTER_SEQUENCE_NUMBER', third)).Records![0]!.dynamodb!.SequenceNumber).toBe(held[3]!.dynamodb.SequenceNumber);
    const latest = await from('LATEST');
    expect(latest.Records).toEqual([]);
    // a write after LATEST was taken is what its next iterator reads
    await ddb.send(new PutItemCommand({ TableName: tableOf('KEYS_ONLY'), Item: { pk: S('late'), sk: N('1') } }));
    await untilRecords(stream, held.length + 1);
    const next = await streamsClient.send(new GetRecordsCommand({ ShardIterator: latest.NextShardIterator }));
    expect(next.Records!.map((r) => r.dynamodb!.Keys)).toEqual([{ pk: S('late'), sk: N('1') }]);
    await expect(streamsClient.send(new DescribeStreamCommand({ StreamArn: arnOf('nope') }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
  });

  it('expires an iterator 15 minutes after it was issued', async () => {
    const arn = arnOf('timed');
    const shard = streamOf('timed').shards()[0]!;
    const iterator = (await streamsClient.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    clock += 15 * 60 * 1000;
    const fresh = await streamsClient.send(new GetRecordsCommand({ ShardIterator: iterator }));
    expect(fresh.Records).toEqual([]);
    clock += 1;
    await expect(streamsClient.send(new GetRecordsCommand({ ShardIterator: iterator }))).rejects.toBeInstanceOf(ExpiredIteratorException);
    // the iterator GetRecords handed back is good for another 15 minutes
    await expect(streamsClient.send(new GetRecordsCommand({ ShardIterator: fresh.NextShardIterator }))).resolves.toMatchObject({ Records: [] });
  });

  it('asks IAM about a function reading a stream: dynamodb:GetRecords on the stream ARN', async () => {
    const allowed = arnOf(tableOf('KEYS_ONLY'));
    const grants = grantsOne('reader', 'ReaderRole', ['dynamodb:DescribeStream', 'dynamodb:GetShardIterator', 'dynamodb:GetRecords'], allowed, ACCOUNT);
    const lines: string[] = [];
    const gated = await startDynamoDbStreamsServer({ streams: db.streams(), iam: new IamGate('enforce', grants, 'us-east-1', ACCOUNT, (l) => lines.push(l)) });
    const fn = new DynamoDBStreamsClient({ endpoint: gated.url, region: 'us-east-1', credentials: { ...credentials, sessionToken: grants.sessions[0]!.token }, maxAttempts: 1 });
    try {
      const shard = streamOf(tableOf('KEYS_ONLY')).shards()[0]!;
      const it = (await fn.send(new GetShardIteratorCommand({ StreamArn: allowed, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      expect((await fn.send(new GetRecordsCommand({ ShardIterator: it, Limit: 1 }))).Records).toHaveLength(1);
      const denied = await fn.send(new DescribeStreamCommand({ StreamArn: arnOf(tableOf('NEW_IMAGE')) })).catch((e: unknown) => e);
      expect(denied).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
      expect((denied as Error).message).toContain(`dynamodb:DescribeStream on resource: ${arnOf(tableOf('NEW_IMAGE'))}`);
      await expect(fn.send(new ListStreamsCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
      expect(lines).toHaveLength(2);
    } finally {
      fn.destroy();
      await gated.close();
    }
  });
});

describe('LocalTableStream', () => {
  const change = (i: number) => ({ table: 't', eventName: 'INSERT' as const, Keys: { pk: { S: String(i) } }, ApproximateCreationDateTime: 0, SizeBytes: 3 });

  it('keeps at most its count and 24 hours of records, the oldest trimmed first; a trimmed position reads from the horizon', async () => {
    let now = 1_000_000;
    const stream = new LocalTableStream({ tableName: 't', viewType: 'KEYS_ONLY', arn: arnOf('t') }, { keySchema: [], retainRecords: 3, now: () => now });
    const shard = stream.shards()[0]!;
    expect(stream.latestSequence()).toBe('0');
    let woken = 0;
    const off = stream.onAppend(() => woken++);
    stream.append([change(1), change(2)]);
    stream.append([change(3), change(4)]);
    off();
    stream.append([change(5)]);
    expect(woken).toBe(2);
    const kept = stream.read(shard, undefined, 10);
    expect(kept.map((r) => r.dynamodb.Keys.pk)).toEqual([S('3'), S('4'), S('5')]);
    expect(stream.read(shard, '0', 10)).toHaveLength(3);
    expect(stream.read(shard, kept[0]!.dynamodb.SequenceNumber, 1).map((r) => r.dynamodb.Keys.pk)).toEqual([S('4')]);
    expect(stream.read('shardId-other', undefined, 10)).toEqual([]);
    now += 24 * 60 * 60 * 1000 + 1;
    expect(stream.read(shard, undefined, 10)).toEqual([]);
    expect(stream.trimHorizon()).toBeUndefined();

    // through the API: an AT_SEQUENCE_NUMBER older than the horizon is TrimmedDataAccessException
    stream.append([change(6)]);
    const api = await startDynamoDbStreamsServer({ streams: [stream], now: () => now });
    const client = new DynamoDBStreamsClient({ endpoint: api.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      await expect(
        client.send(new GetShardIteratorCommand({ StreamArn: stream.arn, ShardId: shard, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: kept[0]!.dynamodb.SequenceNumber })),
      ).rejects.toBeInstanceOf(TrimmedDataAccessException);
    } finally {
      client.destroy();
      await api.close();
    }
  });

  it('refuses a stream of a table the stack does not have, in one line', async () => {
    await expect(startDynamoDb({ tables: [keyed('one')], streams: [{ tableName: 'two', viewType: 'KEYS_ONLY', arn: arnOf('two') }] })).rejects.toThrow(UserError);
  });
});

describe('the cost of capture', () => {
  it('adds no dynalite call to a put and at most one read to an update (worker CPU per write, with and without a stream)', async () => {
    // Worker-thread CPU per write, from a quick loop of puts and updates on a stream table and on
    // one without. Reported, and held only to "not a multiple": CPU counts, not latency, on the
    // same thread in the same process, so a busy host slows both alike.
    const loop = async (table: string, n: number) => {
      await new Promise((r) => setTimeout(r, 150)); // the worker's counters arrive every 100 ms
      const start = db.stats().cpuMs;
      // five writers at once, each on its own items: a put, then an update of the same item
      await Promise.all(
        Array.from({ length: 5 }, async (_, lane) => {
          for (let i = 0; i < n / 5; i++) {
            const key = { pk: S(`k${lane}-${i % 10}`), sk: N('1') };
            await ddb.send(new PutItemCommand({ TableName: table, Item: { ...key, v: N(String(i)) } }));
            await ddb.send(new UpdateItemCommand({ TableName: table, Key: key, UpdateExpression: 'ADD c :one', ExpressionAttributeValues: { ':one': N('1') } }));
          }
        }),
      );
      await new Promise((r) => setTimeout(r, 250));
      return (db.stats().cpuMs - start) / (2 * n);
    };
    await loop('plain-too', 25); // warm both paths
    await loop(tableOf('NEW_AND_OLD_IMAGES'), 25);
    const without = await loop('plain', 100);
    const withStream = await loop(tableOf('NEW_AND_OLD_IMAGES'), 100);
    console.log(`dynamodb streams: worker CPU per write ${without.toFixed(3)} ms without a stream, ${withStream.toFixed(3)} ms with NEW_AND_OLD_IMAGES`);
    expect(withStream).toBeLessThan(without * 2);
  });
});
