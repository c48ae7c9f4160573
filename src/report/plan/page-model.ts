import type { FunctionWork, Headroom, Plan } from '../../analyses/plan/plan-schema.ts';
import { fmtInt, fmtMs, fmtNum, fmtRoomSize, fmtUsd } from '../../number-format.ts';
import { buildPlanCharts, type PlanCharts } from './chart-data.ts';
import { AXIS_NAME, breakText, byShare, exceeded, headroomText, needsText, shareText } from './limits-text.ts';
import { artilleryText, hostsText, hostText, pastPortsText, rehearsalText } from './load-hosts-text.ts';

/**
 * A capacity plan's page facts, computed once from plan.json: the console, summary.md and
 * index.html render this model, so the total, the first limit to break, a fit's line, a
 * function's durations' provenance or a cost line's warning cannot read one way on one and
 * another way on the next. Numbers already worded (number-format.ts); plain text, each renderer
 * escapes. What only the page draws (charts, the traffic's totals, the daily profile, the work
 * model's tables) the page reads from plan.json through its own sections.
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

export interface PlanPageModel {
  /** "$4,321.50" */
  total: string;
  period: string;
  /** the totals by service, in the order every rendering gives them (data transfer only where priced above zero) */
  totals: Array<{ service: string; cost: string }>;
  region: string;
  pricesAsOf: string;
  pricesSource: string;
  architecture: string;
  /** the first limit to break (the axis grown first) and what moves it */
  firstBreak?: { line: string; moves?: string };
  /** each axis grown: its first break in one line */
  growth: Array<{ axis: string; line: string; moves?: string }>;
  /** the limits at the peak, the tightest first */
  headroom: PlanHeadroomRow[];
  costLines: PlanCostLine[];
  fits: PlanFit[];
  /** measured on the local emulator (absent on AWS): where, whose the billed durations are, and the runs */
  emulator?: { where: string; line: string; runs: string[] };
  /** a run planned at its own traffic: measured beside planned */
  check?: { runId: string; measured: string; planned: string };
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

function fitOf(f: FunctionWork): PlanFit | undefined {
  const fit = f.fit;
  if (!fit) return undefined;
  const sign = fit.perRecipientMs < 0 ? '−' : '+';
  return {
    function: f.name,
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

export function planPageModel(p: Plan): PlanPageModel {
  const c = p.cost;
  const transfer = c.lines.filter((l) => l.service === 'Data transfer').reduce((s, l) => s + l.cost, 0);
  const first = p.growth[0];
  const emulated = p.workModel.runs.filter((r) => r.measuredOn === 'emulator').map((r) => r.runId);
  const l = p.loadHosts;
  return {
    total: fmtUsd(c.totals.total),
    period: p.traffic.periodLabel,
    totals: [
      { service: 'Lambda', cost: fmtUsd(c.totals.lambda) },
      { service: 'API Gateway', cost: fmtUsd(c.totals.apiGateway) },
      { service: 'DynamoDB', cost: fmtUsd(c.totals.dynamodb) },
      ...(transfer > 0 ? [{ service: 'Data transfer', cost: fmtUsd(transfer) }] : []),
    ],
    region: c.region,
    pricesAsOf: c.pricesAsOf,
    pricesSource: c.pricesSource,
    architecture: c.architecture,
    ...(first ? { firstBreak: { line: breakText(first, p.headroom), ...(first.firstBreak ? { moves: first.firstBreak.moves } : {}) } } : {}),
    growth: p.growth.map((g) => ({ axis: AXIS_NAME[g.axis], line: breakText(g, p.headroom), ...(g.firstBreak ? { moves: g.firstBreak.moves } : {}) })),
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
    ...(emulated.length > 0 ? { emulator: { ...EMULATOR_TEXT, runs: emulated } } : {}),
    ...(p.check ? { check: { runId: p.check.runId, measured: fmtUsd(p.check.total.measured), planned: fmtUsd(p.check.total.planned) } } : {}),
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
    notes: [...new Set([...p.workModel.notes, ...p.notes])],
    charts: buildPlanCharts(p),
  };
}

/** A function's p99 as the work model's table gives it: "310 ms at 9.6 recipients". */
export function p99Text(f: FunctionWork): string {
  if (f.p99Ms === null) return '–';
  return f.p99AtRecipients !== null ? `${fmtMs(f.p99Ms)} at ${fmtRoomSize(f.p99AtRecipients)} recipients` : fmtMs(f.p99Ms);
}
