/**
 * Every call a function's role was asked about, allowed or denied, counted by function, action
 * and resource: the denials explain a failed run, the allowed calls are what the function used
 * (least-privilege.ts writes its policy from them). Kept in memory where the calls are checked;
 * `entries()` is what a service hands on.
 */
export interface AccessRecord {
  function: string;
  role: string;
  action: string;
  resource: string;
  /** what IAM decided; in `report` mode a denied call still went through */
  decision: 'allowed' | 'explicit-deny' | 'no-allow';
  count: number;
}

export class AccessLedger {
  private readonly records = new Map<string, AccessRecord>();

  /** Counts one call; true the first time this function met this decision on this action and resource. */
  record(fn: string, role: string, action: string, resource: string, decision: AccessRecord['decision']): boolean {
    const key = `${fn}\u0000${action}\u0000${resource}\u0000${decision}`;
    const r = this.records.get(key);
    if (r) {
      r.count++;
      return false;
    }
    this.records.set(key, { function: fn, role, action, resource, decision, count: 1 });
    return true;
  }

  entries(): AccessRecord[] {
    return [...this.records.values()].map((r) => ({ ...r }));
  }
}
