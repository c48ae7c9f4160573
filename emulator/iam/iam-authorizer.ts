import { AccessLedger } from './access-ledger.ts';
import type { IamMode } from './execution-role.ts';
import type { PolicyStatement } from './policy-document.ts';
import { evaluate, type Decision } from './policy-evaluation.ts';

/**
 * The one question every service asks IAM: may this principal do this action on this resource?
 * A principal is a function running under its execution role (an assumed-role session); its
 * decisions are cached per role, action and resource, and every answer is counted in the ledger.
 * A caller that is no function of the stack (the harness, the emulator itself) is not asked about.
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

/** Decisions kept per role; the @connections ARNs name each connection, so the cache is bounded. */
const MAX_CACHED_PER_ROLE = 50_000;

export class IamAuthorizer {
  readonly ledger = new AccessLedger();
  private readonly cache = new Map<string, Map<string, Decision>>();

  constructor(
    readonly mode: Exclude<IamMode, 'off'>,
    private readonly roles: ReadonlyMap<string, readonly PolicyStatement[]>,
    readonly accountId: string,
  ) {}

  authorize(principal: RolePrincipal, action: string, resource: string): Authorization {
    let decisions = this.cache.get(principal.roleArn);
    if (!decisions) this.cache.set(principal.roleArn, (decisions = new Map()));
    const key = `${action}\u0000${resource}`;
    let decision = decisions.get(key);
    if (!decision) {
      decision = evaluate(this.roles.get(principal.roleArn) ?? [], action, resource);
      if (decisions.size >= MAX_CACHED_PER_ROLE) decisions.clear();
      decisions.set(key, decision);
    }
    const first = this.ledger.record(principal.function, principal.role, action, resource, decision.allowed ? 'allowed' : decision.reason!);
    return { ...decision, enforced: this.mode === 'enforce', first };
  }

  /** AWS's words for a denial: `User: arn:aws:sts::…:assumed-role/<role>/<function> is not authorized to perform: <action> on resource: <arn> …`. */
  denialMessage(principal: RolePrincipal, action: string, resource: string, reason: Decision['reason']): string {
    const user = `arn:aws:sts::${this.accountId}:assumed-role/${principal.role}/${principal.function}`;
    const why = reason === 'explicit-deny' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
    return `User: ${user} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
  }
}
