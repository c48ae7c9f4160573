import type { StreamRecord } from '../dynamodb/streams/table-stream.ts';

/**
 * What a DynamoDB stream mapping sends its OnFailure destination for records it discards (Lambda
 * developer guide, "… DynamoDB", on-failure destinations): the invocation's context and the
 * batch's place in the stream (shard, first and last sequence numbers, arrival times), not the
 * records themselves, which stay readable in the stream for 24 hours.
 */
export type StreamDiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export interface StreamFailureRecord {
  requestContext: { requestId: string; functionArn: string; condition: StreamDiscardCondition; approximateInvokeCount: number };
  responseContext: { statusCode: number; executedVersion: '$LATEST'; functionError?: string };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface FailureInput {
  requestId: string;
  functionArn: string;
  condition: StreamDiscardCondition;
  invokeCount: number;
  /** the last attempt: a function error, or a throttle (429) */
  functionError?: string;
  statusCode: number;
  shardId: string;
  streamArn: string;
  records: readonly StreamRecord[];
  timestamp: number;
}

export function streamFailureRecord(input: FailureInput): StreamFailureRecord {
  const first = input.records[0]!;
  const last = input.records[input.records.length - 1]!;
  const arrival = (r: StreamRecord) => new Date(r.dynamodb.ApproximateCreationDateTime * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    requestContext: { requestId: input.requestId, functionArn: input.functionArn, condition: input.condition, approximateInvokeCount: input.invokeCount },
    responseContext: { statusCode: input.statusCode, executedVersion: '$LATEST', ...(input.functionError ? { functionError: input.functionError } : {}) },
    version: '1.0',
    timestamp: new Date(input.timestamp).toISOString(),
    DDBStreamBatchInfo: {
      shardId: input.shardId,
      startSequenceNumber: first.dynamodb.SequenceNumber,
      endSequenceNumber: last.dynamodb.SequenceNumber,
      approximateArrivalOfFirstRecord: arrival(first),
      approximateArrivalOfLastRecord: arrival(last),
      batchSize: input.records.length,
      streamArn: input.streamArn,
    },
  };
}
