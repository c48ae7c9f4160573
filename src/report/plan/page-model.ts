import { launchScalingText, provisionedNeedText } from './provisioned-text.ts';
import type { FunctionWork, Headroom, Plan, PlanCheck } from '../../analyses/plan/plan-schema.ts';
import { fmtInt, fmtMs, fmtNum, fmtPercent, fmtRoomSize, fmtUsd } from '../../number-format.ts';
import { buildPlanCharts, fitChartId, scaleChartId, type PlanCharts } from './chart-data.ts';
import { AXIS_NAME, axisValue, breakText, byShare, exceeded, headroomText, needsText, scaleText, shareText } from './limits-text.ts';
import { artilleryText, hostsText, hostText, pastPortsText, rehearsalText } from './load-hosts-text.ts';

/**
 * A capacity plan's page facts, computed once from plan.json: the console, summary.md and
 * index.html render this model and nothing else, so the total, the traffic, the first limit to
 * break, a fit's line, a function's durations' provenance, a cost line's warning or a difference
 * between measured and planned cannot read one way on one and another way on the next. Numbers
 * already worded (number-format.ts); plain text, each renderer escapes.
 */

export interface PlanCostLine {
  service: string;
  item: string;
  note?: string;
  /** CloudWatch's metrics for it were not all published when pulled */
  partial?: string;
  quantity: string;
  unit: string;
  /** "$0.20 per 1,000,000" */
  price: string;
  cost: string;
  source: string;
  /** priced over a month's volume tiers */
  tiered: boolean;
}

export interface PlanHeadroomRow {
  limit: string;
  label: string;
  scope?: string;
  /** "needs 812 of 1,000 concurrent executions (81.2 %)" */
  needs: string;
  needsValue: string;
  of: string;
  unit: string;
  share: string;
  /** "×3.2 to the limit", "far below the limit", "–" */
  headroom: string;
  exceeded: boolean;
  how: string;
  limitSource: string;
  moves: string;
}

export interface PlanFit {
  function: string;
  /** its chart's id in `charts` */
  chart: string;
  /** "billed ms = 14.2 + 1.83 × recipients" */
  line: string;
  r2: string;
  /** how many room sizes it rests on */
  sizes: string;
  points: Array<{ recipients: string; billedMs: string; onTheLine: string; runs: string }>;
}

export interface PlanLoadHostRow {
  name: string;
  host: string;
  connectionsPerHost: string;
  connectionsBy: string;
  deliveriesPerHostPerS: string;
  hosts: string;
  binding: string;
  /** "4 hosts, bound by ports" */
  hostsText: string;
  why: string;
  pastPorts?: string;
}

/** A labelled figure: a fact of the header, a card, a total. */
export interface PlanFact {
  label: string;
  value: string;
  /** under the value, on a card: "per month", "49.8 messages/s" */
  sub?: string;
}

/** Where the first limit breaks: the scale, the traffic and the cost there. */
export interface PlanBreakCards {
  /** "1.99 × message rate" */
  at: PlanFact;
  connections: PlanFact;
  roomSize: PlanFact;
  messagesPerS: PlanFact;
  cost: PlanFact;
}

export interface PlanGrowthRow {
  /** the axis's key in plan.json ("messagesPerS"): the page's anchor */
  id: string;
  /** "message rate" */
  axis: string;
  /** the planned peak on the axis: "25 messages/s" */
  base: string;
  line: string;
  moves?: string;
  /** the ids of its cost and share charts in `charts` */
  costChart: string;
  headroomChart: string;
}

export interface PlanWorkFunction {
  name: string;
  route: string;
  authorizer: boolean;
  per: string;
  invocationsPer: string;
  /** "1.90" */
  billedMsPer: string;
  /** "per recipient, fitted" */
  billedMsPerUnit: string;
  /** "1,024 MB (measured at 512)" */
  memory: string;
  /** "410 ms at 100 recipients" */
  p99: string;
  /** "REPORT lines", "report-lines / cloudwatch" */
  source: string;
  measuredOn: string;
  runs: string;
}

export interface PlanWorkModel {
  /** "1,200 connects, 40 rooms, …" */
  counts: string;
  runs: Array<{ runId: string; measuredOn: string; cloudwatch: string; duration: string; roomSize: string; payload: string; file: string }>;
  functions: PlanWorkFunction[];
  /** DynamoDB units per operation */
  units: Array<{ operation: string; read: string; write: string }>;
  /** the model's other figures, a sentence each: where the units came from, posts per recipient, bytes per post, joins per connect */
  figures: string[];
}

export interface PlanCheckRow {
  /** a function, or "Lambda: requests" */
  name: string;
  measured: string;
  planned: string;
  /** planned − measured: "+12 (+0.5 %)", "0", "–" */
  difference: string;
}

export interface PlanCheckModel {
  runId: string;
  measured: string;
  planned: string;
  difference: string;
  invocations: PlanCheckRow[];
  lines: Array<{ name: string; quantity: Omit<PlanCheckRow, 'name'>; cost: Omit<PlanCheckRow, 'name'> }>;
}

export interface PlanPageModel {
  toolVersion: string;
  createdAt: string;
  /** "$4,321.50" */
  total: string;
  period: string;
  /** the totals by service, in the order every rendering gives them (data transfer only where priced above zero) */
  totals: Array<{ service: string; cost: string }>;
  /** what the cost is priced at, one wording everywhere: "us-east-1 prices of 2026-11-01 (bundled), Lambda arm64" */
  prices: string;
  /** the traffic planned: where it came from ("as given", "run X at its own traffic") and its figures at the peak */
  traffic: PlanFact[];
  /** the traffic's operations over the period priced */
  trafficTotals: PlanFact[];
  /** the daily profile: where from, and each hour's % of the peak (hour 0 to 23, UTC) */
  profile?: { source: string; hours: string[] };
  /** the first limit to break (the axis grown first) and what moves it, with where it breaks */
  firstBreak?: { line: string; moves?: string; cards?: PlanBreakCards };
  /** "The planned peak grown by message rate, the rest held." */
  growthIntro?: string;
  /** each axis grown: its first break in one line */
  growth: PlanGrowthRow[];
  /** the limits at the peak, the tightest first */
  headroom: PlanHeadroomRow[];
  costLines: PlanCostLine[];
  fits: PlanFit[];
  workModel: PlanWorkModel;
  /** measured on the local emulator (absent on AWS): where, whose the billed durations are, and the runs */
  emulator?: { where: string; line: string; runs: string[] };
  /** a run planned at its own traffic: measured beside planned */
  check?: PlanCheckModel;
  loadHosts?: { rehearsal: string; sizes: PlanLoadHostRow[]; artillery: string; notes: string[] };
  notes: string[];
  charts: PlanCharts;
}

/** The plan's words for durations measured on this host (the run page says it of its cost too). */
export const EMULATOR_TEXT = { where: 'measured on the local emulator', line: "billed durations are this host's, not Lambda's" } as const;

function headroomRow(h: Headroom): PlanHeadroomRow {
  return {
    limit: h.limit,
    label: h.label,
    ...(h.scope && !h.label.includes(h.scope) ? { scope: h.scope } : {}),
    needs: needsText(h),
    needsValue: fmtNum(h.needs),
    of: fmtNum(h.of),
    unit: h.unit,
    share: shareText(h.share),
    headroom: exceeded(h) ? 'exceeded' : h.share > 0 ? headroomText(h.share) : '–',
    exceeded: exceeded(h),
    how: h.how,
    limitSource: h.limitSource,
    moves: h.moves,
  };
}

function fitOf(f: FunctionWork, i: number): PlanFit | undefined {
  const fit = f.fit;
  if (!fit) return undefined;
  const sign = fit.perRecipientMs < 0 ? '−' : '+';
  return {
    function: f.name,
    chart: fitChartId(i),
    line: `billed ms per invocation = ${fmtNum(fit.interceptMs)} ${sign} ${fmtNum(Math.abs(fit.perRecipientMs))} × recipients`,
    r2: fmtNum(fit.r2),
    sizes: `${fit.points.length} room sizes`,
    points: fit.points.map((pt) => ({
      recipients: fmtRoomSize(pt.recipients),
      billedMs: fmtNum(pt.billedMsPerInvocation),
      onTheLine: fmtNum(fit.interceptMs + fit.perRecipientMs * pt.recipients),
      runs: pt.runs.join(', '),
    })),
  };
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);

/** The traffic planned, at the peak: the figures the page's header and summary.md's traffic line give. */
function trafficFacts(p: Plan): PlanFact[] {
  const t = p.traffic;
  return [
    { label: 'traffic', value: t.source === 'flags' ? 'as given' : `run ${p.check?.runId ?? p.workModel.runs[0]?.runId ?? ''} at its own traffic` },
    { label: 'connections', value: fmtInt(Math.round(t.connections)) },
    { label: 'room size', value: fmtRoomSize(t.roomSize) },
    { label: 'messages/s', value: fmtNum(t.messagesPerS) },
    { label: 'connects/s', value: fmtNum(t.connectsPerS) },
    ...(t.sessionSec !== undefined ? [{ label: 'session', value: `${fmtNum(t.sessionSec / 60)} min` }] : []),
    { label: 'profile', value: t.profile ? `${t.profile.source} · daily mean ${fmtPercent(mean(t.profile.hours) * 100)} of the peak` : 'flat: the peak 24 h a day' },
  ];
}

function trafficTotals(p: Plan): PlanFact[] {
  const t = p.traffic.totals;
  const counts: Array<[string, number]> = [
    ['connects', t.connects],
    ['rooms', t.rooms],
    ['joins', t.joins],
    ['messages', t.messages],
    ['recipients', t.recipients],
    ['posts', t.posts],
    ['connection minutes', t.connectionMinutes],
  ];
  return counts.map(([label, n]) => ({ label, value: fmtInt(Math.round(n)) }));
}

function breakCards(p: Plan): PlanBreakCards | undefined {
  const b = p.growth[0]?.firstBreak;
  if (!b) return undefined;
  return {
    at: { label: 'at', value: scaleText(b.factor, b.axis), sub: axisValue(b.axis, b.traffic) },
    connections: { label: 'connections there', value: fmtInt(Math.round(b.traffic.connections)) },
    roomSize: { label: 'room size there', value: fmtRoomSize(b.traffic.roomSize) },
    messagesPerS: { label: 'messages/s there', value: fmtNum(b.traffic.messagesPerS) },
    cost: { label: 'cost there', value: fmtUsd(b.monthlyCost), sub: 'per month' },
  };
}

function workModel(p: Plan): PlanWorkModel {
  const w = p.workModel;
  const d = w.dynamodb;
  const unitsFrom =
    d.source === 'cloudwatch'
      ? `measured (AWS/DynamoDB, ${d.runs.join(', ')}), split over the routes by the per-route model (read × ${fmtNum(d.readScale)}, write × ${fmtNum(d.writeScale)})`
      : 'the per-route assumptions (nothing measured)';
  const from = (source: string, runs: readonly string[]) => `${source}${runs.length ? `, ${runs.join(', ')}` : ''}`;
  return {
    counts: `${fmtInt(w.counts.connects)} connects, ${fmtInt(w.counts.rooms)} rooms, ${fmtInt(w.counts.joins)} joins, ${fmtInt(w.counts.messages)} messages, ${fmtInt(w.counts.recipients)} recipients`,
    runs: w.runs.map((r) => ({
      runId: r.runId,
      measuredOn: r.measuredOn,
      cloudwatch: r.cloudwatchSource ?? 'none',
      duration: `${fmtNum(r.durationSec)} s`,
      roomSize: fmtRoomSize(r.roomSize),
      payload: `${fmtInt(r.payloadBytes)} B`,
      file: r.file,
    })),
    functions: w.functions.map((f) => ({
      name: f.name,
      route: f.route,
      authorizer: f.authorizer === true,
      per: f.per,
      invocationsPer: fmtNum(f.invocationsPer),
      billedMsPer: fmtNum(f.billedMsPer),
      billedMsPerUnit: `per ${f.billedMsPerUnit}${f.fit ? ', fitted' : ''}`,
      memory: f.memoryMB === f.measuredMemoryMB ? `${fmtInt(f.memoryMB)} MB` : `${fmtInt(f.memoryMB)} MB (measured at ${fmtInt(f.measuredMemoryMB)})`,
      p99: p99Text(f),
      source: f.invocationsSource === f.billedSource ? f.billedSource : `${f.invocationsSource} / ${f.billedSource}`,
      measuredOn: f.measuredOn.join(', '),
      runs: f.runs.join(', '),
    })),
    units: d.perOperation.map((u) => ({ operation: u.operation, read: fmtNum(u.readUnits), write: fmtNum(u.writeUnits) })),
    figures: [
      `DynamoDB units: ${unitsFrom}; ${fmtNum(d.gonePerMessage)} gone connections per message.`,
      `@connections posts per recipient: ${fmtNum(w.posts.perRecipient)} (${from(w.posts.source, w.posts.runs)}).`,
      `Bytes per post: ${fmtInt(Math.round(w.bytes.perPost))} (${from(w.bytes.source, w.bytes.runs)}).`,
      `Joins per connect: ${fmtNum(w.joinsPerConnect)}.`,
    ],
  };
}

/** planned − measured, and its share of the measured: "+12 (+0.5 %)"; "0" within rounding; "–" where either is unknown. */
export function differenceText(measured: number | null, planned: number | null, fmt: (n: number) => string): string {
  if (measured === null || planned === null) return '–';
  const d = planned - measured;
  if (Math.abs(d) <= 1e-9 * Math.max(Math.abs(measured), Math.abs(planned))) return '0';
  const sign = d > 0 ? '+' : '−';
  const share = fmtPercent((Math.abs(d) / Math.abs(measured)) * 100);
  return `${sign}${fmt(Math.abs(d))}${measured !== 0 ? ` (${/^\d/.test(share) ? sign : ''}${share})` : ''}`;
}

function checkModel(k: PlanCheck): PlanCheckModel {
  const pair = (m: number | null, pl: number | null, fmt: (n: number) => string) => ({ measured: m === null ? '–' : fmt(m), planned: pl === null ? '–' : fmt(pl), difference: differenceText(m, pl, fmt) });
  return {
    runId: k.runId,
    ...pair(k.total.measured, k.total.planned, fmtUsd),
    invocations: k.invocations.map((i) => ({ name: i.function, ...pair(i.measured, i.planned, fmtNum) })),
    lines: k.lines.map((l) => ({ name: `${l.service}: ${l.item}`, quantity: pair(l.quantity.measured, l.quantity.planned, fmtNum), cost: pair(l.cost.measured, l.cost.planned, fmtUsd) })),
  };
}

export function planPageModel(p: Plan): PlanPageModel {
  const c = p.cost;
  const transfer = c.lines.filter((l) => l.service === 'Data transfer').reduce((s, l) => s + l.cost, 0);
  const first = p.growth[0];
  const emulated = p.workModel.runs.filter((r) => r.measuredOn === 'emulator').map((r) => r.runId);
  const l = p.loadHosts;
  const cards = breakCards(p);
  const profile = p.traffic.profile;
  return {
    toolVersion: p.toolVersion,
    createdAt: p.createdAt,
    total: fmtUsd(c.totals.total),
    period: p.traffic.periodLabel,
    totals: [
      { service: 'Lambda', cost: fmtUsd(c.totals.lambda) },
      { service: 'API Gateway', cost: fmtUsd(c.totals.apiGateway) },
      { service: 'DynamoDB', cost: fmtUsd(c.totals.dynamodb) },
      ...(transfer > 0 ? [{ service: 'Data transfer', cost: fmtUsd(transfer) }] : []),
      ...(c.totals.secretsManager !== undefined ? [{ service: 'Secrets Manager', cost: fmtUsd(c.totals.secretsManager) }] : []),
    ],
    prices: `${c.region} prices of ${c.pricesAsOf} (${c.pricesSource}), Lambda ${c.architecture}`,
    traffic: trafficFacts(p),
    trafficTotals: trafficTotals(p),
    ...(profile ? { profile: { source: profile.source, hours: profile.hours.map((f) => fmtNum(f * 100)) } } : {}),
    ...(first ? { firstBreak: { line: breakText(first, p.headroom), ...(first.firstBreak ? { moves: first.firstBreak.moves } : {}), ...(cards ? { cards } : {}) } } : {}),
    ...(first ? { growthIntro: `The planned peak grown by ${AXIS_NAME[first.axis]}, the rest held.` } : {}),
    growth: p.growth.map((g) => ({
      id: g.axis,
      axis: AXIS_NAME[g.axis],
      base: axisValue(g.axis, p.traffic),
      line: breakText(g, p.headroom),
      ...(g.firstBreak ? { moves: g.firstBreak.moves } : {}),
      costChart: scaleChartId('cost', g.axis),
      headroomChart: scaleChartId('headroom', g.axis),
    })),
    headroom: byShare(p.headroom).map(headroomRow),
    costLines: c.lines.map((x) => ({
      service: x.service,
      item: x.item,
      ...(x.note ? { note: x.note } : {}),
      ...(x.partial ? { partial: x.partial } : {}),
      quantity: fmtNum(x.quantity),
      unit: x.unit,
      price: `${fmtUsd(x.unitPrice)} per ${fmtNum(x.per)}`,
      cost: fmtUsd(x.cost),
      source: x.source,
      tiered: x.tiered === true,
    })),
    fits: p.workModel.functions.map(fitOf).filter((x): x is PlanFit => x !== undefined),
    workModel: workModel(p),
    ...(emulated.length > 0 ? { emulator: { ...EMULATOR_TEXT, runs: emulated } } : {}),
    ...(p.check ? { check: checkModel(p.check) } : {}),
    ...(l
      ? {
          loadHosts: {
            rehearsal: rehearsalText(l),
            sizes: l.sizes.map((s) => ({
              name: s.name,
              host: hostText(s),
              connectionsPerHost: fmtInt(s.connectionsPerHost),
              connectionsBy: s.connectionsBy,
              deliveriesPerHostPerS: fmtInt(s.deliveriesPerHostPerS),
              hosts: fmtInt(s.hosts),
              binding: s.binding,
              hostsText: hostsText(s),
              why: s.why,
              ...(s.pastPorts ? { pastPorts: pastPortsText(s) } : {}),
            })),
            artillery: artilleryText(l),
            notes: l.notes,
          },
        }
      : {}),
    notes: [...new Set([...p.workModel.notes, ...p.notes, ...(p.provisioned ?? []).flatMap((n) => [provisionedNeedText(n, p.traffic.periodLabel), ...(n.launch ? [launchScalingText(n.fn, n.launch)] : [])])])],
    charts: buildPlanCharts(p),
  };
}

/** A function's p99 as the work model's table gives it: "310 ms at 9.6 recipients". */
export function p99Text(f: FunctionWork): string {
  if (f.p99Ms === null) return '–';
  return f.p99AtRecipients !== null ? `${fmtMs(f.p99Ms)} at ${fmtRoomSize(f.p99AtRecipients)} recipients` : fmtMs(f.p99Ms);
}
