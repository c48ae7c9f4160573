import type { z } from 'zod';
import { Results } from './results-schema.ts';

/**
 * Paths into results.json, the way a threshold names any field the metric catalogue has no
 * friendly name for: `harness.eventLoopLagP99Ms`, `phases.main.broadcast.p99` (an array element
 * by index or by its `name`), `errors["frame:Internal server error"]` (a key with spaces or dots,
 * quoted). A path is checked against the results schema when the threshold is parsed, so a typo
 * in a field name is bad input before any load is sent; keys of records (error kinds, functions,
 * tables) can only be known once the results exist.
 */

/** What reading a metric found: a number, or why there is none (shown as "no data"). */
export type Reading = { value: number } | { missing: string };

const PLAIN = /^[A-Za-z0-9_$:-]+$/;

/** A piece of user input inside a message: at most 60 characters. */
export function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** `a.b[0]["x y"]` → ['a', 'b', '0', 'x y'], or a problem. */
export function parsePath(text: string): { segments: string[] } | { problem: string } {
  const segments: string[] = [];
  let i = 0;
  const fail = (what: string) => ({ problem: `"${clip(text)}" is not a metric name: ${what}` });
  while (i < text.length) {
    if (segments.length > 0) {
      if (text[i] === '.') i++;
      else if (text[i] !== '[') return fail(`expected "." or "[" at "${clip(text.slice(i))}"`);
    }
    if (text[i] === '[') {
      const quoted = /^\[\s*"((?:[^"\\]|\\.)*)"\s*\]|^\[\s*'([^']*)'\s*\]|^\[\s*(\d+)\s*\]/.exec(text.slice(i));
      if (!quoted) return fail(`expected ["key"] or [index] at "${clip(text.slice(i))}"`);
      segments.push(quoted[1] !== undefined ? quoted[1].replace(/\\(.)/g, '$1') : (quoted[2] ?? quoted[3]));
      i += quoted[0].length;
      continue;
    }
    const m = /^[A-Za-z0-9_$:-]+/.exec(text.slice(i));
    if (!m) return fail(text[i] === undefined ? 'it ends with "."' : `unexpected "${text[i]}"`);
    segments.push(m[0]);
    i += m[0].length;
  }
  if (segments.length === 0) return fail('it is empty');
  return { segments };
}

/** The canonical spelling of a path: dotted, with keys that need it quoted. */
export function formatPath(segments: readonly string[]): string {
  return segments.map((s, i) => (/^\d+$/.test(s) && i > 0 ? `[${s}]` : PLAIN.test(s) ? (i === 0 ? s : `.${s}`) : `[${JSON.stringify(s)}]`)).join('');
}

type Schema = z.core.$ZodType;
const def = (s: Schema) => (s as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;

function unwrap(s: Schema): { schema: Schema; nullable: boolean } {
  let nullable = false;
  for (;;) {
    const d = def(s);
    if (d.type === 'nullable') nullable = true;
    if (['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional'].includes(d.type)) s = d.innerType as Schema;
    else if (d.type === 'pipe') s = d.in as Schema;
    else if (d.type === 'lazy') s = (d.getter as () => Schema)();
    else return { schema: s, nullable };
  }
}

function kindOf(type: string): string {
  if (type === 'object' || type === 'record') return 'a group of fields';
  if (type === 'array') return 'a list';
  if (type === 'boolean') return 'true or false';
  if (type === 'number' || type === 'literal') return 'a number';
  return 'text';
}

/** What a valid path leads to. */
export interface PathShape {
  /** the path crosses a record (error kinds, functions, tables): its keys are known only at run time */
  viaRecord: boolean;
  /** the field may be null (a percentile with no data, a time that never came) */
  nullable: boolean;
  /** the path ends in data the schema does not describe (config, the scenario definition) */
  untyped: boolean;
}

/** Checks a path against the results schema: a number at its end, or a problem (one line). */
export function checkPath(segments: readonly string[]): PathShape | { problem: string } {
  let schema: Schema = Results;
  const shape: PathShape = { viaRecord: false, nullable: false, untyped: false };
  const here = (n: number) => formatPath(segments.slice(0, n)) || 'results.json';
  for (let n = 0; n <= segments.length; n++) {
    const u = unwrap(schema);
    schema = u.schema;
    shape.nullable = u.nullable;
    const d = def(schema);
    if (d.type === 'unknown' || d.type === 'any') return { ...shape, untyped: true };
    if (n === segments.length) {
      if (d.type === 'number' || (d.type === 'literal' && (d.values as unknown[]).every((v) => typeof v === 'number'))) return shape;
      return { problem: `${here(n)} is ${kindOf(d.type)} in results.json, not a number` };
    }
    const seg = segments[n];
    if (d.type === 'object') {
      const fields = d.shape as Record<string, Schema>;
      if (Object.hasOwn(fields, seg)) schema = fields[seg];
      else if (d.catchall && def(d.catchall as Schema).type !== 'never') schema = d.catchall as Schema;
      else {
        const known = Object.keys(fields);
        return { problem: `${here(n + 1)} is not in results.json (${here(n) === 'results.json' ? 'top-level fields' : `${here(n)} has`}: ${known.join(', ')})` };
      }
    } else if (d.type === 'record') {
      shape.viaRecord = true;
      schema = d.valueType as Schema;
    } else if (d.type === 'array') {
      schema = d.element as Schema;
    } else {
      return { problem: `${here(n)} is ${d.type === 'literal' ? 'a number' : kindOf(d.type)} in results.json: it has no field "${seg}"` };
    }
  }
  return shape;
}

/**
 * Reads a checked path from results. A key a record does not have (an error kind that never
 * happened, a DynamoDB operation never called) reads as 0 when `absentKeyIsZero`: records in
 * results.json are tallies of what occurred. Anything else absent or null is missing.
 */
export function readPath(results: unknown, segments: readonly string[], absentKeyIsZero: boolean): Reading {
  let value: unknown = results;
  let schema: Schema = Results;
  for (let n = 0; n < segments.length; n++) {
    const seg = segments[n];
    const here = formatPath(segments.slice(0, n + 1));
    schema = unwrap(schema).schema;
    const d = def(schema);
    const isRecord = d.type === 'record';
    if (d.type === 'object') {
      const fields = d.shape as Record<string, Schema>;
      schema = Object.hasOwn(fields, seg) ? fields[seg] : ((d.catchall as Schema | undefined) ?? schema);
    } else if (isRecord) schema = d.valueType as Schema;
    else if (d.type === 'array') schema = d.element as Schema;
    if (value === null || value === undefined) return { missing: `${formatPath(segments.slice(0, n)) || 'results'} is not in these results` };
    if (Array.isArray(value)) {
      const byIndex = /^\d+$/.test(seg) ? value[Number(seg)] : undefined;
      value = byIndex ?? value.find((x) => typeof x === 'object' && x !== null && (x as { name?: unknown }).name === seg);
      if (value === undefined) return { missing: `${here} is not in these results` };
      continue;
    }
    if (typeof value !== 'object') return { missing: `${here} is not in these results` };
    const obj = value as Record<string, unknown>;
    if (!Object.hasOwn(obj, seg)) {
      if (isRecord && absentKeyIsZero) return { value: 0 };
      return { missing: `${here} is not in these results` };
    }
    value = obj[seg];
  }
  const name = formatPath(segments);
  if (value === null || value === undefined) return { missing: `${name} is null in these results` };
  if (typeof value !== 'number' || !Number.isFinite(value)) return { missing: `${name} is not a number in these results` };
  return { value };
}
