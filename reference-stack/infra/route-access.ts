import { Stack } from 'aws-cdk-lib';
import type { IWebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { LOG_ACTIONS, PUSH_QUEUE_ACTIONS, type RouteAccess, type TableKey } from '../functions/route-access.ts';

export interface AccessTargets {
  tables: Record<TableKey, ITable>;
  api: IWebSocketApi;
  stageName: string;
  logGroup: ILogGroup;
  /** the queued push's queue, for the functions that send to it or consume it */
  pushQueue?: IQueue;
}

/**
 * Adds a route's statements to its function's role: its DynamoDB calls (one statement per table
 * or index), @connections posts on this API's stage only, the push queue's actions, and writing to its own log group (the
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
  if (access.pushQueue) {
    if (!on.pushQueue) throw new Error('a function uses the push queue and the stack has none');
    // written out, not grantSendMessages: the actions stay the list functions/route-access.ts gives
    role.addToPrincipalPolicy(statement([...PUSH_QUEUE_ACTIONS[access.pushQueue]], on.pushQueue.queueArn));
  }
  // The group exists (the stack creates it), so creating it is not needed: streams and events only.
  role.addToPrincipalPolicy(statement([...LOG_ACTIONS], on.logGroup.logGroupArn));
}

function statement(actions: string[], resource: string): PolicyStatement {
  return new PolicyStatement({ effect: Effect.ALLOW, actions, resources: [resource] });
}
