import type { ResolvedParameter } from './template-parameters.ts';
import { templateError, type TemplatePath } from './template-errors.ts';

/**
 * CloudFormation's intrinsic functions, resolved as CloudFormation resolves them at deploy time:
 * Ref (parameters, pseudo parameters, resources' physical ids), Fn::GetAtt, Fn::Sub (both forms,
 * `${Res.Attr}`, `${!Literal}`), Fn::Join, Fn::Select, Fn::Split, Fn::If with AWS::NoValue, the
 * condition functions, Fn::FindInMap (with AWS::LanguageExtensions' DefaultValue), Fn::Base64,
 * Fn::GetAZs, Fn::Cidr, and Fn::Length / Fn::ToJsonString of AWS::LanguageExtensions.
 * Fn::ImportValue (another stack's export), Fn::Transform (a macro) and Fn::ForEach are refused:
 * nothing offline can answer them.
 *
 * Every error is one line naming the place in the template. Conditions that refer to each other
 * in a loop are refused with the loop named; values nest at most MAX_DEPTH intrinsics deep.
 */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** Nested intrinsics deeper than this are refused (no real template comes near; a hostile one must not exhaust the stack). */
export const MAX_DEPTH = 64;

export interface IntrinsicHost {
  file: string;
  region: string;
  parameters: Map<string, ResolvedParameter>;
  /** AWS::Region, AWS::AccountId, … (AWS::NoValue is handled here) */
  pseudo: Record<string, string | string[]>;
  mappings: Record<string, unknown>;
  conditions: Record<string, unknown>;
  /** 'present'; 'excluded' (its Condition is false); 'absent' (not in the template) */
  resourceState(logicalId: string): 'present' | 'excluded' | 'absent';
  resourceRef(logicalId: string, at: TemplatePath): string;
  resourceAttribute(logicalId: string, attribute: string, at: TemplatePath): unknown;
}

export class IntrinsicResolver {
  private readonly conditionValues = new Map<string, boolean>();
  private readonly conditionsInProgress: string[] = [];

  constructor(private readonly host: IntrinsicHost) {}

  /** The value with every intrinsic resolved; NO_VALUE where `Ref: AWS::NoValue` removes it. */
  resolve(value: unknown, at: TemplatePath, depth = 0): unknown {
    if (depth > MAX_DEPTH) throw this.error(at, `values and intrinsic functions nested more than ${MAX_DEPTH} deep`);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      value.forEach((item, i) => {
        const r = this.resolve(item, [...at, i], depth + 1);
        if (r !== NO_VALUE) out.push(r);
      });
      return out;
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      if (key === 'Ref' || key.startsWith('Fn::') || key === 'Condition') {
        // `Condition` is a function only inside conditions; elsewhere (a resource attribute) it is data
        if (key !== 'Condition') return this.call(key, arg, at, depth);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const r = this.resolve(v, [...at, k], depth + 1);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  /** A named condition of the Conditions section. */
  condition(name: string, at: TemplatePath): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    if (!Object.hasOwn(this.host.conditions, name)) throw this.error(at, `condition ${name} is not in the template's Conditions`);
    if (this.conditionsInProgress.includes(name)) {
      const loop = [...this.conditionsInProgress.slice(this.conditionsInProgress.indexOf(name)), name];
      throw this.error(['Conditions', name], `conditions refer to each other in a loop: ${loop.join(' → ')}`);
    }
    this.conditionsInProgress.push(name);
    try {
      const value = this.evaluateCondition(this.host.conditions[name], ['Conditions', name], 0);
      this.conditionValues.set(name, value);
      return value;
    } finally {
      this.conditionsInProgress.pop();
    }
  }

  private evaluateCondition(expr: unknown, at: TemplatePath, depth: number): boolean {
    if (depth > MAX_DEPTH) throw this.error(at, `conditions nested more than ${MAX_DEPTH} deep`);
    const single = oneKey(expr);
    if (!single) {
      // a resolved boolean (e.g. from Fn::If inside a condition) or the strings CloudFormation accepts
      if (expr === true || expr === 'true') return true;
      if (expr === false || expr === 'false') return false;
      throw this.error(at, 'a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or {Condition: name}');
    }
    const [key, arg] = single;
    const next = [...at, key];
    if (key === 'Condition') {
      if (typeof arg !== 'string') throw this.error(next, 'must name a condition');
      return this.condition(arg, next);
    }
    if (key === 'Fn::Equals') {
      const args = this.list(arg, next, 2, 2, depth);
      return stringOf(args[0]) === stringOf(args[1]);
    }
    if (key === 'Fn::Not' || key === 'Fn::And' || key === 'Fn::Or') {
      if (!Array.isArray(arg)) throw this.error(next, 'takes a list of conditions');
      const [min, max] = key === 'Fn::Not' ? [1, 1] : [2, 10];
      if (arg.length < min || arg.length > max) throw this.error(next, `takes ${min === max ? min : `${min} to ${max}`} conditions, got ${arg.length}`);
      const values = arg.map((c, i) => this.evaluateCondition(c, [...next, i], depth + 1));
      return key === 'Fn::Not' ? !values[0] : key === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
    }
    return this.evaluateCondition(this.resolve(expr, at, depth + 1), at, depth + 1);
  }

  private call(fn: string, arg: unknown, at0: TemplatePath, depth: number): unknown {
    const at = [...at0, fn];
    switch (fn) {
      case 'Ref':
        return this.ref(this.str(this.resolve(arg, at, depth + 1), at, 'Ref'), at);
      case 'Fn::GetAtt': {
        let resource: string;
        let attribute: string;
        if (typeof arg === 'string') {
          const dot = arg.indexOf('.');
          if (dot < 0) throw this.error(at, `must be Resource.Attribute or [Resource, Attribute], got ${arg}`);
          [resource, attribute] = [arg.slice(0, dot), arg.slice(dot + 1)];
        } else {
          if (!Array.isArray(arg) || arg.length !== 2) throw this.error(at, 'takes [Resource, Attribute]');
          resource = this.str(arg[0], at, 'its resource');
          attribute = this.str(this.resolve(arg[1], [...at, 1], depth + 1), at, 'its attribute');
        }
        return this.getAtt(resource, attribute, at);
      }
      case 'Fn::Sub':
        return this.sub(arg, at, depth);
      case 'Fn::Join': {
        const [delimiter, list] = this.list(arg, at, 2, 2, depth);
        if (!Array.isArray(list)) throw this.error(at, 'takes [delimiter, [values…]]');
        return list.map((v) => this.scalar(v, at, 'a value it joins')).join(this.str(delimiter, at, 'its delimiter'));
      }
      case 'Fn::Select': {
        const [index, list] = this.list(arg, at, 2, 2, depth);
        if (!Array.isArray(list)) throw this.error(at, 'takes [index, [values…]]');
        const i = Number(index);
        if (!Number.isInteger(i) || i < 0 || i >= list.length) throw this.error(at, `index ${String(index)} is outside the list of ${list.length}`);
        return list[i];
      }
      case 'Fn::Split': {
        const [delimiter, source] = this.list(arg, at, 2, 2, depth);
        return this.str(source, at, 'the string it splits').split(this.str(delimiter, at, 'its delimiter'));
      }
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') throw this.error(at, 'takes [ConditionName, valueIfTrue, valueIfFalse]');
        const chosen = this.condition(arg[0], at) ? 1 : 2;
        return this.resolve(arg[chosen], [...at, chosen], depth + 1);
      }
      case 'Fn::Equals':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not':
        return this.evaluateCondition({ [fn]: arg }, at0, depth + 1);
      case 'Fn::FindInMap': {
        if (!Array.isArray(arg) || arg.length < 3 || arg.length > 4) throw this.error(at, 'takes [MapName, TopLevelKey, SecondLevelKey]');
        const [map, top, second] = [0, 1, 2].map((i) => this.scalar(this.resolve(arg[i], [...at, i], depth + 1), at, 'its keys'));
        const found = (this.host.mappings[map!] as Record<string, Record<string, unknown>> | undefined)?.[top!]?.[second!];
        if (found !== undefined) return this.resolve(found, ['Mappings', map!, top!, second!], depth + 1);
        const fallback = arg[3] as { DefaultValue?: unknown } | undefined;
        if (fallback && typeof fallback === 'object' && 'DefaultValue' in fallback) return this.resolve(fallback.DefaultValue, [...at, 3], depth + 1);
        throw this.error(at, `Mappings has no ${map}.${top}.${second}`);
      }
      case 'Fn::Base64':
        return Buffer.from(this.str(this.resolve(arg, at, depth + 1), at, 'its value')).toString('base64');
      case 'Fn::GetAZs': {
        const region = this.resolve(arg, at, depth + 1);
        const r = region === '' || region === undefined ? this.host.region : this.str(region, at, 'its region');
        return ['a', 'b', 'c'].map((z) => `${r}${z}`);
      }
      case 'Fn::Cidr': {
        const [block, count, bits] = this.list(arg, at, 3, 3, depth);
        return cidr(this.str(block, at, 'its IP block'), Number(count), Number(bits), (m) => this.error(at, m));
      }
      case 'Fn::Length': {
        const list = this.resolve(arg, at, depth + 1);
        if (!Array.isArray(list)) throw this.error(at, 'takes a list');
        return list.length;
      }
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(arg, at, depth + 1));
      case 'Fn::ImportValue':
        throw this.error(at, "Fn::ImportValue reads another stack's export, which the emulator does not have: give the value as a parameter instead");
      case 'Fn::Transform':
        throw this.error(at, 'Fn::Transform runs a CloudFormation macro, which the emulator cannot run: expand it before (e.g. the template CloudFormation shows after deploying)');
      default:
        throw this.error(at, `${fn} is not an intrinsic function the emulator resolves`);
    }
  }

  private ref(name: string, at: TemplatePath): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (Object.hasOwn(this.host.pseudo, name)) return this.host.pseudo[name];
    const parameter = this.host.parameters.get(name);
    if (parameter) {
      if (parameter.value === undefined) {
        throw this.error(at, `Ref ${name}: a ${parameter.type} parameter is read from Parameter Store at deploy time; give its value with --parameter ${name}=VALUE`);
      }
      return parameter.value;
    }
    if (name.startsWith('AWS::')) throw this.error(at, `${name} is not a pseudo parameter`);
    this.mustExist(name, at, 'Ref');
    return this.host.resourceRef(name, at);
  }

  private getAtt(resource: string, attribute: string, at: TemplatePath): unknown {
    this.mustExist(resource, at, 'Fn::GetAtt');
    return this.host.resourceAttribute(resource, attribute, at);
  }

  private mustExist(name: string, at: TemplatePath, fn: string): void {
    const state = this.host.resourceState(name);
    if (state === 'absent') throw this.error(at, `${fn} ${name}: no parameter or resource of that name`);
    if (state === 'excluded') throw this.error(at, `${fn} ${name}: the resource's Condition is false, so it is not created`);
  }

  private sub(arg: unknown, at: TemplatePath, depth: number): string {
    let template: unknown;
    let variables: Record<string, unknown> = {};
    if (Array.isArray(arg)) {
      if (arg.length !== 2 || typeof arg[1] !== 'object' || arg[1] === null) throw this.error(at, 'takes a string or [string, {Name: value}]');
      template = this.resolve(arg[0], [...at, 0], depth + 1);
      variables = arg[1] as Record<string, unknown>;
    } else {
      template = arg;
    }
    const text = this.str(template, at, 'its string');
    return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
      // ${!Literal} writes ${Literal}
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (Object.hasOwn(variables, name)) return this.scalar(this.resolve(variables[name], [...at, 1, name], depth + 1), at, `\${${name}}`);
      if (this.host.parameters.has(name) || Object.hasOwn(this.host.pseudo, name) || !name.includes('.')) {
        return this.scalar(this.ref(name, at), at, `\${${name}}`);
      }
      const dot = name.indexOf('.');
      return this.scalar(this.getAtt(name.slice(0, dot), name.slice(dot + 1), at), at, whole);
    });
  }

  /** An intrinsic's argument list, each element resolved; its length checked. */
  private list(arg: unknown, at: TemplatePath, min: number, max: number, depth: number): unknown[] {
    const resolved = this.resolve(arg, at, depth + 1);
    if (!Array.isArray(resolved) || resolved.length < min || resolved.length > max) {
      throw this.error(at, `takes a list of ${min === max ? min : `${min} to ${max}`} values`);
    }
    return resolved;
  }

  private str(value: unknown, at: TemplatePath, what: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw this.error(at, `${what} must be a string, got ${describeValue(value)}`);
  }

  private scalar(value: unknown, at: TemplatePath, what: string): string {
    if (value === NO_VALUE) throw this.error(at, `${what} is AWS::NoValue, which has no string value`);
    return this.str(value, at, what);
  }

  private error(at: TemplatePath, message: string): Error {
    return templateError(this.host.file, at, message);
  }
}

function oneKey(value: unknown): [string, unknown] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length !== 1) return undefined;
  const [key] = entries[0]!;
  return key === 'Condition' || key.startsWith('Fn::') || key === 'Ref' ? entries[0] : undefined;
}

function stringOf(v: unknown): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}

function describeValue(v: unknown): string {
  if (v === NO_VALUE) return 'AWS::NoValue';
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'a mapping' : typeof v;
}

/** Fn::Cidr for IPv4: `count` subnets of `cidrBits` host bits each, in order from the block's start. */
function cidr(block: string, count: number, cidrBits: number, fail: (message: string) => Error): string[] {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(block);
  if (!m) throw fail(`${block} is not an IPv4 CIDR block (IPv6 blocks are not resolved offline)`);
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) throw fail(`${block} is not an IPv4 CIDR block`);
  if (!Number.isInteger(count) || count < 1 || count > 256) throw fail(`count must be 1 to 256, got ${count}`);
  if (!Number.isInteger(cidrBits) || cidrBits < 0 || 32 - cidrBits < prefix) throw fail(`cidrBits ${cidrBits} does not fit in /${prefix}`);
  const base = (((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0) & (prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0);
  const size = 2 ** cidrBits;
  if (count * size > 2 ** (32 - prefix)) throw fail(`${count} subnets of /${32 - cidrBits} do not fit in ${block}`);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = base + i * size;
    out.push(`${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${32 - cidrBits}`);
  }
  return out;
}
