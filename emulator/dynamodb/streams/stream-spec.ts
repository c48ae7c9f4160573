import type { StreamViewType } from './table-stream.ts';

/** A table's stream as startDynamoDb is given it: TableDescription.stream with its table's name. */
export interface StreamSpec {
  tableName: string;
  viewType: StreamViewType;
  /** arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label> */
  arn: string;
}

/** The stream's label: the part of its ARN after `/stream/` (DynamoDB's is the creation time, e.g. 2026-01-01T00:00:00.000). */
export function streamLabel(arn: string): string {
  const at = arn.lastIndexOf('/stream/');
  return at < 0 ? '' : arn.slice(at + '/stream/'.length);
}

/** The region an ARN names (its fourth field). */
export function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/**
 * What DescribeTable (and CreateTable) answer of a table with a stream: dynalite keeps no
 * StreamSpecification, so the metering front adds these to its answer.
 */
export function streamFields(spec: StreamSpec): Record<string, unknown> {
  return {
    StreamSpecification: { StreamEnabled: true, StreamViewType: spec.viewType },
    LatestStreamArn: spec.arn,
    LatestStreamLabel: streamLabel(spec.arn),
  };
}
