import { BlockList, isIP } from 'node:net';

/**
 * EventBridge's event patterns, as its content filtering documents them (and as AWS's own matcher,
 * event-ruler, reads them): a pattern has the shape of the events it matches; keys are ANDed, the
 * values listed for a key are ORed; a leaf's list holds exact values (strings, numbers, `null`) and
 * filters (`prefix`, `suffix`, `equals-ignore-case`, `wildcard`, `anything-but`, `numeric`,
 * `exists`, `cidr`); `$or` lists alternative sub-patterns; an array in the event matches when any
 * of its elements does. Exported for every matcher of this family: EventBridge rules, Lambda's
 * event-source filter criteria, and SNS filter policies (sns/filter-policy.ts, whose semantics
 * differ in one documented place: `arrayAnythingBut`).
 */

export interface MatchOptions {
  /**
   * How `anything-but` reads an array of values: `any` (EventBridge: matches when some element is
   * none of the listed) or `none` (SNS String.Array attributes: matches when no element is listed).
   */
  arrayAnythingBut?: 'any' | 'none';
}

export function matchesEventPattern(pattern: Record<string, unknown>, event: unknown, options: MatchOptions = {}): boolean {
  return matchObject(pattern, event, options);
}

function matchObject(pattern: Record<string, unknown>, value: unknown, options: MatchOptions): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(sub) || !sub.some((alt) => isObject(alt) && matchObject(alt, value, options))) return false;
      continue;
    }
    const field = isObject(value) ? value[key] : undefined;
    if (Array.isArray(sub)) {
      if (!matchLeaf(sub, field, options)) return false;
    } else if (isObject(sub)) {
      // a nested pattern: an array of objects in the event matches when one element matches it whole
      const candidates = Array.isArray(field) ? field.filter(isObject) : [field];
      if (!candidates.some((c) => matchObject(sub, c, options))) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** The leaf values a field holds: none when absent, an object or an empty array (exists only sees leaves). */
function leafValues(field: unknown): unknown[] {
  if (field === undefined) return [];
  if (Array.isArray(field)) return field.flatMap((v) => leafValues(v));
  if (isObject(field)) return [];
  return [field];
}

function matchLeaf(conditions: unknown[], field: unknown, options: MatchOptions): boolean {
  const values = leafValues(field);
  return conditions.some((condition) => {
    if (isObject(condition) && 'exists' in condition) return condition.exists === (values.length > 0);
    if (isObject(condition) && 'anything-but' in condition) {
      if (values.length === 0) return false;
      const excluded = (v: unknown) => matchesAnythingBut(condition['anything-but'], v);
      return options.arrayAnythingBut === 'none' && Array.isArray(field) ? values.every(excluded) : values.some(excluded);
    }
    return values.some((v) => matchValue(condition, v));
  });
}

function matchValue(condition: unknown, value: unknown): boolean {
  if (condition === null) return value === null;
  if (typeof condition === 'string' || typeof condition === 'boolean') return value === condition;
  if (typeof condition === 'number') return typeof value === 'number' && value === condition;
  if (!isObject(condition)) return false;
  const [op, arg] = Object.entries(condition)[0] ?? [];
  switch (op) {
    case 'prefix':
      return typeof value === 'string' && textTest(arg, (p, v) => v.startsWith(p), value);
    case 'suffix':
      return typeof value === 'string' && textTest(arg, (s, v) => v.endsWith(s), value);
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof arg === 'string' && value.toLowerCase() === arg.toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && typeof arg === 'string' && wildcardRegExp(arg).test(value);
    case 'numeric':
      return typeof value === 'number' && Array.isArray(arg) && numericTest(arg, value);
    case 'cidr':
      return typeof value === 'string' && typeof arg === 'string' && inCidr(arg, value);
    default:
      return false;
  }
}

/** `prefix`/`suffix` take a string, or `{"equals-ignore-case": string}` to compare without case. */
function textTest(arg: unknown, test: (pattern: string, value: string) => boolean, value: string): boolean {
  if (typeof arg === 'string') return test(arg, value);
  if (isObject(arg) && typeof arg['equals-ignore-case'] === 'string') return test(arg['equals-ignore-case'].toLowerCase(), value.toLowerCase());
  return false;
}

/** Whether `value` is none of what `anything-but` lists: values, or a prefix, suffix, wildcard, equals-ignore-case. */
function matchesAnythingBut(arg: unknown, value: unknown): boolean {
  if (isObject(arg)) {
    const [op, inner] = Object.entries(arg)[0] ?? [];
    const list = Array.isArray(inner) ? inner : [inner];
    if (typeof value !== 'string') return false;
    switch (op) {
      case 'prefix':
        return list.every((p) => typeof p === 'string' && !value.startsWith(p));
      case 'suffix':
        return list.every((s) => typeof s === 'string' && !value.endsWith(s));
      case 'equals-ignore-case':
        return list.every((s) => typeof s === 'string' && s.toLowerCase() !== value.toLowerCase());
      case 'wildcard':
        return list.every((w) => typeof w === 'string' && !wildcardRegExp(w).test(value));
      default:
        return false;
    }
  }
  const list = Array.isArray(arg) ? arg : [arg];
  return !list.some((excluded) => excluded === value);
}

function numericTest(spec: unknown[], value: number): boolean {
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const op = spec[i];
    const bound = spec[i + 1];
    if (typeof bound !== 'number') return false;
    const ok = op === '=' ? value === bound : op === '<' ? value < bound : op === '<=' ? value <= bound : op === '>' ? value > bound : op === '>=' ? value >= bound : false;
    if (!ok) return false;
  }
  return spec.length >= 2;
}

const wildcards = new Map<string, RegExp>();
/** `*` matches any run of characters; `\*` is a literal star. */
function wildcardRegExp(pattern: string): RegExp {
  let re = wildcards.get(pattern);
  if (!re) {
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) source += escapeRe(pattern[++i]!);
      else if (c === '*') source += '.*';
      else source += escapeRe(c);
    }
    re = new RegExp(`^${source}$`, 's');
    wildcards.set(pattern, re);
  }
  return re;
}

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const blocks = new Map<string, BlockList | undefined>();
function inCidr(cidr: string, address: string): boolean {
  let block = blocks.get(cidr);
  if (!blocks.has(cidr)) {
    block = cidrBlock(cidr);
    blocks.set(cidr, block);
  }
  const family = isIP(address);
  if (!block || family === 0) return false;
  return block.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function cidrBlock(cidr: string): BlockList | undefined {
  const [net, bits] = cidr.split('/');
  const family = isIP(net ?? '');
  const prefix = Number(bits);
  if (family === 0 || !Number.isInteger(prefix)) return undefined;
  const block = new BlockList();
  block.addSubnet(net!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return block;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The filters a pattern's leaf may hold, and what each takes. */
const FILTERS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr']);

/**
 * The first reason a pattern is not one EventBridge accepts (`InvalidEventPatternException`'s
 * "Event pattern is not valid. Reason: …"), or undefined. `filters` narrows the filters allowed (SNS
 * has no `wildcard`); `nested: false` refuses nested objects (SNS's attribute scope).
 */
export function eventPatternProblem(pattern: unknown, opts: { filters?: ReadonlySet<string>; nested?: boolean } = {}, path = ''): string | undefined {
  if (!isObject(pattern)) return `${path || 'the pattern'} must be an object`;
  const allowed = opts.filters ?? FILTERS;
  for (const [key, sub] of Object.entries(pattern)) {
    const here = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2) return `${here} must list at least two alternatives`;
      for (const alt of sub) {
        const problem = eventPatternProblem(alt, opts, here);
        if (problem) return problem;
      }
      continue;
    }
    if (isObject(sub)) {
      if (opts.nested === false) return `${here}: nested keys are not allowed here`;
      const problem = eventPatternProblem(sub, opts, here);
      if (problem) return problem;
      continue;
    }
    if (!Array.isArray(sub)) return `Match value for ${here} must be an array`;
    if (sub.length === 0) return `Empty arrays are not allowed (${here})`;
    for (const condition of sub) {
      const problem = conditionProblem(condition, allowed, here);
      if (problem) return problem;
    }
  }
  return undefined;
}

function conditionProblem(condition: unknown, allowed: ReadonlySet<string>, here: string): string | undefined {
  if (condition === null || ['string', 'number', 'boolean'].includes(typeof condition)) return undefined;
  if (!isObject(condition)) return `${here}: a match value must be a string, number, null or a filter object`;
  const keys = Object.keys(condition);
  if (keys.length !== 1) return `${here}: a filter object holds exactly one filter`;
  const op = keys[0]!;
  const arg = condition[op];
  if (!allowed.has(op)) return `${here}: Unrecognized match type ${op}`;
  const textArg = (v: unknown) => typeof v === 'string' || (isObject(v) && Object.keys(v).length === 1 && typeof v['equals-ignore-case'] === 'string');
  switch (op) {
    case 'prefix':
    case 'suffix':
      return textArg(arg) ? undefined : `${here}: ${op} match pattern must be a string`;
    case 'equals-ignore-case':
    case 'wildcard':
      return typeof arg === 'string' ? undefined : `${here}: ${op} match pattern must be a string`;
    case 'exists':
      return typeof arg === 'boolean' ? undefined : `${here}: exists match pattern must be either true or false`;
    case 'cidr':
      return typeof arg === 'string' && cidrBlock(arg) ? undefined : `${here}: Malformed CIDR, one '/' required`;
    case 'numeric':
      return numericProblem(arg, here);
    case 'anything-but': {
      if (isObject(arg)) {
        const [inner, v] = Object.entries(arg)[0] ?? [];
        if (Object.keys(arg).length !== 1 || !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(inner ?? '') || !allowed.has(inner!)) return `${here}: Unsupported anything-but pattern: ${JSON.stringify(arg)}`;
        const list = Array.isArray(v) ? v : [v];
        return list.length > 0 && list.every((s) => typeof s === 'string') ? undefined : `${here}: anything-but ${inner} takes strings`;
      }
      const list = Array.isArray(arg) ? arg : [arg];
      return list.length > 0 && list.every((v) => typeof v === 'string' || typeof v === 'number') ? undefined : `${here}: Inside anything but list, start|null|boolean is not supported.`;
    }
  }
  return undefined;
}

function numericProblem(arg: unknown, here: string): string | undefined {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0 || arg.length > 4) return `${here}: Value of numeric must be an array of one or two operator, number pairs`;
  for (let i = 0; i < arg.length; i += 2) {
    if (!['=', '<', '<=', '>', '>='].includes(arg[i] as string)) return `${here}: Unrecognized numeric range operator: ${String(arg[i])}`;
    if (typeof arg[i + 1] !== 'number') return `${here}: Value of ${String(arg[i])} must be numeric`;
  }
  return undefined;
}
