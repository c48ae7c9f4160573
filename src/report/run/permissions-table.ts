import type { PermissionsSection } from '../../contracts/permissions-schema.ts';

/**
 * results.permissions as rows every page shows alike (console, summary.md, index.html): per
 * function its role, how many of its grants the run used none of (and the first few), what it
 * used, and the least-privilege policy; or why it was not observable. Pure.
 */
export interface PermissionsRow {
  function: string;
  role: string;
  /** "3 of 17", or "not observable" */
  unusedCount: string;
  /** the unused grants, shortened: `dynamodb:* on *` */
  unused: string[];
  used: string[];
  /** the policy of what was used, as JSON; absent where not observable */
  policy?: string;
  note?: string;
}

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

/** The console's line for a function with unused grants: "fn: 22 of 24 grants unused (dynamodb:GetItem on table/x, …); used …". */
export function permissionsLine(row: PermissionsRow, shown = 3): string {
  const more = row.unused.length > shown ? `, … ${row.unused.length - shown} more` : '';
  return `${row.function}: ${row.unusedCount} grants unused (${row.unused.slice(0, shown).join(', ')}${more}); used ${row.used.length > 0 ? row.used.join(', ') : 'nothing'}`;
}
