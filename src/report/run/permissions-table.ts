import type { PermissionsSection } from '../../contracts/permissions-schema.ts';

/**
 * results.permissions as rows every page shows alike (console, summary.md, index.html): per
 * function its role, how many of its grants the run used none of (and the first few), what it
 * used, and the least-privilege policy; or why it was not observable; or, for a function the run
 * never had call AWS, that no grant was judged (nothing says which it needs: no "5 of 5 unused",
 * no empty policy). Pure.
 */
export interface PermissionsRow {
  function: string;
  role: string;
  /** "3 of 17", "none judged" (no AWS call), or "not observable" */
  unusedCount: string;
  /** the unused grants, shortened: `dynamodb:* on *` */
  unused: string[];
  used: string[];
  /** the policy of what was used, as JSON; absent where not observable or nothing was called */
  policy?: string;
  /** why not observable */
  note?: string;
  /** observed, but the run had it make no AWS call: its grants are not judged */
  noCall?: true;
}

/** What a function that made no AWS call is said to be, on every page: its grants were not judged. */
export const NO_CALL_TEXT = 'no AWS call in the run, so no grant judged';
/** Its cell where others say "3 of 17". */
export const NO_CALL_COUNT = 'none judged';

/** An ARN's resource part where the rest adds nothing to read (`table/x`, `abc123/Prod/POST/@connections/*`). */
export function shortResource(arn: string): string {
  if (arn === '*' || !arn.startsWith('arn:')) return arn;
  return arn.split(':').slice(5).join(':') || arn;
}

const grantText = (g: { action: string; resource: string }) => `${g.action} on ${shortResource(g.resource)}`;

export function permissionsRows(p: PermissionsSection | undefined): PermissionsRow[] {
  return (p?.functions ?? []).map((f) => {
    const role = f.role ? f.role.slice(f.role.lastIndexOf('/') + 1) : '?';
    if (f.status !== 'observed') return { function: f.function, role, unusedCount: 'not observable', unused: [], used: [], ...(f.note ? { note: f.note } : {}) };
    if ((f.used ?? []).length === 0) return { function: f.function, role, unusedCount: NO_CALL_COUNT, unused: [], used: [], noCall: true };
    return {
      function: f.function,
      role,
      unusedCount: `${f.unused?.length ?? 0} of ${f.granted?.length ?? 0}`,
      unused: (f.unused ?? []).map(grantText),
      used: (f.used ?? []).map(grantText),
      policy: JSON.stringify(f.leastPrivilege),
    };
  });
}

/** The console's line for a function with unused grants, its lists summarised: "fn: 22 of 24 grants unused (dynamodb:GetItem on table/x, … 21 more); used 2 actions". */
export function permissionsLine(row: PermissionsRow, shown = 1): string {
  const more = row.unused.length > shown ? `, … ${row.unused.length - shown} more` : '';
  const used = row.used.length === 1 ? row.used[0] : `${row.used.length} actions`;
  return `${row.function}: ${row.unusedCount} grants unused (${row.unused.slice(0, shown).join(', ')}${more}); used ${used}`;
}
