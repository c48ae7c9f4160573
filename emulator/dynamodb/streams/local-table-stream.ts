import { randomBytes, randomUUID } from 'node:crypto';
import type { KeySchemaElement } from '@aws-sdk/client-dynamodb';
import type { ItemChange } from './item-change.ts';
import { regionOf, streamLabel, type StreamSpec } from './stream-spec.ts';
import type { StreamRecord, StreamViewType, TableStream } from './table-stream.ts';

/**
 * A stream-enabled table's stream in the stack's thread: the changes the DynamoDB thread captured
 * (stream-capture.ts), each given its SequenceNumber and eventID as it is appended, kept 24 hours
 * as DynamoDB keeps them and at most `retainRecords` (the oldest trimmed first), on one shard.
 *
 * Sequence numbers are 21-digit decimal strings, increasing by one per record
 * ("100000000000000000001", …): AWS's are 21 digits or more and only their order means anything.
 */

const RETAIN_MS = 24 * 60 * 60 * 1000;
/** About 1 KB a record: at most ~100 MB held for a stream nobody reads. */
export const DEFAULT_RETAIN_RECORDS = 100_000;
const SEQUENCE_DIGITS = 20;

/** What DescribeStream says of a stream beyond the contract. */
export interface StreamDetails {
  keySchema: KeySchemaElement[];
  /** epoch ms */
  createdAt: number;
  /** the stream's label (from its ARN) */
  label: string;
  /** the sequence number of the oldest record kept (undefined: none kept) */
  trimHorizon(): string | undefined;
}

export interface LocalTableStreamOptions {
  keySchema: KeySchemaElement[];
  retainRecords?: number;
  now?: () => number;
}

export class LocalTableStream implements TableStream, StreamDetails {
  readonly arn: string;
  readonly tableName: string;
  readonly viewType: StreamViewType;
  readonly keySchema: KeySchemaElement[];
  readonly createdAt: number;
  readonly label: string;
  readonly shardId: string;
  private readonly region: string;
  private readonly retain: number;
  private readonly now: () => number;
  /** records[head..] are kept; records[head] has sequence counter `headCounter` */
  private records: StreamRecord[] = [];
  private head = 0;
  private headCounter = 1;
  private readonly appendedAt: number[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(spec: StreamSpec, options: LocalTableStreamOptions) {
    this.arn = spec.arn;
    this.tableName = spec.tableName;
    this.viewType = spec.viewType;
    this.keySchema = options.keySchema;
    this.label = streamLabel(spec.arn);
    this.region = regionOf(spec.arn);
    this.retain = Math.max(1, options.retainRecords ?? DEFAULT_RETAIN_RECORDS);
    this.now = options.now ?? Date.now;
    this.createdAt = this.now();
    // AWS's form: shardId-<20 digits>-<8 hex>
    this.shardId = `shardId-${String(this.createdAt).padStart(20, '0')}-${randomBytes(4).toString('hex')}`;
  }

  shards(): string[] {
    return [this.shardId];
  }

  /** Gives each change its sequence number and event id, keeps it, then tells the listeners. */
  append(changes: readonly ItemChange[]): void {
    if (changes.length === 0) return;
    const at = this.now();
    for (const c of changes) {
      const dynamodb: StreamRecord['dynamodb'] = { ApproximateCreationDateTime: c.ApproximateCreationDateTime, Keys: c.Keys, SequenceNumber: sequenceOf(this.headCounter + this.records.length - this.head), SizeBytes: c.SizeBytes, StreamViewType: this.viewType };
      if (c.NewImage) dynamodb.NewImage = c.NewImage;
      if (c.OldImage) dynamodb.OldImage = c.OldImage;
      this.records.push({ eventID: randomUUID().replace(/-/g, ''), eventName: c.eventName, eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: this.region, dynamodb, eventSourceARN: this.arn });
      this.appendedAt.push(at);
    }
    this.trim(at);
    for (const listener of [...this.listeners]) listener();
  }

  read(shardId: string, after: string | undefined, max: number): StreamRecord[] {
    if (shardId !== this.shardId || max <= 0) return [];
    this.trim(this.now());
    let from = this.head;
    if (after !== undefined) from = Math.max(this.head, this.head + counterOf(after) + 1 - this.headCounter);
    return this.records.slice(from, Math.min(this.records.length, from + max));
  }

  latestSequence(): string {
    const last = this.headCounter + this.records.length - this.head - 1;
    return last >= 1 ? sequenceOf(last) : '0';
  }

  trimHorizon(): string | undefined {
    this.trim(this.now());
    return this.head < this.records.length ? sequenceOf(this.headCounter) : undefined;
  }

  onAppend(listener: () => void): () => void {
    const own = () => listener();
    this.listeners.add(own);
    return () => this.listeners.delete(own);
  }

  /** Records beyond the count, or older than 24 hours, leave; the array is compacted now and then. */
  private trim(now: number): void {
    let head = this.head;
    const kept = () => this.records.length - head;
    while (kept() > this.retain || (kept() > 0 && now - this.appendedAt[head]! > RETAIN_MS)) head++;
    this.headCounter += head - this.head;
    this.head = head;
    if (head > 1024 && head * 2 > this.records.length) {
      this.records = this.records.slice(head);
      this.appendedAt.splice(0, head);
      this.head = 0;
    }
  }
}

/** The record's sequence number of counter n (1, 2, …). */
export function sequenceOf(n: number): string {
  return `1${String(n).padStart(SEQUENCE_DIGITS, '0')}`;
}

/** The counter of a sequence number (≤ 0 for one before every record, e.g. '0'). */
export function counterOf(sequence: string): number {
  if (!/^\d+$/.test(sequence)) return 0;
  return Number(BigInt(sequence) - 10n ** BigInt(SEQUENCE_DIGITS));
}
