/**
 * The reference stack's DynamoDB tables as the harness knows them: the CloudWatch TableName
 * dimension and each table's global secondary indexes. Like the function list, it is kept here
 * (the harness uses no code of reference-stack/) and a test compares it with
 * reference-stack/functions/shared/tables.ts. The CDK app gives the tables these names.
 */
export interface BenchTable {
  name: string;
  globalIndexes: readonly string[];
}

export const REFERENCE_TABLES: readonly BenchTable[] = [
  { name: 'fanout-connections', globalIndexes: [] },
  { name: 'fanout-room-members', globalIndexes: ['byConnection'] },
  { name: 'fanout-messages', globalIndexes: [] },
];

/** DynamoDB's data-plane operations, as the Operation dimension names them. */
export const DYNAMO_OPERATIONS = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'] as const;
