import type { IncomingHttpHeaders } from 'node:http';
import type { IamGate } from '../iam/iam-gate.ts';

/**
 * Who may call @connections: `execute-api:ManageConnections` on
 * `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<POST|GET|DELETE>/@connections/{connectionId}`
 * (API Gateway, "Control access to WebSocket APIs with IAM authorization"). AWS's denial names that
 * resource with the connection id as the literal `{connectionId}` and the account masked but its
 * last four digits: the resource asked about is that one, so a post is one cached decision per
 * function and method whatever the connection. The ledger counts it under
 * `…/<method>/@connections/*`, the grant a policy gives (and common/iam/least-privilege.ts writes back), so
 * it holds one line per function and method, not one per connection.
 */
export type ConnectionsMethod = 'POST' | 'GET' | 'DELETE';

export class ConnectionsAccess {
  private readonly resources: Record<ConnectionsMethod, { evaluated: string; masked: string; recorded: string }>;

  constructor(
    private readonly gate: IamGate,
    private readonly apiId: string,
    stage: string,
  ) {
    const arn = (account: string, method: string, id: string) => `arn:aws:execute-api:${gate.region}:${account}:${apiId}/${stage}/${method}/@connections/${id}`;
    const masked = `********${gate.accountId.slice(-4)}`;
    const of = (m: ConnectionsMethod) => ({ evaluated: arn(gate.accountId, m, '{connectionId}'), masked: arn(masked, m, '{connectionId}'), recorded: arn(gate.accountId, m, '*') });
    this.resources = { POST: of('POST'), GET: of('GET'), DELETE: of('DELETE') };
  }

  /** A post to `endpoint`, an API the stack does not have (`apiId`), counted for the harness; the function that made it, where its request names one. */
  foreignPost(headers: IncomingHttpHeaders, endpoint: string, apiId: string): string | null {
    return this.gate.foreignPost(headers, endpoint, apiId, this.apiId);
  }

  /** The refusal's message (AWS's words), or undefined when the call may go on; a caller that is no function is not asked about. */
  refuses(method: ConnectionsMethod, headers: IncomingHttpHeaders): string | undefined {
    const principal = this.gate.principalOf(headers);
    if (!principal) return undefined;
    const r = this.resources[method];
    return this.gate.refuses(principal, 'execute-api:ManageConnections', r.evaluated, {
      recordAs: r.recorded,
      words: (user) => `User: ${user} is not authorized to perform: execute-api:ManageConnections on resource: ${r.masked}`,
    });
  }
}
