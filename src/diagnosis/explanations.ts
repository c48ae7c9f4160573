import { LIMIT_FACTORS } from '../contracts/limit-factors.ts';
import type { Results } from '../contracts/results-schema.ts';
import { checkFailed, type Check, type Explanation, type ThresholdResult } from '../contracts/verdict-schema.ts';
import { fmtInt } from '../number-format.ts';
import type { Symptom } from './limit-detector.ts';
import { limitEvidence, limitRemedy, symptomOf, type Factor } from './limit-evidence.ts';
import { functionsOnPath } from './path-evidence.ts';
import { goneHandling, STALE_CHECK, STALE_REMEDY } from './stale-handling.ts';

/**
 * Why each failed check failed, from the target's own evidence in the run's window: the same
 * evidence a search names its limit by (limit-evidence.ts, one module), the lines that can produce
 * the check's symptom, ranked by the share of it they account for, each with what would move it
 * (the functions' own errors in their own words among them); and for lost deliveries, where they
 * went missing. A check nothing explains says so,
 * rather than staying silent.
 */


/** The kinds of evidence that can explain each built-in check's failure (checks.ts). */
const BEARS_ON: Record<string, readonly Factor[]> = {
  'run completed': ['function-errors', 'invoke-permission', 'integration-errors', 'iam-denied', 'lambda-throttles', 'api-gateway-429', 'dynamodb-throttles', 'connections-post-errors', 'local-host', 'harness-saturated'],
  'sends went out': ['function-errors', 'invoke-permission', 'integration-errors', 'iam-denied', 'api-gateway-429', 'lambda-throttles', 'dynamodb-throttles', 'local-host', 'harness-saturated'],
  'no lost deliveries': ['not-emulated', 'queued-path', 'function-errors', 'invoke-permission', 'integration-errors', 'iam-denied', 'lambda-throttles', 'api-gateway-429', 'dynamodb-throttles', 'connections-post-errors', 'logged-errors', 'local-host', 'harness-saturated', 'posts-per-invocation'],
  'harness not saturated': ['harness-saturated', 'local-host'],
  'no unexpected errors': ['not-emulated', 'function-errors', 'invoke-permission', 'integration-errors', 'iam-denied', 'lambda-throttles', 'api-gateway-429', 'dynamodb-throttles', 'connections-post-errors', 'logged-errors', 'local-host'],
};

/**
 * What can explain a crossed threshold: every kind of evidence, latency's (the host, the harness,
 * cold starts, the fan-out's posts) as much as the refusals'.
 */
const ANY_FACTOR = LIMIT_FACTORS.filter((f): f is Factor => f !== 'none');

/** Said of a failed check when nothing in the evidence bears on it. */
export const UNEXPLAINED =
  "nothing in the target's metrics and logs of the run's window explains it (no throttles, 429s, DynamoDB throttling, post errors, denied calls, logged errors, function errors or held-back invocations)";

/**
 * One explanation per failed check, in the checks' order, then one per crossed threshold (an SLO
 * the run did not meet: `kind: 'threshold'`, named by its expression), in the thresholds' order.
 * A loss with no delivery owed (messages went where nobody was open and joined) has none: its
 * detail is the whole of its why, and the target's evidence has nothing to add.
 */
export function explainChecks(results: Results, checks: readonly Check[], thresholds: readonly ThresholdResult[] = []): Explanation[] {
  const owedNothing = (c: Check) => c.name === 'no lost deliveries' && results.deliveries.expected === 0;
  const failed = checks.filter((c) => checkFailed(c) && !owedNothing(c));
  const crossed = thresholds.filter((t) => t.outcome === 'fail');
  if (failed.length === 0 && crossed.length === 0) return [];
  const bySymptom = new Map<Symptom, ReturnType<typeof limitEvidence>>();
  const evidenceFor = (symptom: Symptom) => bySymptom.get(symptom) ?? bySymptom.set(symptom, limitEvidence(results, new Set([symptom]))).get(symptom)!;
  // a crossed latency threshold is weighed on its own figure (the stack's or the client's): the host's waits bear on one only where they are in it
  const explain = (check: string, symptom: Symptom, factors: readonly Factor[], where: string[], crossed?: ThresholdResult): Explanation => {
    const found = (crossed && symptom === 'latency' ? limitEvidence(results, new Set([symptom]), [crossed]) : evidenceFor(symptom))
      .filter((e) => e.factor !== 'none' && factors.includes(e.factor))
      .map((e) => ({ factor: e.factor, line: e.line, remedy: e.remedy ?? limitRemedy(e.factor as Factor), ...(e.share !== undefined ? { share: e.share } : {}) }));
    const lines = symptom === 'loss' ? onPathFirst(results, found) : found;
    return {
      check,
      evidence: lines,
      ...(where.length > 0 ? { where } : {}),
      ...(lines.length === 0 ? { unexplained: UNEXPLAINED } : {}),
    };
  };
  return [
    ...failed.map((c) => (c.name === STALE_CHECK ? staleWhy(results) : explain(c.name, symptomOf(c), BEARS_ON[c.name] ?? [], c.name === 'no lost deliveries' ? lostWhere(results) : []))),
    ...crossed.map((t) => ({
      ...explain(t.expression, symptomOf(t), ANY_FACTOR, t.metric.startsWith('deliveries.') ? lostWhere(results) : [], t),
      kind: 'threshold' as const,
    })),
  ];
}

/**
 * Why the stack never cleaned its stale connections: its own handling of the 410s as the run saw
 * it (stale-cleaned.ts), each with the SDK's terms for a 410; not the target's limits, which do
 * not make a stack keep a connection's row.
 */
function staleWhy(r: Results): Explanation {
  const lines = goneHandling(r).map((h) => ({ ...h, remedy: STALE_REMEDY }));
  return {
    check: STALE_CHECK,
    evidence: lines,
    ...(lines.length === 0 ? { unexplained: "the functions' logs were not read, so what the code did with its 410s is not known" } : {}),
  };
}

/**
 * Where lost deliveries went missing: by send phase ('send phase "before": 10 of 390 expected
 * deliveries lost'), then the loss's shapes, most deliveries first (results' deliveries.missing),
 * and why recipients could not be named, when they could not.
 */
function lostWhere(r: Results): string[] {
  const missing = r.deliveries.missing;
  return [
    ...(r.phases ?? [])
      .filter((p) => p.deliveries.lost > 0)
      .map((p) => `send phase "${p.name}": ${fmtInt(p.deliveries.lost)} of ${fmtInt(p.deliveries.expected)} expected deliveries lost`),
    ...(missing?.shapes ?? []).map((s) => s.line),
    ...(missing?.tracedWhy ? [`recipients not all named: ${missing.tracedWhy}`] : []),
  ];
}

/**
 * A loss's evidence with what is on the lost messages' path first: where the local emulator
 * stamped their probes at functions (results.hopLatency's `lambda:` hops), a line about other
 * functions only (the $connect function's timeouts, another's throttles), or about DynamoDB
 * throttling of tables only functions off the path used (results.permissions' used calls), comes
 * after every line that is not, whatever its share; the order is otherwise kept.
 */
export function onPathFirst<T extends { line: string; factor: string }>(r: Results, lines: readonly T[]): T[] {
  const onPath = functionsOnPath(r);
  if (onPath.size === 0) return [...lines];
  const known = new Set([...onPath, ...Object.keys(r.cloudwatch?.lambda ?? {}), ...(r.config.target.functions?.functions ?? []).map((f) => f.name)]);
  const offTables = tablesOffPath(r, onPath);
  const off = (l: T) => {
    if (l.factor === 'dynamodb-throttles') return offTables;
    const named = [...known].filter((fn) => namesFunction(l.line, fn));
    return named.length > 0 && named.every((fn) => !onPath.has(fn));
  };
  return [...lines.filter((l) => !off(l)), ...lines.filter((l) => off(l))];
}

/** Whether every throttled table was used only by functions off the path (unknown users: not said to be off it). */
function tablesOffPath(r: Results, onPath: ReadonlySet<string>): boolean {
  const throttled = Object.entries(r.cloudwatch?.dynamodb ?? {})
    .filter(([, t]) => Object.values(t.operations).some((o) => o.throttled > 0) || (t.readThrottleEvents ?? 0) + (t.writeThrottleEvents ?? 0) > 0)
    .map(([table]) => table);
  const usersOf = (table: string) =>
    (r.permissions?.functions ?? []).filter((f) => (f.used ?? []).some((u) => u.action.toLowerCase().startsWith('dynamodb:') && onTable(u.resource, table))).map((f) => f.function);
  return (
    throttled.length > 0 &&
    throttled.every((t) => {
      const users = usersOf(t);
      return users.length > 0 && users.every((fn) => !onPath.has(fn));
    })
  );
}

/** Whether an ARN is the table's or one of its indexes' or streams'. */
const onTable = (arn: string, table: string) => arn.endsWith(`:table/${table}`) || arn.includes(`:table/${table}/`);

/** Whether an evidence line is about `fn`: it leads with it ("fn: 3 errors", "fn logged …") or lists it ("(fn 3, …", ", fn 3"). */
function namesFunction(line: string, fn: string): boolean {
  return line.startsWith(`${fn}:`) || line.startsWith(`${fn} `) || line.includes(`(${fn} `) || line.includes(`, ${fn} `);
}
