import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { UserError } from '../../common/errors.ts';
import { awsCallError } from '../aws/aws-call-errors.ts';
import type { TargetDiscovery } from '../contracts/target-schema.ts';

/**
 * The tables of an API found by id (`aws-api:`), which no stack lists: the ones `--table` names,
 * each confirmed with DescribeTable (a missing one is one line, exit 2); else every value of the
 * functions' environment variables that names a table that exists (DescribeTable), the way
 * tutorials hand a function its table (`TABLE_NAME`).
 */

/** A DynamoDB table name. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** A bound on the environment values tried. */
const MAX_CANDIDATES = 100;

export async function discoverTables(
  o: { dynamodb: DynamoDBClient; lambda: LambdaClient; functions: readonly string[]; named?: readonly string[]; subject: string; region?: string },
): Promise<{ tables: string[]; found: TargetDiscovery['found'] }> {
  const exists = async (name: string): Promise<boolean> => {
    try {
      await o.dynamodb.send(new DescribeTableCommand({ TableName: name }));
      return true;
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return false;
      throw awsCallError(err, { subject: o.subject, action: 'dynamodb:DescribeTable', service: 'DynamoDB', ...(o.region ? { region: o.region } : {}) });
    }
  };
  if (o.named && o.named.length > 0) {
    for (const name of o.named) {
      if (!(await exists(name))) throw new UserError(`--table: no DynamoDB table "${name}"${o.region ? ` in ${o.region}` : ''}`);
    }
    const tables = [...new Set(o.named)];
    return { tables, found: tables.map((t) => ({ what: 'table', value: t, from: '--table (DescribeTable)' })) };
  }
  const candidates = new Map<string, string>();
  for (const fn of o.functions) {
    let variables: Record<string, string> = {};
    try {
      variables = (await o.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }))).Environment?.Variables ?? {};
    } catch (err) {
      throw awsCallError(err, { subject: o.subject, action: 'lambda:GetFunctionConfiguration', service: 'Lambda', ...(o.region ? { region: o.region } : {}) });
    }
    for (const [key, value] of Object.entries(variables)) {
      if (TABLE_NAME.test(value) && !candidates.has(value) && candidates.size < MAX_CANDIDATES) candidates.set(value, `${fn}'s ${key}`);
    }
  }
  const tables: string[] = [];
  const found: TargetDiscovery['found'] = [];
  for (const [name, where] of candidates) {
    if (await exists(name)) {
      tables.push(name);
      found.push({ what: 'table', value: name, from: `environment variable ${where} (DescribeTable)` });
    }
  }
  return { tables, found };
}
