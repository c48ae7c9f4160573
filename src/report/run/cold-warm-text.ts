import type { ReportLineStats } from '../../contracts/cloudwatch-schema.ts';
import { INITIALIZATION_TYPES, type InitializationType } from '../../contracts/attribution-schema.ts';
import type { LatencySummary } from '../../contracts/results-schema.ts';
import { fmtInt, fmtMs, fmtShare } from '../../number-format.ts';
import { partOfWhole, partOfWholeText } from '../../part-of-whole.ts';
import type { AttributionModel, ColdWarmModel, ColdWarmRow, Figure, LatencyFigures, RequestKind, RouteRow } from './attribution-model.ts';

/**
 * The words and numbers the console, summary.md and index.html use for the attribution model
 * (attribution-model.ts): plain text, each renderer escapes. One wording, so the three pages say
 * the same thing in the same numbers.
 */

/** How each figure is labelled beside its number, and what the label means. */
export const FIGURE_LABEL: Record<Figure, string> = { stack: 'stack', client: 'client' };
export const FIGURE_MEANS: Record<Figure, string> = { stack: 'host waits taken out', client: "what a user's client saw on this host" };

export const KIND_LABEL: Record<RequestKind, string> = { connect: 'connect', answer: 'answer', broadcast: 'broadcast', publish: 'publish' };
/** What each kind counts, and which invocation served it. */
export const KIND_MEANS: Record<RequestKind, string> = {
  connect: 'the handshake, served by $connect',
  answer: "a frame the target answers (join, create, a send's ack), served by its route's invocation",
  broadcast: 'a delivery, served by the invocation that handled its message',
  publish: "a publish phase's call through the stack's own HTTP or REST route (publish → the API's answer), served by its route's invocation",
};

/** "the stack's figures first (host waits taken out), the client's beside them (what a user's client saw on this host)" */
export const STACK_FIRST_TEXT = `the stack's figures first (${FIGURE_MEANS.stack}), the client's beside them (${FIGURE_MEANS.client})`;

/** The host's hold on the invocations behind the timed requests, without a subject ("held back 727 of …"); undefined where the run read no host waits. */
export function hostHoldText(m: AttributionModel): string | undefined {
  const h = m.host;
  if (!h) return undefined;
  if (!m.stackFirst) return `held back none of the ${fmtInt(h.invocations)} invocations serving timed requests: the stack's figures are the client's`;
  const wait = h.wait ? ` (wait p50 ${fmtMs(h.wait.p50)}, p99 ${fmtMs(h.wait.p99)})` : '';
  const held = partOfWhole(h.heldBack, h.invocations, { part: 'held back', whole: 'invocations serving timed requests' });
  if (held.disagree) return `held back invocations serving timed requests${wait}; ${held.disagree}`;
  return `held back ${partOfWholeText(held)} invocations serving timed requests${wait}`;
}

/** "61.2 ms stack · 1,372 ms client", or the one figure: one statistic of a headline latency. */
export function figuresText(f: LatencyFigures, stat: 'p50' | 'p99'): string {
  return f.stack ? `${fmtMs(f.stack[stat])} ${FIGURE_LABEL.stack} · ${fmtMs(f.client[stat])} ${FIGURE_LABEL.client}` : fmtMs(f.client[stat]);
}

/** "n=1,000  p50 30.1 ms  p90 …  p99 …  max …": a summary on one line (the console's). */
export function summaryText(s: LatencySummary): string {
  return `n=${fmtInt(s.count)}  p50 ${fmtMs(s.p50)}  p90 ${fmtMs(s.p90)}  p99 ${fmtMs(s.p99)}  max ${fmtMs(s.max)}`;
}

/** Where the cold/warm split comes from. */
export function sourceText(cw: ColdWarmModel): string {
  if (cw.source === 'subprotocol') return "the reference stack's cold flag (on $connect's subprotocol and on each delivery)";
  const how = cw.accessLog === 'enable' ? "access logging set on the stage for the run and put back" : cw.accessLog === 'use' ? "the stage's own access log" : undefined;
  const where = [how, cw.logGroup ? `log group ${cw.logGroup}` : undefined].filter((x) => x !== undefined);
  return `API Gateway access log joined with REPORT lines${where.length ? ` (${where.join(', ')})` : ''}`;
}

/** What "cold" means for this source. */
export function coldMeansText(cw: ColdWarmModel): string {
  return cw.source === 'subprotocol'
    ? 'cold: the request met a new execution environment, as the reference stack flags it'
    : 'cold: served by an invocation that was a cold start (its REPORT line has an Init Duration, or a SnapStart Restore Duration)';
}

/** "12 of 4,000 requests not traced: no access-log line for the connection (8), …", or that all were. */
export function untracedText(cw: ColdWarmModel): string {
  const q = cw.requests;
  if (q.unattributed === 0) return `all ${fmtInt(q.timed)} timed requests traced to their invocation`;
  const why = q.why.map(([reason, n]) => `${reason} (${fmtInt(n)})`).join('; ');
  return `${fmtInt(q.unattributed)} of ${fmtInt(q.timed)} requests not traced${why ? `: ${why}` : ''}; counted apart, never as warm`;
}

/** What the split's figures are, and (stack-first) that cold and warm compare like with like. */
export function figuresMeanText(cw: ColdWarmModel): string {
  const stack = cw.rows.filter((r) => r.figure === 'stack').map((r) => KIND_LABEL[r.kind]);
  if (stack.length === 0) return `latencies are the client's (${FIGURE_MEANS.client})`;
  const client = cw.rows.filter((r) => r.figure === 'client').map((r) => KIND_LABEL[r.kind]);
  const and = (names: string[]) => new Intl.ListFormat('en', { type: 'conjunction' }).format(names);
  return `${and(stack)}: the stack's cold against the stack's warm (${FIGURE_MEANS.stack}), like with like${client.length ? `; ${and(client)}: the client's (the run has no stack split for ${client.length === 1 ? 'it' : 'them'})` : ''}`;
}

/** What the tail's columns are: the share of the slowest 1 % that was cold, p99 with and without the cold ones, of each row's figure. */
export const TAIL_MEANS = "tail: of the traced requests' latency (each row's figure), the share of the slowest 1 % that was cold, and p99 with and without the cold ones";

/** Which latency the routes' table is: the stack's where the run split it so (host waits taken out), else the client's. */
export function routesMeansText(m: AttributionModel): string {
  const stack = m.coldWarm?.routes.some((r) => r.figure === 'stack') ?? false;
  return `per route: the ${stack ? `stack's latency (${FIGURE_MEANS.stack})` : "client's latency"} of the traced requests, the cold invocations' Init Duration from their REPORT lines`;
}

/** "+520 ms" / "−12 ms" / "–" */
export function penaltyText(ms: number | null): string {
  if (ms === null) return '–';
  return ms < 0 ? `−${fmtMs(-ms)}` : `+${fmtMs(ms)}`;
}

/** A share of 0–1 as a percentage, "–" without one. */
export function shareText(share: number | null): string {
  return fmtShare(share);
}

/** "1,000 (7 cold, 981 warm, 12 not traced)" */
export function countsText(row: ColdWarmRow): string {
  const total = (row.cold?.count ?? 0) + (row.warm?.count ?? 0) + row.unattributed;
  const parts = [`${fmtInt(row.cold?.count ?? 0)} cold`, `${fmtInt(row.warm?.count ?? 0)} warm`, ...(row.unattributed ? [`${fmtInt(row.unattributed)} not traced`] : [])];
  return `${fmtInt(total)} (${parts.join(', ')})`;
}

/** "50% of the slowest 1 % cold; p99 1,372 ms, 1,210 ms without the cold ones" */
export function tailText(row: ColdWarmRow): string {
  return `${shareText(row.tailColdShare)} of the slowest 1 % cold; p99 ${fmtMs(row.p99Ms)}, ${fmtMs(row.p99WithoutColdMs)} without the cold ones`;
}

/** One kind on one line (the console's): counts, cold and warm p50/p99, the penalty, the tail. */
export function rowText(row: ColdWarmRow): string {
  const s = (x: LatencySummary | undefined) => (x ? `p50 ${fmtMs(x.p50)} p99 ${fmtMs(x.p99)}` : '–');
  return `${FIGURE_LABEL[row.figure]}  ${countsText(row)}  cold ${s(row.cold)}  warm ${s(row.warm)}  penalty ${penaltyText(row.penaltyMs)}  ${tailText(row)}`;
}

/** "$connect (fanout-connect)" */
export function routeName(r: RouteRow): string {
  return r.functionName ? `${r.route} (${r.functionName})` : r.route;
}

/** "7 of 200 (3.5%)", and where provisioned or SnapStart environments served some, each kind's share: "; provisioned 120, on demand 80 (7 cold)" */
export function coldRateText(r: RouteRow): string {
  return `${fmtInt(r.cold)} of ${fmtInt(r.attributed)} (${shareText(r.coldRate)})${environmentsText(r)}`;
}

const ENVIRONMENT_LABEL: Record<InitializationType, string> = { 'on-demand': 'on demand', 'provisioned-concurrency': 'provisioned', 'snap-start': 'SnapStart' };

/** How each kind of environment served the route, where any but on-demand did (nothing said otherwise). */
function environmentsText(r: RouteRow): string {
  const e = r.environments;
  if (!e || (!e['provisioned-concurrency'] && !e['snap-start'])) return '';
  return `; ${INITIALIZATION_TYPES.flatMap((type) => {
    const s = e[type];
    return s ? [`${ENVIRONMENT_LABEL[type]} ${fmtInt(s.served)}${s.cold ? ` (${fmtInt(s.cold)} cold)` : ''}`] : [];
  }).join(', ')}`;
}

/** The cold starts' own duration: "312 ms" (INIT), and where SnapStart restores served some, "restore 180 ms (12 restored)". */
export function coldStartDurationText(r: RouteRow): string {
  if (r.restored === undefined) return fmtMs(r.initP50Ms);
  const restore = `restore ${fmtMs(r.restoreP50Ms)} (${fmtInt(r.restored)} restored)`;
  return r.initP50Ms === null ? restore : `${fmtMs(r.initP50Ms)}; ${restore}`;
}

/** A function's SnapStart restores beside its INITs (REPORT lines): "; 4 restored (restore p50 180 ms)", or nothing where none was. */
export function restoresText(s: Pick<ReportLineStats, 'restores' | 'restoreDuration'>): string {
  return s.restores ? `; ${fmtInt(s.restores)} restored (restore p50 ${fmtMs(s.restoreDuration?.p50)})` : '';
}

/** A route on one line (the console's). */
export function routeText(r: RouteRow): string {
  return `${routeName(r)} ${r.kind}: cold ${coldRateText(r)}  cold p50 ${fmtMs(r.coldP50Ms)}  warm p50 ${fmtMs(r.warmP50Ms)}  penalty ${penaltyText(r.penaltyMs)}  Init Duration p50 ${coldStartDurationText(r)}`;
}

/** The cold requests drawn on the latency-over-time charts. */
export function coldPointsText(cw: ColdWarmModel): string | undefined {
  const n = cw.coldPoints;
  const total = n.connect + n.answer + n.broadcast + n.publish;
  if (total === 0) return undefined;
  const tableOnly = [n.answer ? `${fmtInt(n.answer)} cold answers` : '', n.publish ? `${fmtInt(n.publish)} cold publishes` : ''].filter(Boolean).join(' and ');
  const undrawn = tableOnly ? `; the ${tableOnly} are in the table only (the page draws connect and broadcast latency over time, nothing else)` : '';
  return `cold starts marked on the latency-over-time charts: ${fmtInt(n.connect)} connects, ${fmtInt(n.broadcast)} deliveries${undrawn}`;
}

/** The tables summary.md and index.html both show, as text cells (the page adds markup around them). */
export const KIND_HEAD = ['request', 'figures', 'requests', 'cold p50', 'warm p50', 'penalty', 'cold p99', 'warm p99'];
export function kindCells(row: ColdWarmRow): string[] {
  return [KIND_LABEL[row.kind], FIGURE_LABEL[row.figure], countsText(row), fmtMs(row.cold?.p50), fmtMs(row.warm?.p50), penaltyText(row.penaltyMs), fmtMs(row.cold?.p99), fmtMs(row.warm?.p99)];
}

export const TAIL_HEAD = ['request', 'slowest 1 % cold', 'p99', 'p99 without the cold ones'];
export function tailCells(row: ColdWarmRow): string[] {
  return [KIND_LABEL[row.kind], shareText(row.tailColdShare), fmtMs(row.p99Ms), fmtMs(row.p99WithoutColdMs)];
}

export const ROUTE_HEAD = ['route', 'function', 'request', 'cold starts', 'cold p50', 'warm p50', 'penalty', 'Init Duration p50', 'slowest 1 % cold'];
export function routeCells(r: RouteRow): string[] {
  return [r.route, r.functionName ?? '–', KIND_LABEL[r.kind], coldRateText(r), fmtMs(r.coldP50Ms), fmtMs(r.warmP50Ms), penaltyText(r.penaltyMs), coldStartDurationText(r), shareText(r.tailColdShare)];
}
