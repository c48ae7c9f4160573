import { startAwsJsonServer, type AwsJsonServer } from '../../aws-json-server.ts';
import { AwsApiError } from '../../cloudwatch/aws-json.ts';
import type { IamGate } from '../../iam/iam-gate.ts';
import { checkNotExpired, decodeIterator, encodeIterator } from './shard-iterator.ts';
import { sequenceOf, type StreamDetails } from './local-table-stream.ts';
import { streamLabel } from './stream-spec.ts';
import type { StreamRecord, TableStream } from './table-stream.ts';

/**
 * The emulator's DynamoDB Streams endpoint, for code that reads a stream itself (a Lambda event
 * source mapping reads the TableStream directly): AWS JSON 1.0,
 * `X-Amz-Target: DynamoDBStreams_20120810.<Op>`, the protocol the SDK's DynamoDBStreamsClient
 * speaks. ListStreams, DescribeStream, GetShardIterator (TRIM_HORIZON, LATEST,
 * AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER) and GetRecords (Limit up to 1,000, iterators
 * expiring after 15 minutes). With an IAM gate a function's call is asked of its role:
 * `dynamodb:<Operation>` on the stream's ARN (ListStreams on `*`), refused with a 400
 * AccessDeniedException.
 */

export type ServedStream = TableStream & Partial<StreamDetails>;

export interface DynamoDbStreamsServerOptions {
  streams: readonly ServedStream[];
  host?: string;
  /** 0 (the default): any free port */
  port?: number;
  iam?: IamGate;
  /** epoch ms; iterators expire by it */
  now?: () => number;
}

type Json = Record<string, unknown>;

const MAX_RECORDS = 1000;
const MAX_STREAMS = 100;

export function startDynamoDbStreamsServer(options: DynamoDbStreamsServerOptions): Promise<AwsJsonServer> {
  const api = new StreamsApi(options.streams, options.now ?? Date.now);
  return startAwsJsonServer(
    {
      DynamoDBStreams_20120810: {
        contentType: 'application/x-amz-json-1.0',
        queryCompatible: false,
        operations: {
          ListStreams: (body) => api.listStreams(asJson(body)),
          DescribeStream: (body) => api.describeStream(asJson(body)),
          GetShardIterator: (body) => api.getShardIterator(asJson(body)),
          GetRecords: (body) => api.getRecords(asJson(body)),
        },
        access: { of: (operation, body) => [{ action: `dynamodb:${operation}`, resource: api.resourceOf(operation, asJson(body)) }], status: 400 },
      },
    },
    options.host ?? '127.0.0.1',
    options.port ?? 0,
    options.iam,
  );
}

class StreamsApi {
  constructor(
    private readonly streams: readonly ServedStream[],
    private readonly now: () => number,
  ) {}

  resourceOf(operation: string, body: Json): string {
    if (operation === 'ListStreams') return '*';
    if (operation === 'GetRecords') {
      try {
        return decodeIterator(body.ShardIterator).streamArn;
      } catch {
        return '*';
      }
    }
    return typeof body.StreamArn === 'string' ? body.StreamArn : '*';
  }

  listStreams(body: Json): Json {
    const limit = integerIn(body.Limit, 'limit', 1, MAX_STREAMS) ?? MAX_STREAMS;
    let list = this.streams.filter((s) => body.TableName === undefined || s.tableName === body.TableName);
    if (typeof body.ExclusiveStartStreamArn === 'string') {
      const at = list.findIndex((s) => s.arn === body.ExclusiveStartStreamArn);
      list = at < 0 ? [] : list.slice(at + 1);
    }
    const page = list.slice(0, limit);
    const out: Json = { Streams: page.map((s) => ({ StreamArn: s.arn, TableName: s.tableName, StreamLabel: labelOf(s) })) };
    if (list.length > limit) out.LastEvaluatedStreamArn = page[page.length - 1]!.arn;
    return out;
  }

  describeStream(body: Json): Json {
    const stream = this.stream(body.StreamArn);
    integerIn(body.Limit, 'limit', 1, MAX_STREAMS);
    const shards = stream.shards();
    const start = typeof body.ExclusiveStartShardId === 'string' ? shards.indexOf(body.ExclusiveStartShardId) + 1 : 0;
    return {
      StreamDescription: {
        StreamArn: stream.arn,
        StreamLabel: labelOf(stream),
        StreamStatus: 'ENABLED',
        StreamViewType: stream.viewType,
        CreationRequestDateTime: (stream.createdAt ?? this.now()) / 1000,
        TableName: stream.tableName,
        KeySchema: stream.keySchema ?? [],
        // the one shard is open: no EndingSequenceNumber
        Shards: shards.slice(start).map((ShardId) => ({ ShardId, SequenceNumberRange: { StartingSequenceNumber: FIRST_SEQUENCE } })),
      },
    };
  }

  getShardIterator(body: Json): Json {
    const stream = this.stream(body.StreamArn);
    const shardId = body.ShardId;
    if (typeof shardId !== 'string' || !stream.shards().includes(shardId)) {
      throw new AwsApiError('ResourceNotFoundException', `Requested resource not found: Shard: ${String(shardId)} in Stream: ${stream.arn} not found`);
    }
    const type = body.ShardIteratorType;
    let after: string | undefined;
    if (type === 'TRIM_HORIZON') after = undefined;
    else if (type === 'LATEST') after = stream.latestSequence();
    else if (type === 'AT_SEQUENCE_NUMBER' || type === 'AFTER_SEQUENCE_NUMBER') {
      const sequence = body.SequenceNumber;
      if (typeof sequence !== 'string' || !/^\d{1,40}$/.test(sequence)) {
        throw new AwsApiError('ValidationException', `Invalid SequenceNumber: ${String(sequence)} (${type} needs the SequenceNumber of a record)`);
      }
      const horizon = this.trimHorizon(stream, shardId);
      if (horizon !== undefined && BigInt(sequence) < BigInt(horizon)) throw trimmed();
      after = type === 'AT_SEQUENCE_NUMBER' ? (BigInt(sequence) - 1n).toString() : sequence;
    } else {
      throw new AwsApiError('ValidationException', `1 validation error detected: Value '${String(type)}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST]`);
    }
    return { ShardIterator: encodeIterator({ streamArn: stream.arn, shardId, after, issuedAt: this.now() }) };
  }

  getRecords(body: Json): Json {
    const limit = integerIn(body.Limit, 'limit', 1, MAX_RECORDS) ?? MAX_RECORDS;
    const position = decodeIterator(body.ShardIterator);
    const now = this.now();
    checkNotExpired(position, now);
    const stream = this.stream(position.streamArn);
    if (!stream.shards().includes(position.shardId)) throw new AwsApiError('ResourceNotFoundException', `Requested resource not found: Shard: ${position.shardId} in Stream: ${stream.arn} not found`);
    const horizon = this.trimHorizon(stream, position.shardId);
    if (position.after !== undefined && horizon !== undefined && BigInt(position.after) + 1n < BigInt(horizon)) throw trimmed();
    const records = stream.read(position.shardId, position.after, limit);
    const last = records[records.length - 1];
    const after = last ? last.dynamodb.SequenceNumber : position.after;
    return {
      Records: records.map(apiRecord),
      NextShardIterator: encodeIterator({ streamArn: stream.arn, shardId: position.shardId, after, issuedAt: now }),
    };
  }

  private stream(arn: unknown): ServedStream {
    const stream = typeof arn === 'string' ? this.streams.find((s) => s.arn === arn) : undefined;
    if (!stream) throw new AwsApiError('ResourceNotFoundException', `Requested resource not found: Stream: ${String(arn)} not found`);
    return stream;
  }

  private trimHorizon(stream: ServedStream, shardId: string): string | undefined {
    return stream.trimHorizon ? stream.trimHorizon() : stream.read(shardId, undefined, 1)[0]?.dynamodb.SequenceNumber;
  }
}

const FIRST_SEQUENCE = sequenceOf(1);

/** A record as GetRecords answers it: Lambda's eventSourceARN is not part of it. */
function apiRecord(r: StreamRecord): Json {
  return { eventID: r.eventID, eventName: r.eventName, eventVersion: r.eventVersion, eventSource: r.eventSource, awsRegion: r.awsRegion, dynamodb: r.dynamodb };
}

function labelOf(s: ServedStream): string {
  return s.label ?? streamLabel(s.arn);
}

function trimmed(): AwsApiError {
  return new AwsApiError('TrimmedDataAccessException', 'The operation attempted to read past the oldest stream record in a shard.');
}

function integerIn(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AwsApiError('ValidationException', `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must have value between ${min} and ${max}`);
  }
  return value;
}

function asJson(body: unknown): Json {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Json) : {};
}
