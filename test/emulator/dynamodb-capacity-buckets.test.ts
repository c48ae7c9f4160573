import { describe, expect, it } from 'vitest';
import { admit, release, type TableInfo } from '../../emulator/dynamodb/capacity-admission.ts';
import { tableShape } from '../../emulator/dynamodb/capacity.ts';
import { BURST_SECONDS, CapacityBucket, ProvisionedCapacity } from '../../emulator/dynamodb/provisioned-capacity.ts';

// The capacity arithmetic on its own, on a clock the test sets (ms): what the timed tests in
// dynamodb-provisioned.test.ts see through real SDK clients, here to the unit.

describe('CapacityBucket', () => {
  it('starts with one second, fills at its rate, keeps at most 300 s, and can go into debt', () => {
    const b = new CapacityBucket(2, 0);
    expect(b.available(0)).toBe(2);
    b.take(2, 0);
    expect(b.available(500)).toBe(1); // half a second at 2/s
    expect(b.available(10 * 60_000)).toBe(2 * BURST_SECONDS); // idle for 10 minutes: 300 s kept, not 600
    b.take(2 * BURST_SECONDS + 3, 10 * 60_000); // a read that consumed more than was left
    expect(b.available(10 * 60_000)).toBe(-3);
    expect(b.fits(1, 0, 10 * 60_000 + 1_500)).toBe(false); // -3 + 3 = 0 after 1.5 s: the debt first
    expect(b.fits(1, 0, 10 * 60_000 + 2_000)).toBe(true);
  });

  it('a request larger than the whole bucket fits once the bucket is full; pending units of the same request count', () => {
    const b = new CapacityBucket(1, 0);
    expect(b.fits(400, 0, 0)).toBe(false);
    expect(b.fits(400, 0, BURST_SECONDS * 1000)).toBe(true);
    expect(b.fits(2, 299, BURST_SECONDS * 1000)).toBe(false);
  });

  it('UpdateTable: a new rate from then on, what it holds kept up to the new maximum', () => {
    const b = new CapacityBucket(10, 0);
    expect(b.available(100_000)).toBe(10 + 100 * 10); // one second to start with, 100 s of refill
    b.setRate(1, 100_000);
    expect(b.available(100_000)).toBe(300);
    b.setRate(100, 100_000);
    expect(b.available(101_000)).toBe(400);
  });
});

const described = {
  TableName: 'members',
  TableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/members',
  TableStatus: 'ACTIVE',
  KeySchema: [{ AttributeName: 'room' }, { AttributeName: 'id' }],
  ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 3 },
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byId',
      IndexArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/members/index/byId',
      IndexStatus: 'ACTIVE',
      KeySchema: [{ AttributeName: 'id' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    },
  ],
};

function members(now = 0): { capacity: ProvisionedCapacity; tables: Map<string, TableInfo> } {
  const capacity = new ProvisionedCapacity();
  const c = capacity.describe(described, now)!;
  return { capacity, tables: new Map([['members', { capacity: c, shape: tableShape(described) }]]) };
}

const member = (id: string, extra: Record<string, unknown> = {}) => ({ room: { S: 'r' }, id: { S: id }, ...extra });

describe('ProvisionedCapacity.describe', () => {
  it('on-demand is null; a table being updated is not kept; buckets outlive a change', () => {
    const capacity = new ProvisionedCapacity();
    expect(capacity.describe({ TableName: 'od', BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' }, ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0 } }, 0)).toBeNull();
    expect(capacity.known('od')).toBeNull();
    expect(capacity.known('members')).toBeUndefined();
    const first = capacity.describe(described, 0)!;
    first.table.write.take(3, 0);
    capacity.forget();
    expect(capacity.known('members')).toBeUndefined();
    capacity.describe({ ...described, TableStatus: 'UPDATING' }, 0);
    expect(capacity.known('members')).toBeUndefined();
    const again = capacity.describe({ ...described, ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 30 } }, 0)!;
    expect(again.table.write).toBe(first.table.write);
    expect(again.table.write.available(1_000)).toBe(30);
  });
});

describe('admit', () => {
  it('a put needs its item on the table and its entry on each index whose keys it has; the index short throttles the write', () => {
    const { tables } = members();
    const info = tables.get('members')!;
    // the index has 1 unit: the first put takes it, the second is refused for the index alone
    expect(admit('PutItem', { TableName: 'members', Item: member('a') }, tables, 0).refused).toBe(false);
    const refused = admit('PutItem', { TableName: 'members', Item: member('b') }, tables, 0);
    expect(refused.refused).toBe(true);
    expect(refused.events).toEqual([{ table: 'members', index: 'byId', read: false, reason: 'IndexWriteProvisionedThroughputExceeded', resource: described.GlobalSecondaryIndexes[0]!.IndexArn }]);
    expect(info.capacity.table.write.available(0)).toBe(2); // refused: nothing taken
    // an item without the index's key (a sparse index) does not need it
    const sparse = { TableName: 'members', Item: { room: { S: 'r' }, other: { S: 'x' } } };
    expect(admit('PutItem', sparse, tables, 0).refused).toBe(false);
  });

  it('a batch keeps what fits, hands the rest back, and is refused only when nothing fits; release gives units back', () => {
    const { tables } = members();
    const deletes = ['a', 'b', 'c'].map((id) => ({ DeleteRequest: { Key: { room: { S: 'r' }, id: { S: id } } } }));
    const request: Record<string, unknown> = { RequestItems: { members: deletes, other: [{ PutRequest: { Item: { k: { S: '1' } } } }] } };
    const a = admit('BatchWriteItem', request, tables, 0);
    // deletes need 1 on the table and 1 on the index each: the index's single unit takes one
    expect(a.refused).toBe(false);
    expect((request.RequestItems as Record<string, unknown[]>).members).toEqual([deletes[0]]);
    expect((request.RequestItems as Record<string, unknown[]>).other).toHaveLength(1); // an on-demand table passes
    expect(a.unprocessed).toEqual({ members: [deletes[1], deletes[2]] });
    expect(a.events.map((e) => e.index)).toEqual(['byId', 'byId']);
    const none = admit('BatchWriteItem', { RequestItems: { members: deletes } }, tables, 0);
    expect(none.refused).toBe(true);
    release(a, 0);
    expect(admit('BatchWriteItem', { RequestItems: { members: deletes.slice(0, 1) } }, tables, 0).refused).toBe(false);
  });

  it('reads: one 4 KB step per item (half eventually consistent); a Query on a global index reads the index', () => {
    const { tables } = members();
    const info = tables.get('members')!;
    expect(admit('GetItem', { TableName: 'members', Key: member('a'), ConsistentRead: true }, tables, 0).refused).toBe(false);
    expect(info.capacity.table.read.available(0)).toBe(3);
    admit('GetItem', { TableName: 'members', Key: member('a') }, tables, 0);
    expect(info.capacity.table.read.available(0)).toBe(2.5);
    admit('Query', { TableName: 'members', IndexName: 'byId' }, tables, 0);
    expect(info.capacity.indexes.get('byId')!.read.available(0)).toBe(0.5);
    expect(info.capacity.table.read.available(0)).toBe(2.5);
  });
});
