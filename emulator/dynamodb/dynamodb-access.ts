/**
 * The IAM actions and resources one DynamoDB request needs, as DynamoDB authorizes it (DynamoDB
 * Developer Guide, "Actions, resources, and condition keys for Amazon DynamoDB"): `dynamodb:<Operation>`
 * on the table's ARN, on the index's (`table/<name>/index/<index>`) for a Query or Scan of one;
 * a batch needs its action on every table it names; a transaction the action of each of its items
 * (PutItem, UpdateItem, DeleteItem, ConditionCheckItem, GetItem) on each item's table; ListTables
 * is on `*`.
 */
export interface Access {
  action: string;
  resource: string;
}

type Json = Record<string, unknown>;

const TRANSACT_ITEM_ACTIONS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

export function dynamoDbAccess(operation: string, request: Json, tableArn: (table: string) => string): Access[] {
  const action = `dynamodb:${operation}`;
  if (operation === 'ListTables') return [{ action, resource: '*' }];
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    const items = request.RequestItems;
    return items && typeof items === 'object' ? Object.keys(items).map((t) => ({ action, resource: tableArn(t) })) : [];
  }
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const out: Access[] = [];
    for (const item of Array.isArray(request.TransactItems) ? (request.TransactItems as Json[]) : []) {
      for (const [kind, body] of Object.entries(item ?? {})) {
        const table = (body as Json | undefined)?.TableName;
        if (TRANSACT_ITEM_ACTIONS[kind] && typeof table === 'string') out.push({ action: `dynamodb:${TRANSACT_ITEM_ACTIONS[kind]}`, resource: tableArn(table) });
      }
    }
    return out;
  }
  const table = request.TableName;
  if (typeof table !== 'string') return [];
  const index = (operation === 'Query' || operation === 'Scan') && typeof request.IndexName === 'string' ? `/index/${request.IndexName}` : '';
  return [{ action, resource: `${tableArn(table)}${index}` }];
}
