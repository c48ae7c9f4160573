import { globMatches, resourceMatches } from './policy-patterns.ts';

/**
 * A statement's Condition against a request's context, as IAM evaluates one (IAM User Guide, "IAM
 * JSON policy elements: Condition operators" and "Condition"): every operator of the block must
 * hold and, within an operator, every key; a key with several values holds when any value matches
 * (for a negated operator: when none does). Key names are case-insensitive. A key the request does
 * not carry fails a positive operator, satisfies a negated one (`StringNotLike`, `ArnNotEquals`, …)
 * and satisfies any `…IfExists`; `Null: true` asks for its absence.
 *
 * The operators resource-based policies on service deliveries use, and their IfExists forms:
 * StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike,
 * StringNotLike (`*` and `?`), ArnEquals, ArnLike, ArnNotEquals, ArnNotLike (the same thing for
 * ArnEquals and ArnLike: case-sensitive, each of the ARN's six fields matched on its own with `*`
 * and `?`), Bool and Null. Another operator (numeric, date, IP address, a ForAnyValue:/ForAllValues:
 * set operator) is `unsupported`: the caller takes the statement the way that can only deny more
 * than AWS (policy-evaluation.ts).
 */

/** The request context: condition key (any case) → its value. */
export type ConditionContext = Readonly<Record<string, string>>;

export type ConditionOutcome = 'met' | 'unmet' | 'unsupported';

interface Operator {
  matches: (pattern: string, value: string) => boolean;
  negated: boolean;
}

const OPERATORS: Record<string, Operator> = {
  stringequals: { matches: (p, v) => p === v, negated: false },
  stringnotequals: { matches: (p, v) => p === v, negated: true },
  stringequalsignorecase: { matches: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
  stringnotequalsignorecase: { matches: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: true },
  stringlike: { matches: (p, v) => globMatches(p, v), negated: false },
  stringnotlike: { matches: (p, v) => globMatches(p, v), negated: true },
  arnequals: { matches: (p, v) => arnMatches(p, v), negated: false },
  arnlike: { matches: (p, v) => arnMatches(p, v), negated: false },
  arnnotequals: { matches: (p, v) => arnMatches(p, v), negated: true },
  arnnotlike: { matches: (p, v) => arnMatches(p, v), negated: true },
  bool: { matches: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
};

/** Whether a Condition block holds for the context; `unsupported` where it names an operator not evaluated here. */
export function conditionOutcome(condition: Readonly<Record<string, Readonly<Record<string, unknown>>>>, context: ConditionContext): ConditionOutcome {
  const keys = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  let unmet = false;
  for (const [name, entries] of Object.entries(condition)) {
    const held = operatorHolds(name, entries, keys);
    if (held === 'unsupported') return 'unsupported';
    if (held === 'unmet') unmet = true;
  }
  return unmet ? 'unmet' : 'met';
}

function operatorHolds(name: string, entries: Readonly<Record<string, unknown>>, keys: ReadonlyMap<string, string>): ConditionOutcome {
  const lower = name.toLowerCase();
  if (lower === 'null') {
    for (const [key, raw] of Object.entries(entries)) {
      const wantsAbsent = valuesOf(raw).some((v) => v.toLowerCase() === 'true');
      if (keys.has(key.toLowerCase()) === wantsAbsent) return 'unmet';
    }
    return 'met';
  }
  const ifExists = lower.endsWith('ifexists');
  const op = OPERATORS[ifExists ? lower.slice(0, -'ifexists'.length) : lower];
  if (!op) return 'unsupported';
  for (const [key, raw] of Object.entries(entries)) {
    const value = keys.get(key.toLowerCase());
    if (value === undefined) {
      if (ifExists || op.negated) continue;
      return 'unmet';
    }
    const any = valuesOf(raw).some((pattern) => op.matches(pattern, value));
    if (any === op.negated) return 'unmet';
  }
  return 'met';
}

/** A condition's values as written: one or a list, a YAML boolean or number taken as its text. */
function valuesOf(raw: unknown): string[] {
  return (Array.isArray(raw) ? raw : [raw]).map((v) => String(v));
}

/** ArnEquals/ArnLike: both ARNs of six fields, matched field by field as a policy's Resource is (`*` alone matches any value). */
function arnMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const isArn = (s: string) => s.startsWith('arn:') && s.split(':').length >= 6;
  return isArn(pattern) && isArn(value) && resourceMatches(pattern, value);
}
