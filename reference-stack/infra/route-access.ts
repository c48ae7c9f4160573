import { Stack } from 'aws-cdk-lib';
import type { IWebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { BY_CONNECTION_INDEX, type TABLE_DEFAULT_NAMES } from '../functions/shared/tables.ts';

export type TableKey = keyof typeof TABLE_DEFAULT_NAMES;

/** The DynamoDB operations the handlers call (IAM action names without the `dynamodb:` prefix). */
export type DynamoAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'Scan' | 'BatchWriteItem';

export interface TableGrant {
  table: TableKey;
  /** a global secondary index of the table (a Query on it needs the index's ARN, not the table's) */
  index?: string;
  actions: readonly DynamoAction[];
}

export interface RouteAccess {
  dynamodb: readonly TableGrant[];
  /** PostToConnection on this API's stage (execute-api:ManageConnections, POST only) */
  postsToConnections: boolean;
}

/**
 * Least privilege, route by route: exactly the DynamoDB calls each handler makes (its doc comment
 * and "SDK calls per route" in reference-stack/README.md list them), on the tables and index it
 * makes them on. CDK's grant helpers would give every reader Scan and the stream reads too; only
 * the naive broadcast scans. The 410 cleanup (shared/connections.ts removeConnections) is a Query
 * of byConnection and BatchWriteItem deletes of connection and member rows.
 */
const CLEANUP: readonly TableGrant[] = [
  { table: 'roomMembers', index: BY_CONNECTION_INDEX, actions: ['Query'] },
  { table: 'connections', actions: ['BatchWriteItem'] },
  { table: 'roomMembers', actions: ['BatchWriteItem'] },
];

export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  // putConnection
  $connect: { dynamodb: [{ table: 'connections', actions: ['PutItem'] }], postsToConnections: false },
  // removeConnections
  $disconnect: { dynamodb: CLEANUP, postsToConnections: false },
  $default: { dynamodb: [], postsToConnections: false },
  // setConnectionName
  setName: { dynamodb: [{ table: 'connections', actions: ['UpdateItem'] }], postsToConnections: false },
  // createRoom: conditional PutItem of the room's metadata item
  createRoom: { dynamodb: [{ table: 'messages', actions: ['PutItem'] }], postsToConnections: false },
  // roomExists (GetItem), addMember (PutItem), countMembers (Query COUNT)
  joinRoom: {
    dynamodb: [
      { table: 'messages', actions: ['GetItem'] },
      { table: 'roomMembers', actions: ['PutItem', 'Query'] },
    ],
    postsToConnections: false,
  },
  // removeMember: conditional DeleteItem
  leaveRoom: { dynamodb: [{ table: 'roomMembers', actions: ['DeleteItem'] }], postsToConnections: false },
  // listMembers (Query), getConnectionName (GetItem), putMessage (PutItem), then the 410 cleanup
  sendMessage: {
    dynamodb: [
      { table: 'roomMembers', actions: ['Query', 'BatchWriteItem'] },
      { table: 'roomMembers', index: BY_CONNECTION_INDEX, actions: ['Query'] },
      { table: 'connections', actions: ['GetItem', 'BatchWriteItem'] },
      { table: 'messages', actions: ['PutItem'] },
    ],
    postsToConnections: true,
  },
  whoami: { dynamodb: [], postsToConnections: false },
  // scanConnections (Scan), then the 410 cleanup
  broadcast: {
    dynamodb: [{ table: 'connections', actions: ['Scan', 'BatchWriteItem'] }, ...CLEANUP.filter((g) => g.table !== 'connections')],
    postsToConnections: true,
  },
};

export interface AccessTargets {
  tables: Record<TableKey, ITable>;
  api: IWebSocketApi;
  stageName: string;
  logGroup: ILogGroup;
}

/**
 * Adds a route's statements to its function's role: its DynamoDB calls (one statement per table
 * or index), @connections posts on this API's stage only, and writing to its own log group (the
 * role has no managed policy: AWSLambdaBasicExecutionRole would allow every log group, "*").
 */
export function grantRouteAccess(role: IRole, access: RouteAccess, on: AccessTargets): void {
  for (const grant of access.dynamodb) {
    const table = on.tables[grant.table];
    const resource = grant.index ? `${table.tableArn}/index/${grant.index}` : table.tableArn;
    role.addToPrincipalPolicy(statement(grant.actions.map((a) => `dynamodb:${a}`), resource));
  }
  if (access.postsToConnections) {
    const arn = Stack.of(on.api).formatArn({
      service: 'execute-api',
      resource: on.api.apiId,
      resourceName: `${on.stageName}/POST/@connections/*`,
    });
    role.addToPrincipalPolicy(statement(['execute-api:ManageConnections'], arn));
  }
  // The group exists (the stack creates it), so creating it is not needed: streams and events only.
  role.addToPrincipalPolicy(statement(['logs:CreateLogStream', 'logs:PutLogEvents'], on.logGroup.logGroupArn));
}

function statement(actions: string[], resource: string): PolicyStatement {
  return new PolicyStatement({ effect: Effect.ALLOW, actions, resources: [resource] });
}
