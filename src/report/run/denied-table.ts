import type { PermissionsSection } from '../../contracts/permissions-schema.ts';
import { fmtInt } from '../../number-format.ts';
import { shortResource } from './permissions-table.ts';

/**
 * What the run was refused, beside what each function used and was granted (permissions-table.ts):
 * per call IAM denied a function, the action on the resource, how many times, why (no statement
 * allows it; a Deny refuses it; `iam: report`: it would be refused on AWS), and the statement
 * that would allow it, ready to paste into the role; then the posts made to an API that is not
 * the stack's. Rows every page shows alike (console, summary.md, index.html). Pure.
 */
export interface DeniedRow {
  function: string;
  /** `execute-api:ManageConnections on abc123/prod/POST/@connections/*` */
  call: string;
  /** "24 calls", or "24 log lines" where the count is the log's (AWS) */
  count: string;
  /** "no statement allows it", "a Deny refuses it", "would be denied on AWS (iam: report)", "not this stack's API (abc123)" */
  why: string;
  /** the statement to add, as JSON; absent where adding one does not help (a Deny, another API) */
  statement?: string;
}

export function deniedRows(p: PermissionsSection | undefined): DeniedRow[] {
  const denied = (p?.denied ?? []).map((d): DeniedRow => {
    const why = d.enforced === false ? 'would be denied on AWS (iam: report)' : d.reason === 'explicit-deny' ? 'a Deny refuses it' : 'no statement allows it';
    return {
      function: d.function,
      call: `${d.action} on ${shortResource(d.resource)}`,
      count: d.source === 'log' ? `${fmtInt(d.count)} log line${d.count === 1 ? '' : 's'}` : `${fmtInt(d.count)} call${d.count === 1 ? '' : 's'}`,
      why,
      ...(d.reason === 'explicit-deny' ? {} : { statement: JSON.stringify(d.allow) }),
    };
  });
  const foreign = (p?.foreignApiPosts ?? []).map(
    (f): DeniedRow => ({
      function: f.function ?? '(a function)',
      call: `POST to ${f.endpoint}`,
      count: `${fmtInt(f.count)} post${f.count === 1 ? '' : 's'}`,
      why: `not this stack's API (${f.stackApiId})`,
    }),
  );
  return [...denied, ...foreign];
}

/** The console's line for one row: "fn: denied execute-api:ManageConnections on …/POST/@connections/* ×24 (no statement allows it); allow with {…}". */
export function deniedLine(row: DeniedRow): string {
  const what = row.call.startsWith('POST to ') ? row.call.replace(/^POST to /, 'posted to ') : `denied ${row.call}`;
  return `${row.function}: ${what} ×${row.count.replace(/ .*$/, '')} (${row.why})${row.statement ? `; allow with ${row.statement}` : ''}`;
}
