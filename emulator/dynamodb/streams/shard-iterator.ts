import { AwsApiError } from '../../cloudwatch/aws-json.ts';

/**
 * A DynamoDB Streams shard iterator: where a reader is in a shard, and when the iterator was
 * handed out. DynamoDB's iterators look like `<stream arn>|1|<opaque>` and expire 15 minutes
 * after they are issued (GetRecords then answers ExpiredIteratorException).
 */
export const ITERATOR_LIFETIME_MS = 15 * 60 * 1000;

export interface ShardPosition {
  streamArn: string;
  shardId: string;
  /** read records after this sequence number (undefined: from the trim horizon) */
  after: string | undefined;
  /** epoch ms when issued */
  issuedAt: number;
}

export function encodeIterator(p: ShardPosition): string {
  const opaque = Buffer.from(JSON.stringify([p.shardId, p.after ?? null, p.issuedAt])).toString('base64');
  return `${p.streamArn}|1|${opaque}`;
}

/** The position an iterator holds; a ValidationException for what is none of ours. */
export function decodeIterator(iterator: unknown): ShardPosition {
  const invalid = () => new AwsApiError('ValidationException', 'Invalid ShardIterator');
  if (typeof iterator !== 'string') throw new AwsApiError('ValidationException', "1 validation error detected: Value null at 'shardIterator' failed to satisfy constraint: Member must not be null");
  const [streamArn, version, opaque] = iterator.split('|');
  if (!streamArn || version !== '1' || !opaque) throw invalid();
  try {
    const [shardId, after, issuedAt] = JSON.parse(Buffer.from(opaque, 'base64').toString('utf8')) as [unknown, unknown, unknown];
    if (typeof shardId !== 'string' || (after !== null && typeof after !== 'string') || typeof issuedAt !== 'number') throw invalid();
    return { streamArn, shardId, after: after ?? undefined, issuedAt };
  } catch {
    throw invalid();
  }
}

/** GetRecords with an iterator older than 15 minutes. */
export function checkNotExpired(p: ShardPosition, now: number): void {
  if (now - p.issuedAt <= ITERATOR_LIFETIME_MS) return;
  throw new AwsApiError(
    'ExpiredIteratorException',
    `Iterator expired. The iterator was created at time ${new Date(p.issuedAt).toUTCString()} while right now it's ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_MS} milliseconds.`,
  );
}
