import { AccessLedger, type AccessRecord } from './access-ledger.ts';
import type { IamMode } from './execution-role.ts';
import type { PolicyStatement } from '../../common/iam/policy-document.ts';
import { evaluate, type Decision } from '../../common/iam/policy-evaluation.ts';

/**
 * The one question every service asks IAM: may this principal do this action on this resource?
 * A principal is a function running under its execution role (an assumed-role session); its
 * decisions are cached per function, action and resource, and every answer is counted in the
 * ledger. A caller that is no function of the stack (the harness, the emulator itself) is not
 * asked about.
 */
export interface RolePrincipal {
  function: string;
  role: string;
  roleArn: string;
}

export interface Authorization extends Decision {
  /** false in `report` mode for a denied call: it goes through, and is only recorded */
  enforced: boolean;
  /** the first time this function met this decision on this action and resource */
  first: boolean;
}

/** A cached decision with the ledger record that counts it: a cached call is two map reads and a count. */
interface Cached {
  decision: Decision;
  record: AccessRecord;
}

/** Decisions kept per function; a service that names unbounded resources (one per item) cannot grow it past this. */
const MAX_CACHED_PER_FUNCTION = 50_000;

export class IamAuthorizer {
  readonly ledger = new AccessLedger();
  private readonly cache = new Map<string, Map<string, Cached>>();
  private readonly enforced: boolean;

  constructor(
    readonly mode: Exclude<IamMode, 'off'>,
    private readonly roles: ReadonlyMap<string, readonly PolicyStatement[]>,
    readonly accountId: string,
  ) {
    this.enforced = mode === 'enforce';
  }

  /**
   * `recordAs`: the resource the ledger counts the call under when it is not the one evaluated
   * (the @connections pattern for a post's resource), so the ledger stays one line per grant.
   */
  authorize(principal: RolePrincipal, action: string, resource: string, recordAs?: string): Authorization {
    let decisions = this.cache.get(principal.function);
    if (!decisions) this.cache.set(principal.function, (decisions = new Map()));
    const key = `${action}\u0000${resource}`;
    let cached = decisions.get(key);
    if (!cached) {
      const decision = this.decide(principal, action, resource);
      const record = this.ledger.recordFor(principal.function, principal.role, action, recordAs ?? resource, decision.allowed ? 'allowed' : decision.reason!);
      if (decisions.size >= MAX_CACHED_PER_FUNCTION) decisions.clear();
      decisions.set(key, (cached = { decision, record }));
    }
    const first = cached.record.count++ === 0;
    const d = cached.decision;
    return { allowed: d.allowed, reason: d.reason, statement: d.statement, enforced: this.enforced, first };
  }

  /**
   * Counts a call the service makes itself with the function's role (Lambda writing its logs) where
   * the role allows it; where it does not, AWS fails nothing the function sees, so nothing is counted.
   */
  recordIfAllowed(principal: RolePrincipal, action: string, resource: string): void {
    if (this.decide(principal, action, resource).allowed) this.ledger.recordFor(principal.function, principal.role, action, resource, 'allowed').count++;
  }

  /** What the function's role says of `action` on `resource`, uncached. */
  private decide(principal: RolePrincipal, action: string, resource: string): Decision {
    return evaluate(this.roles.get(principal.roleArn) ?? [], action, resource);
  }

  /** The caller as AWS names it: `arn:aws:sts::<account>:assumed-role/<role>/<function>`. */
  principalArn(principal: RolePrincipal): string {
    return `arn:aws:sts::${this.accountId}:assumed-role/${principal.role}/${principal.function}`;
  }

  /** AWS's words for a denial: `User: arn:aws:sts::…:assumed-role/<role>/<function> is not authorized to perform: <action> on resource: <arn> …`. */
  denialMessage(principal: RolePrincipal, action: string, resource: string, reason: Decision['reason']): string {
    const why = reason === 'explicit-deny' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
    // an action on no particular resource (`*`: ListSecrets, PutMetricData) is refused without one, as AWS words it
    return `User: ${this.principalArn(principal)} is not authorized to perform: ${action}${resource === '*' ? '' : ` on resource: ${resource}`} ${why}`;
  }
}
