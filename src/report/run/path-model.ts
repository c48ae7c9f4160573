import type { ApiHop, FunctionHop, MappingHop, PathHop, QueueHop, StackPath } from '../../contracts/path-schema.ts';
import { fmtInt, fmtNum } from '../../number-format.ts';

/**
 * The run page's path (results.path), worded once: one line per hop the way the console, summary.md
 * and the page say it, the HTTP and REST APIs a push enters through (`requests 120  4xx 0  5xx 0
 * latency p99 40 ms …`), a queue followed by the mappings that consume it (`→ fanout-worker
 * invocations 120 batch 10.0 avg concurrency 5→12`), its dead-letter queue with what it was sent,
 * then topics, rules, the other mappings (streams) and the functions that are not a mapping's
 * own; and which charts the page draws of it (a queue's age of oldest message and depth, the
 * mappings' batches at once). Pure; plain text (each renderer escapes).
 */
export interface PathRow {
  kind: 'HTTP API' | 'REST API' | 'queue' | 'dead-letter queue' | 'topic' | 'rule' | 'mapping' | 'function';
  name: string;
  /** what CloudWatch counted of it, in one line */
  figures: string;
}

export interface PathModel {
  rows: PathRow[];
  /**
   * Said where no hop carried anything in the run's window (the reference stack's push path in a
   * run that publishes nothing): the console's one line instead of a row per idle hop.
   */
  idle?: string;
  /** the charts of the Path section, by id (path-charts.ts builds them) */
  charts: string[];
  /** what could not be read of the path */
  notes: string[];
}

const n = (v: number) => fmtInt(v);
/** An age in seconds: "0.8 s", "12 s". */
const sec = (v: number) => `${fmtNum(v)} s`;
/** An age in ms: below a second in ms, else in seconds. */
const ageMs = (v: number) => (v < 1000 ? `${fmtNum(v)} ms` : sec(v / 1000));

export function pathModel(path: StackPath | undefined): PathModel | undefined {
  if (!path || path.hops.length === 0) return undefined;
  const hops = path.hops;
  const mappingFunctions = new Set(hops.filter((h): h is MappingHop => h.kind === 'mapping').map((m) => m.functionName));
  const fnOf = (name: string) => hops.find((h): h is FunctionHop => h.kind === 'function' && h.name === name);
  const attached = new Set<string>();
  const rows: PathRow[] = [];
  for (const h of hops) {
    if (h.kind === 'queue') {
      if ((h.deadLetterOf ?? []).length > 0) {
        rows.push({ kind: 'dead-letter queue', name: h.name, figures: deadLetterText(h, hops) });
        continue;
      }
      const consumers = hops.filter((m): m is MappingHop => m.kind === 'mapping' && m.source.kind === 'queue' && m.source.name === h.name);
      consumers.forEach((m) => attached.add(m.uuid));
      rows.push({ kind: 'queue', name: h.name, figures: [queueText(h), ...consumers.map((m) => `→ ${m.functionName}  ${mappingText(m, fnOf(m.functionName))}`)].join('  ') });
    } else if (h.kind === 'api') {
      rows.push({ kind: h.apiType === 'http' ? 'HTTP API' : 'REST API', name: h.name, figures: apiText(h) });
    } else if (h.kind === 'topic') {
      rows.push({ kind: 'topic', name: h.name, figures: `published ${n(h.totals.published)}  delivered ${n(h.totals.delivered)}  failed ${n(h.totals.failed)}  filtered out ${n(h.totals.filteredOut)}` });
    } else if (h.kind === 'rule') {
      rows.push({ kind: 'rule', name: h.name, figures: `matched ${n(h.totals.matched)}  invocations ${n(h.totals.invocations)}  failed ${n(h.totals.failed)}` });
    } else if (h.kind === 'mapping' && !attached.has(h.uuid)) {
      rows.push({ kind: 'mapping', name: h.name, figures: `polled ${n(h.totals.polled)}  ${mappingText(h, fnOf(h.functionName))}` });
    } else if (h.kind === 'function' && (!mappingFunctions.has(h.name) || h.totals.asyncReceived > 0)) {
      rows.push({ kind: 'function', name: h.name, figures: functionText(h) });
    }
  }
  const idle = hops.every((h) => !carried(h)) ? `${hops.map((h) => h.name).join(', ')}: nothing passed in the run's window` : undefined;
  return { rows, ...(idle ? { idle } : {}), charts: pathChartIds(path), notes: path.notes ?? [] };
}

/** Whether anything passed a hop in the run's window. */
function carried(h: PathHop): boolean {
  switch (h.kind) {
    case 'queue':
      return h.totals.sent + h.totals.received + (h.totals.redriven ?? 0) > 0;
    case 'topic':
      return h.totals.published > 0;
    case 'rule':
      return h.totals.matched > 0;
    case 'mapping':
      return h.totals.batches + h.totals.polled > 0;
    case 'function':
      return h.totals.invocations + h.totals.asyncReceived > 0;
    case 'api':
      return h.totals.requests > 0;
  }
}

function apiText(a: ApiHop): string {
  const t = a.totals;
  const p99 = (label: string, v: number | null) => (v === null ? '' : `  ${label} p99 ${ageMs(v)}`);
  return `requests ${n(t.requests)}  4xx ${n(t.clientErrors)}  5xx ${n(t.serverErrors)}${p99('latency', t.latencyP99Ms)}${p99('integration', t.integrationLatencyP99Ms)}  (stage ${a.stage})`;
}

/** The console's line for a row: `path: queue fanout-jobs  sent 1,200 …`. */
export function pathLine(row: PathRow): string {
  return `${row.kind} ${row.name}  ${row.figures}`;
}

function queueText(q: QueueHop): string {
  const t = q.totals;
  const oldest = t.oldestAgeMaxSec === null ? '' : `  oldest ${sec(t.oldestAgeMaxSec)} max`;
  const depth = t.visibleMax === null ? '' : `  depth ${n(t.visibleMax)} max`;
  return `sent ${n(t.sent)}  received ${n(t.received)}  deleted ${n(t.deleted)}${oldest}${depth}`;
}

function deadLetterText(q: QueueHop, hops: readonly PathHop[]): string {
  const of = q.deadLetterOf!.map((name) => {
    const source = hops.find((h): h is QueueHop => h.kind === 'queue' && h.name === name);
    const max = source?.deadLetterQueue?.maxReceiveCount;
    return max === undefined ? name : `${name} after maxReceiveCount ${max}`;
  });
  return `moved ${n(q.totals.redriven ?? 0)} from ${of.join(', ')}${q.totals.visibleMax === null ? '' : `  depth ${n(q.totals.visibleMax)} max`}`;
}

/** A mapping's batches (its function's invocations), their mean size, failures and its concurrency from first to largest. */
function mappingText(m: MappingHop, fn: FunctionHop | undefined): string {
  const t = m.totals;
  const parts = [`invocations ${n(t.batches)}`];
  if (t.batches > 0 && t.invoked > 0) parts.push(`batch ${fmtNum(t.invoked / t.batches)} avg`);
  if (t.failedInvoke > 0) parts.push(`failed events ${n(t.failedInvoke)}`);
  if (t.dropped > 0) parts.push(`dropped ${n(t.dropped)}`);
  if (fn && fn.totals.errors > 0) parts.push(`errors ${n(fn.totals.errors)}`);
  if (fn && fn.totals.throttles > 0) parts.push(`throttles ${n(fn.totals.throttles)}`);
  if (t.concurrencyMax !== null) parts.push(`concurrency ${t.concurrencyFirst === null ? '' : `${fmtNum(t.concurrencyFirst)}→`}${fmtNum(t.concurrencyMax)}${m.concurrencySource === 'function' ? ' (its function)' : ''}`);
  return parts.join('  ');
}

function functionText(f: FunctionHop): string {
  const t = f.totals;
  const parts = [`invocations ${n(t.invocations)}`, `errors ${n(t.errors)}`, `throttles ${n(t.throttles)}`];
  if (t.durationP99Ms !== null) parts.push(`p99 ${fmtNum(t.durationP99Ms)} ms`);
  if (t.asyncReceived > 0 || t.asyncDropped > 0) {
    parts.push(`async events ${n(t.asyncReceived)}`);
    if (t.asyncAgeMaxMs !== null) parts.push(`age ${ageMs(t.asyncAgeMaxMs)} max`);
    parts.push(`dropped ${n(t.asyncDropped)}`);
  }
  return parts.join('  ');
}

/** The Path section's charts: one per queue with a series over time, and the mappings' concurrency where any mapping has it. */
export function pathChartIds(path: StackPath): string[] {
  const ids: string[] = [];
  for (const h of path.hops) if (h.kind === 'queue' && (h.overTime?.oldestAgeSec || h.overTime?.visible)) ids.push(queueChartId(h.name));
  if (path.hops.some((h) => h.kind === 'mapping' && h.overTime?.concurrency)) ids.push(MAPPING_CHART_ID);
  if (path.hops.some((h) => h.kind === 'function' && h.overTime?.asyncAgeMs)) ids.push(ASYNC_AGE_CHART_ID);
  return ids;
}

export const queueChartId = (name: string) => `path-queue-${name}`;
export const MAPPING_CHART_ID = 'path-mapping-concurrency';
export const ASYNC_AGE_CHART_ID = 'path-async-age';
