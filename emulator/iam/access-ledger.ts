/**
 * Every call a function's role was asked about, allowed or denied, counted by function, action
 * and resource: the denials explain a failed run, the allowed calls are what the function used
 * (common/iam/least-privilege.ts writes its policy from them). Kept in memory where the calls are checked;
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

  /**
   * The record that counts this function's calls of an action on a resource with a decision (a
   * new one at count 0 the first time): the caller keeps it and counts each call on it, so a
   * cached call costs no key here.
   */
  recordFor(fn: string, role: string, action: string, resource: string, decision: AccessRecord['decision']): AccessRecord {
    const key = `${fn}\u0000${action}\u0000${resource}\u0000${decision}`;
    let r = this.records.get(key);
    if (!r) this.records.set(key, (r = { function: fn, role, action, resource, decision, count: 0 }));
    return r;
  }

  entries(): AccessRecord[] {
    return [...this.records.values()].map((r) => ({ ...r }));
  }
}
