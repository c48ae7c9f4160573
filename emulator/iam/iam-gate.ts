import type { IncomingHttpHeaders } from 'node:http';
import type { IamGrants } from './role-sessions.ts';
import { IamAuthorizer, type RolePrincipal } from './iam-authorizer.ts';
import type { Decision } from '../../common/iam/policy-evaluation.ts';
import type { DenialLog } from './denial-log.ts';

/** What Lambda does with a function's role to write its logs. */
const LAMBDA_LOG_ACTIONS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

/**
 * What a service in the stack's own thread (the gateway's @connections, Parameter Store,
 * CloudWatch, the Lambda API) holds to ask IAM about a call: who the caller is, from the session
 * token its signed request carries (`X-Amz-Security-Token`), and the one question. A function's
 * first denial of an action on a resource is said once; the answer is the service's own.
 */
export class IamGate {
  readonly authorizer: IamAuthorizer;
  private readonly principals: ReadonlyMap<string, RolePrincipal>;
  /** the functions whose log writes recordLambdaLogs has counted */
  private readonly logsAsked = new Set<string>();
  /** where every refusal is written for the harness (denial-log.ts); set by the stack once it has its log store */
  denials: DenialLog | undefined;

  constructor(
    mode: 'enforce' | 'report',
    grants: IamGrants,
    readonly region: string,
    readonly accountId: string,
    private readonly log: (line: string) => void,
  ) {
    this.authorizer = new IamAuthorizer(mode, new Map(grants.roles), accountId);
    this.principals = new Map(grants.sessions.map((s) => [s.token, s]));
  }

  /**
   * Lambda writes a function's logs with its execution role (logs:CreateLogGroup where the group is
   * not there yet, logs:CreateLogStream, logs:PutLogEvents on its log group): a function that
   * logged used those grants, though its code made no such call. Counted once per function whose
   * log group exists, where its role allows them, so the ledger (and the least-privilege policy
   * written from it) keeps them instead of naming them unused.
   */
  recordLambdaLogs(hasLogGroup: (name: string) => boolean): void {
    for (const principal of this.principals.values()) {
      const group = `/aws/lambda/${principal.function}`;
      if (this.logsAsked.has(principal.function) || !hasLogGroup(group)) continue;
      this.logsAsked.add(principal.function);
      const arn = `arn:aws:logs:${this.region}:${this.accountId}:log-group:${group}:*`;
      for (const action of LAMBDA_LOG_ACTIONS) this.authorizer.recordIfAllowed(principal, action, arn);
    }
  }

  /** The function a request comes from; undefined for a caller that is no function of the stack (the harness). */
  principalOf(headers: IncomingHttpHeaders): RolePrincipal | undefined {
    const token = headers['x-amz-security-token'];
    return typeof token === 'string' ? this.principals.get(token) : undefined;
  }

  /**
   * Asks about one call: undefined when it may go on (allowed, or denied in `report` mode), else
   * the refusal's message. `words` is the service's wording of a denial (default: AWS's usual,
   * "… because no identity-based policy allows the <action> action"); `recordAs` the resource the
   * ledger counts the call under when it is not the one evaluated.
   */
  refuses(
    principal: RolePrincipal,
    action: string,
    resource: string,
    options: { words?: (user: string, reason: Decision['reason']) => string; recordAs?: string } = {},
  ): string | undefined {
    const decision = this.authorizer.authorize(principal, action, resource, options.recordAs);
    if (decision.allowed) return undefined;
    this.denials?.soon();
    const message = options.words
      ? options.words(this.authorizer.principalArn(principal), decision.reason)
      : this.authorizer.denialMessage(principal, action, resource, decision.reason);
    if (decision.first) this.log(`iam: ${decision.enforced ? 'denied' : 'would deny (report)'}: ${message}`);
    return decision.enforced ? message : undefined;
  }

  /**
   * A post to an API that is not the stack's: counted for the harness under the function that made
   * it (its session token; null where the request carries none the stack gave), which is returned.
   */
  foreignPost(headers: IncomingHttpHeaders, endpoint: string, apiId: string, stackApiId: string): string | null {
    const fn = this.principalOf(headers)?.function ?? null;
    this.denials?.foreignPost(fn, endpoint, apiId, stackApiId);
    return fn;
  }
}
