/**
 * How IAM matches a policy's patterns (IAM User Guide, "IAM JSON policy elements: Action" and
 * "Resource"): actions case-insensitively, resources case-sensitively, both with `*` (any run of
 * characters) and `?` (one character). A resource pattern is matched field by field
 * (`arn:partition:service:region:account:resource`), as IAM matches ARNs: a wildcard in the
 * region matches a region, one in the resource part may span `/` and `:`. Shared by the policy
 * evaluation and its ARN condition operators.
 */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatches(pattern.toLowerCase(), action.toLowerCase());
}

export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  const p = arnFields(pattern);
  const r = arnFields(resource);
  if (!p || !r) return globMatches(pattern, resource);
  for (let i = 0; i < 6; i++) if (!globMatches(p[i]!, r[i]!)) return false;
  return true;
}

/** The six fields of an ARN, the resource part whole; undefined for anything that is not one. */
function arnFields(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

const compiled = new Map<string, RegExp>();

/** `*` any run, `?` one character, everything else literal; whole-string. */
export function globMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re.test(value);
}
