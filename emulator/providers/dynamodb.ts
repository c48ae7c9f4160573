import { startDynamoDb } from '../dynamodb/dynamodb-thread.ts';
import type { Provider } from './provider.ts';

/** DynamoDB: dynalite behind the metering front on its own thread, the stack's tables ACTIVE, their streams captured. */
export const dynamodbProvider: Provider<'dynamodb'> = {
  name: 'dynamodb',
  what: 'dynamodb',
  after: ['gateway'],
  start: ({ config, stack, metrics, iam, log }) =>
    startDynamoDb({
      path: config.dynamodb.inMemory ? undefined : config.dynamodb.path,
      tables: stack.tables.map((t) => t.definition),
      streams: stack.tables.flatMap((t) => (t.stream ? [{ tableName: t.definition.TableName, viewType: t.stream.viewType, arn: t.stream.arn }] : [])),
      region: config.region,
      metrics,
      throttleShare: config.faults.dynamodbThrottleShare,
      ...(iam && config.iam !== 'off' ? { iam: { mode: config.iam, grants: iam, region: config.region, accountId: config.accountId }, log } : {}),
    }),
  edge: (dynamodb) => ({ dynamodb: dynamodb.handle }),
  endpoints: (dynamodb) => ({ dynamodb: dynamodb.endpoint }),
};
