/**
 * A table's DynamoDB stream, as a Lambda event source mapping reads it (event-sources/): the
 * records of every write the emulator served to a table whose StreamSpecification is set, in the
 * order the writes took effect, each item's records in order. Records are kept 24 hours, as
 * DynamoDB keeps them (bounded here by count, the oldest trimmed first).
 */
export interface TableStream {
  /** arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label> */
  readonly arn: string;
  readonly tableName: string;
  readonly viewType: StreamViewType;
  /** The stream's shards, oldest first (one open shard here). */
  shards(): string[];
  /**
   * Records of `shardId` after the sequence number `after` (undefined: from TRIM_HORIZON), at most
   * `max`. LATEST is `latestSequence()` taken when the mapping starts.
   */
  read(shardId: string, after: string | undefined, max: number): StreamRecord[];
  /** The sequence number of the newest record ('0' where there is none yet). */
  latestSequence(): string;
  /** Called after records are appended; returns the unsubscribe. */
  onAppend(listener: () => void): () => void;
}

export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

/** One record, in the shape Lambda's DynamoDB event carries it (`Records[]`). */
export interface StreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: '1.1';
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    /** epoch seconds */
    ApproximateCreationDateTime: number;
    Keys: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    /** increasing decimal digits, compared as numbers */
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
  eventSourceARN: string;
}
