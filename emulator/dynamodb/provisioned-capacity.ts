/**
 * DynamoDB's provisioned capacity (Developer Guide: "Provisioned capacity mode", "Burst capacity",
 * "Global secondary indexes: provisioned throughput considerations"): a table in PROVISIONED mode,
 * and each of its global secondary indexes, serves its ReadCapacityUnits and WriteCapacityUnits
 * per second and keeps up to 300 seconds of what it left unused as burst. Each is a token bucket
 * here: it fills at its units per second up to 300 seconds' worth. A table or index starts with one
 * second's worth (assumed: AWS does not say what a new table holds).
 *
 * Admission (assumed, as AWS describes it only from the outside): a request is let through when
 * each bucket it draws on holds the units it is known to need before it runs (a write: its item's
 * size when the request carries it, else one unit; a read: one 4 KB step per item); those units
 * are reserved at once, so concurrent requests cannot spend them twice, and once it ran the rest
 * of what it actually consumed is taken too. A bucket may so go below zero (a Query that read more
 * than was left) and refills from there: the debt is paid before anything else gets through.
 * On-demand tables have no buckets.
 */

export const BURST_SECONDS = 300;

export class CapacityBucket {
  private level: number;
  private last: number;

  constructor(
    private perSecond: number,
    now: number,
  ) {
    this.level = perSecond;
    this.last = now;
  }

  get unitsPerSecond(): number {
    return this.perSecond;
  }

  /** Units it holds now (negative: a debt). */
  available(now: number): number {
    this.refill(now);
    return this.level;
  }

  /** Whether `units` more (on top of `pending` already counted for this request) fit now. */
  fits(units: number, pending: number, now: number): boolean {
    // A request larger than the whole bucket gets through when the bucket is full, not never.
    return this.available(now) - pending >= Math.min(units, this.perSecond * BURST_SECONDS);
  }

  /** Takes units (a negative count gives them back). */
  take(units: number, now: number): void {
    this.refill(now);
    this.level = Math.min(this.level - units, this.perSecond * BURST_SECONDS);
  }

  /** UpdateTable: the new rate from now on; what it holds is kept, up to the new maximum. */
  setRate(perSecond: number, now: number): void {
    this.refill(now);
    this.perSecond = perSecond;
    this.level = Math.min(this.level, perSecond * BURST_SECONDS);
  }

  private refill(now: number): void {
    const elapsed = now - this.last;
    if (elapsed <= 0) return;
    this.last = now;
    this.level = Math.min(this.perSecond * BURST_SECONDS, this.level + (this.perSecond * elapsed) / 1000);
  }
}

/** A table's or an index's two buckets and the ARN its throttling reasons name. */
export interface Provisioned {
  read: CapacityBucket;
  write: CapacityBucket;
  arn: string;
}

/** A provisioned table: its own buckets and its global indexes' (an index without its own: none). */
export interface TableCapacity {
  table: Provisioned;
  indexes: Map<string, Provisioned>;
}

/** The part of a DescribeTable answer's `Table` (wire JSON) that capacity needs. */
export interface CapacityDescription {
  TableName?: string;
  TableArn?: string;
  TableStatus?: string;
  BillingModeSummary?: { BillingMode?: string };
  ProvisionedThroughput?: { ReadCapacityUnits?: number; WriteCapacityUnits?: number };
  GlobalSecondaryIndexes?: Array<{
    IndexName?: string;
    IndexArn?: string;
    IndexStatus?: string;
    ProvisionedThroughput?: { ReadCapacityUnits?: number; WriteCapacityUnits?: number };
  }>;
}

/** The table and its indexes are ACTIVE: what DescribeTable said holds until the next table change. */
export function isSettled(table: CapacityDescription): boolean {
  return (table.TableStatus ?? 'ACTIVE') === 'ACTIVE' && (table.GlobalSecondaryIndexes ?? []).every((g) => (g.IndexStatus ?? 'ACTIVE') === 'ACTIVE');
}

/**
 * Every table's capacity as last described. `known` is synchronous, so a call to an on-demand
 * table costs one map lookup once its table was described; the buckets outlive a table change
 * (UpdateTable keeps what a bucket holds and changes its rate).
 */
export class ProvisionedCapacity {
  /** table → its capacity, null when on-demand; absent: not described since the last change */
  private readonly tables = new Map<string, TableCapacity | null>();
  private readonly buckets = new Map<string, Provisioned>();

  known(table: string): TableCapacity | null | undefined {
    return this.tables.get(table);
  }

  /** After CreateTable, UpdateTable or DeleteTable: describe again before the next call. */
  forget(): void {
    this.tables.clear();
  }

  /** From DescribeTable. A table being updated is not kept, so the next call describes it again. */
  describe(table: CapacityDescription, now: number): TableCapacity | null {
    const name = table.TableName ?? '';
    const units = table.ProvisionedThroughput;
    let capacity: TableCapacity | null = null;
    if (table.BillingModeSummary?.BillingMode !== 'PAY_PER_REQUEST' && (units?.ReadCapacityUnits ?? 0) > 0) {
      const arn = table.TableArn ?? `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`;
      capacity = { table: this.provisioned(name, arn, units!, now), indexes: new Map() };
      for (const g of table.GlobalSecondaryIndexes ?? []) {
        if ((g.ProvisionedThroughput?.ReadCapacityUnits ?? 0) <= 0) continue;
        const index = g.IndexName ?? '';
        capacity.indexes.set(index, this.provisioned(`${name}\u0000${index}`, g.IndexArn ?? `${arn}/index/${index}`, g.ProvisionedThroughput!, now));
      }
    }
    if (isSettled(table)) this.tables.set(name, capacity);
    return capacity;
  }

  /** Every provisioned table and index now, for the ProvisionedRead/WriteCapacityUnits metrics. */
  *all(): Generator<{ table: string; index?: string; read: number; write: number }> {
    for (const [name, capacity] of this.tables) {
      if (!capacity) continue;
      yield { table: name, read: capacity.table.read.unitsPerSecond, write: capacity.table.write.unitsPerSecond };
      for (const [index, p] of capacity.indexes) yield { table: name, index, read: p.read.unitsPerSecond, write: p.write.unitsPerSecond };
    }
  }

  private provisioned(key: string, arn: string, units: { ReadCapacityUnits?: number; WriteCapacityUnits?: number }, now: number): Provisioned {
    const read = units.ReadCapacityUnits ?? 0;
    const write = units.WriteCapacityUnits ?? 0;
    const known = this.buckets.get(key);
    if (known) {
      known.read.setRate(read, now);
      known.write.setRate(write, now);
      known.arn = arn;
      return known;
    }
    const made: Provisioned = { read: new CapacityBucket(read, now), write: new CapacityBucket(write, now), arn };
    this.buckets.set(key, made);
    return made;
  }
}
