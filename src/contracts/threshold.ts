import { UserError } from '../../common/errors.ts';
import { lookupMetric, type Metric } from './metric-catalogue.ts';
import { clip } from './results-path.ts';

/**
 * Threshold expressions, k6-style: `<metric> <op> <value>`.
 *
 *   broadcast.p99 < 250ms               deliveries.lost == 0
 *   dynamodb.readUnitsPerMessage <= 2   cost.perMillionDeliveries < $0.50
 *   broadcast.p99 <= baseline * 1.10    connect.p99 < baseline + 20ms
 *
 * Operators < <= > >= == !=. A value may carry its metric's unit: ms or s for a time (a bare
 * number is ms), % for a share (required: 1% and 0.01 would otherwise read alike), a leading $
 * for a cost. `baseline` is the same metric in the run compared against (`--baseline`), optionally
 * `* k` and/or `+`/`- value`.
 */
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type Bound =
  | { baseline: false; value: number }
  /** limit = baseline × factor + offset */
  | { baseline: true; factor: number; offset: number };

export interface Threshold {
  /** as written, whitespace collapsed */
  expression: string;
  /** `--threshold`, or `<scenario file>: thresholds[i]` */
  source: string;
  metric: Metric;
  op: Operator;
  bound: Bound;
}

const OPERATOR = /(<=|>=|==|!=|<|>|=)/;
const NUMBER = '[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?';
const VALUE = new RegExp(`^(\\$)?\\s*(${NUMBER})\\s*([a-zA-Z%]*)$`);

/** One line naming the expression and where it came from. */
export function thresholdError(source: string, expression: string, problem: string): UserError {
  return new UserError(`${source}: ${quote(expression)}: ${problem}`);
}

/** The expression as messages show it: one line, at most 200 characters. */
export function quote(expression: string): string {
  const line = expression.replace(/\s+/g, ' ').trim();
  return `"${line.length > 200 ? `${line.slice(0, 199)}…` : line}"`;
}

/** Parses a threshold; a mistake is a UserError: `<source>: "<expression>": <what is wrong>`. */
export function parseThreshold(expression: string, source: string): Threshold {
  const parsed = parseExpression(expression);
  if ('problem' in parsed) throw thresholdError(source, expression, parsed.problem);
  return { ...parsed, source };
}

/** What is wrong with an expression (one line, without the expression), or undefined. */
export function thresholdProblem(expression: string): string | undefined {
  const parsed = parseExpression(expression);
  return 'problem' in parsed ? parsed.problem : undefined;
}

function parseExpression(raw: string): Omit<Threshold, 'source'> | { problem: string } {
  if (typeof raw !== 'string') return { problem: 'a threshold must be a string such as "broadcast.p99 < 250ms"' };
  const expression = raw.replace(/\s+/g, ' ').trim();
  if (expression === '') return { problem: 'empty threshold: write <metric> <op> <value>, e.g. "broadcast.p99 < 250ms"' };
  const split = findOperator(expression);
  if (split && 'unclosed' in split) return { problem: `a quoted key is not closed: ${split.unclosed} without its pair` };
  if (!split) {
    return { problem: 'no comparison: write <metric> <op> <value> with op one of < <= > >= == !=, e.g. "broadcast.p99 < 250ms"' };
  }
  const op = split[1];
  if (op === '=') return { problem: '"=" is not an operator: use == (or <=, >=)' };
  const left = expression.slice(0, split.index).trim();
  const right = expression.slice(split.index + op.length).trim();
  if (left === '') return { problem: `no metric before "${op}"` };
  if (right === '') return { problem: `no value after "${op}"` };
  if (OPERATOR.test(right)) return { problem: `more than one comparison: one threshold compares one metric with one value` };
  const metric = lookupMetric(left);
  if ('problem' in metric) return metric;
  const bound = parseBound(right, metric);
  if ('problem' in bound) return bound;
  return { expression, metric, op: op as Operator, bound };
}

/** The first comparison operator outside a quoted key (`errors["a<b"]` names a key, not a comparison). */
function findOperator(text: string): { index: number; 1: string } | { unclosed: string } | undefined {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else {
      const m = /^(<=|>=|==|!=|<|>|=)/.exec(text.slice(i));
      if (m) return { index: i, 1: m[1] };
    }
  }
  return quote ? { unclosed: quote } : undefined;
}

/** `250ms`, `$0.5`, `1%`, `baseline`, `baseline * 1.1`, `baseline + 20ms`, `baseline * 1.1 + 5ms`. */
function parseBound(text: string, metric: Metric): Bound | { problem: string } {
  const b = /^baseline\b\s*(.*)$/i.exec(text);
  if (!b) {
    if (/\bbaseline\b/i.test(text)) return { problem: `"baseline" must come first on the right: "baseline * 1.1", "baseline + 20ms"` };
    const v = parseValue(text, metric);
    return 'problem' in v ? v : { baseline: false, value: v.value };
  }
  let rest = b[1].trim();
  let factor = 1;
  let offset = 0;
  const times = new RegExp(`^\\*\\s*(${NUMBER})\\s*(.*)$`).exec(rest);
  if (rest.startsWith('*')) {
    if (!times) return { problem: `"baseline ${clip(rest)}": expected "baseline * <number>", e.g. "baseline * 1.10"` };
    factor = Number(times[1]);
    if (!(factor > 0)) return { problem: `"baseline * ${clip(times[1])}": the factor must be a number > 0` };
    rest = times[2].trim();
  }
  if (rest !== '') {
    const plus = /^([+-])\s*(.+)$/.exec(rest);
    if (!plus) return { problem: `unexpected "${clip(rest)}" after baseline: expected "* <number>" and/or "+ <value>" / "- <value>"` };
    if (/^[-+]/.test(plus[2])) return { problem: `"${clip(rest)}": one sign is enough` };
    const v = parseValue(plus[2], metric);
    if ('problem' in v) return v;
    offset = plus[1] === '-' ? -v.value : v.value;
  }
  return { baseline: true, factor, offset };
}

/** A number with the metric's unit, in the metric's unit (s → ms). */
function parseValue(text: string, metric: Metric): { value: number } | { problem: string } {
  const m = VALUE.exec(text);
  if (!m) {
    return { problem: `"${clip(text)}" is not a value: expected a number with an optional unit (ms, s, %; $ for a cost)${/[*+/]/.test(text) ? ', or baseline arithmetic ("baseline * 1.1", "baseline + 20ms")' : ''}` };
  }
  const [, dollar, num, unit] = m;
  const n = Number(num);
  if (!Number.isFinite(n)) return { problem: `"${clip(text)}" is not a finite number` };
  const unitName = metric.unit === '' ? 'no unit' : `unit ${metric.unit}`;
  if (dollar && metric.unit !== 'USD') return { problem: `${metric.name} is not a cost (${unitName}): "${clip(text)}" cannot apply` };
  switch (metric.unit) {
    case 'ms':
      if (unit === '' || unit === 'ms') return { value: n };
      if (unit === 's') return { value: n * 1000 };
      return { problem: `${metric.name} is a time: "${clip(text)}" has unit "${clip(unit)}" (use ms or s, or a bare number of ms)` };
    case '%':
      if (unit === '%') return { value: n };
      return { problem: `${metric.name} is a share: write it in %, e.g. "${clip(num)}%"${unit ? ` (not "${clip(unit)}")` : ''}` };
    default:
      if (unit === '') return { value: n };
      return { problem: `${metric.name} has ${unitName}: "${clip(text)}" has unit "${clip(unit)}"` };
  }
}

/** The limit a bound sets, given the baseline's value when it needs one. */
export function limitOf(bound: Bound, baseline: number | undefined): number | undefined {
  if (!bound.baseline) return bound.value;
  return baseline === undefined ? undefined : baseline * bound.factor + bound.offset;
}

/** Whether `observed <op> limit` holds: the threshold is met. */
export function holds(observed: number, op: Operator, limit: number): boolean {
  switch (op) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
      return observed === limit;
    case '!=':
      return observed !== limit;
  }
}
