import { createContext, Script, type Context } from 'node:vm';
import { z } from 'zod';
import { templateError } from './template-errors.ts';

/**
 * A template's Parameters with their values: defaults, `--parameter Key=Value` overrides, and
 * CloudFormation's checks (AllowedValues, AllowedPattern, Min/MaxLength, Min/MaxValue, the types).
 * A value is what `Ref` gives: a string, or a list of strings for the list types.
 *
 * A parameter read from Parameter Store (`AWS::SSM::Parameter::Value<…>`) has no value offline
 * unless one is given: it is refused where the template uses it, not before, because the CDK puts
 * one (`BootstrapVersion`) in every template and reads it only in `Rules`, which CloudFormation
 * checks at deploy time and the emulator does not.
 */
export type ParameterValue = string | string[];

export interface ResolvedParameter {
  /** undefined: an SSM-typed parameter with no value given (refused where it is used) */
  value: ParameterValue | undefined;
  noEcho: boolean;
  type: string;
}

const numberish = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
const scalarString = z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]);

const parameterSchema = z
  .object({
    Type: z.string(),
    Default: z.union([scalarString, z.array(scalarString).transform((a) => a.join(','))]).optional(),
    AllowedValues: z.array(scalarString).optional(),
    AllowedPattern: z.string().optional(),
    MinLength: numberish.optional(),
    MaxLength: numberish.optional(),
    MinValue: numberish.optional(),
    MaxValue: numberish.optional(),
    NoEcho: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
    Description: z.string().optional(),
    ConstraintDescription: z.string().optional(),
  })
  .loose();

const STRING_TYPES = /^(String|AWS::EC2::[A-Za-z:]+::[A-Za-z]+|AWS::Route53::HostedZone::Id|AWS::SSM::Parameter::Name)$/;
const LIST_TYPES = /^(CommaDelimitedList|List<Number>|List<AWS::EC2::[A-Za-z:]+>|List<AWS::Route53::HostedZone::Id>)$/;
const SSM_TYPES = /^AWS::SSM::Parameter::Value<.+>$/;
/** CloudFormation's limit on a parameter value */
const MAX_VALUE_BYTES = 4096;
/**
 * An AllowedPattern is the template's (untrusted) regular expression: it gets this long to answer.
 * The bound is wall time and only stops a pattern that backtracks without end (such a one runs for
 * minutes), so it is generous: at 200 ms a plain pattern once ran out of it on a CI host busy with
 * other work.
 */
const PATTERN_TIMEOUT_MS = 2_000;
/**
 * One context and script for every match (making a context per match took part of the bound),
 * made at the first pattern: most stacks have none, and every stack program loads this module.
 */
let patternMatcher: { context: Context; test: Script } | undefined;

export function resolveParameters(file: string, declared: unknown, overrides: Record<string, string>): Map<string, ResolvedParameter> {
  const out = new Map<string, ResolvedParameter>();
  const decls = (declared ?? {}) as Record<string, unknown>;
  if (typeof decls !== 'object' || Array.isArray(decls)) throw templateError(file, ['Parameters'], 'must be a mapping');
  for (const key of Object.keys(overrides)) {
    if (!Object.hasOwn(decls, key)) {
      const known = Object.keys(decls);
      throw templateError(file, ['Parameters'], `--parameter ${key}: the template has no such parameter (${known.length ? `it has ${known.join(', ')}` : 'it declares none'})`);
    }
  }
  for (const [name, raw] of Object.entries(decls)) {
    const at = ['Parameters', name];
    const parsed = parameterSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw templateError(file, [...at, ...(issue.path as (string | number)[])], issue.message);
    }
    const p = parsed.data;
    const noEcho = p.NoEcho ?? false;
    const given = overrides[name] ?? p.Default;
    const shown = (v: string) => (noEcho ? '(NoEcho value)' : JSON.stringify(v));
    if (SSM_TYPES.test(p.Type)) {
      // Given: the value Parameter Store would hold. Not given: refused where it is used.
      out.set(name, { value: overrides[name], noEcho, type: p.Type });
      continue;
    }
    if (given === undefined) throw templateError(file, at, `has no Default and no value: give it with --parameter ${name}=VALUE`);
    if (Buffer.byteLength(given) > MAX_VALUE_BYTES) throw templateError(file, at, `value longer than ${MAX_VALUE_BYTES} bytes, CloudFormation's limit`);
    const fail = (why: string) => templateError(file, at, p.ConstraintDescription ? `${why} (${p.ConstraintDescription})` : why);
    let value: ParameterValue;
    if (p.Type === 'Number') {
      if (!/^-?\d+(\.\d+)?$/.test(given.trim())) throw fail(`${shown(given)} is not a Number`);
      value = given.trim();
      checkNumber(Number(value), p, fail, shown(given));
    } else if (LIST_TYPES.test(p.Type)) {
      value = given === '' ? [] : given.split(',').map((s) => s.trim());
      if (p.Type === 'List<Number>') {
        for (const item of value) if (!/^-?\d+(\.\d+)?$/.test(item)) throw fail(`${shown(item)} in the list is not a Number`);
      }
    } else if (STRING_TYPES.test(p.Type)) {
      value = given;
      if (p.MinLength !== undefined && given.length < p.MinLength) throw fail(`${shown(given)} is shorter than MinLength ${p.MinLength}`);
      if (p.MaxLength !== undefined && given.length > p.MaxLength) throw fail(`${shown(given)} is longer than MaxLength ${p.MaxLength}`);
      if (p.AllowedPattern !== undefined && !matchesPattern(file, at, p.AllowedPattern, given)) throw fail(`${shown(given)} does not match AllowedPattern ${p.AllowedPattern}`);
    } else {
      throw templateError(file, [...at, 'Type'], `${p.Type} is not a parameter type CloudFormation knows`);
    }
    if (p.AllowedValues && !(Array.isArray(value) ? value : [value]).every((v) => p.AllowedValues!.includes(v))) {
      throw fail(`${shown(given)} is not one of AllowedValues ${p.AllowedValues.join(', ')}`);
    }
    out.set(name, { value, noEcho, type: p.Type });
  }
  return out;
}

function checkNumber(n: number, p: { MinValue?: number; MaxValue?: number }, fail: (why: string) => Error, shown: string): void {
  if (p.MinValue !== undefined && n < p.MinValue) throw fail(`${shown} is less than MinValue ${p.MinValue}`);
  if (p.MaxValue !== undefined && n > p.MaxValue) throw fail(`${shown} is more than MaxValue ${p.MaxValue}`);
}

/** CloudFormation matches the whole value (Java's `matches`); the template's pattern runs with a time bound. */
function matchesPattern(file: string, at: string[], pattern: string, value: string): boolean {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch {
    throw templateError(file, [...at, 'AllowedPattern'], `not a regular expression: ${pattern}`);
  }
  patternMatcher ??= { context: createContext({}), test: new Script('re.test(value)') };
  Object.assign(patternMatcher.context, { re, value });
  try {
    return patternMatcher.test.runInContext(patternMatcher.context, { timeout: PATTERN_TIMEOUT_MS }) as boolean;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw err;
    throw templateError(file, [...at, 'AllowedPattern'], `took longer than ${PATTERN_TIMEOUT_MS} ms to match (a pattern that backtracks without end)`);
  }
}
