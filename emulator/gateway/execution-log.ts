import { randomBytes } from 'node:crypto';
import type { LogSink } from '../cloudwatch/types.ts';

/**
 * API Gateway's execution log for the stage, in the emulator's CloudWatch Logs: the group
 * `API-Gateway-Execution-Logs_{apiId}/{stage}`, one event per line, each line led by the request's
 * id in parentheses, as AWS writes it. The emulator logs as a stage at ERROR level would: only
 * the requests API Gateway failed itself, here those whose function it may not invoke (no
 * AWS::Lambda::Permission). For each, the route and connection, the function's invocation URI,
 * AWS's failure line (an authorizer's adds "Authorizer error", as REST APIs log it) and the status.
 * The wording of the route line is assumed (docs/aws-facts.md); the failure line is AWS's.
 */
export const INVALID_PERMISSIONS = 'Execution failed due to configuration error: Invalid permissions on Lambda function';

export interface ExecutionLogPlace {
  apiId: string;
  stage: string;
  region: string;
  accountId: string;
}

export function executionLogGroup(apiId: string, stage: string): string {
  return `API-Gateway-Execution-Logs_${apiId}/${stage}`;
}

export class ExecutionLog {
  private readonly group: string;
  /** AWS names the group's streams by a hex id; one stream serves this gateway */
  private readonly stream = randomBytes(16).toString('hex');

  constructor(
    private readonly logs: LogSink,
    private readonly at: ExecutionLogPlace,
  ) {
    this.group = executionLogGroup(at.apiId, at.stage);
  }

  /** Lines of one request API Gateway failed (an AWS integration's call: aws-integration.ts), each led by the request's id. */
  write(requestId: string, lines: readonly string[]): void {
    const timestamp = Date.now();
    for (const line of lines) this.logs.append(this.group, this.stream, { timestamp, message: `(${requestId}) ${line}` });
  }

  /** A request failed because API Gateway may not invoke `functionName` (a route's, or the $connect authorizer's). */
  invalidPermissions(request: { requestId: string; connectionId: string; route: string; authorizer: boolean }, functionName: string, status: number): void {
    const { region, accountId } = this.at;
    const functionArn = `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
    const lines = [
      `WebSocket Request Route: [${request.route}], Connection Id: [${request.connectionId}]`,
      `Endpoint request URI: https://lambda.${region}.amazonaws.com/2015-03-31/functions/${functionArn}/invocations`,
      INVALID_PERMISSIONS,
      ...(request.authorizer ? ['Execution failed due to configuration error: Authorizer error'] : []),
      `Method completed with status: ${status}`,
    ];
    const timestamp = Date.now();
    for (const line of lines) this.logs.append(this.group, this.stream, { timestamp, message: `(${request.requestId}) ${line}` });
  }
}
