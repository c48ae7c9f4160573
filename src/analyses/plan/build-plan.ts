import { UserError } from '../../../common/errors.ts';
import type { CostLine } from '../../contracts/cost-schema.ts';
import type { PriceTable } from '../../contracts/prices.ts';
import { computeItem, initItem } from '../../metrics/cost/cost-model.ts';
import { choosePrices, UnknownPrices } from '../../metrics/cost/price-choice.ts';
import { REGION_PRICES, tablePrices } from '../../metrics/cost/region-prices.ts';
import { runArchitecture } from '../../metrics/cost/run-functions.ts';
import { pricesToReestimate } from '../../metrics/cost/uncharged-transfer.ts';
import { fmtInt, fmtNum, fmtRoomSize } from '../../number-format.ts';
import { fitAtNotes } from './duration-fit.ts';
import { firstBreakAlong, growTraffic, type GrowthInput } from './growth.ts';
import { headroomAt, PATH_LIMIT_IDS } from './headroom.ts';
import { provisionedNeeds, trackingOf, type TargetTracking } from './provisioned-need.ts';
import { loadHosts, type ThisHost } from './load-hosts.ts';
import { ownTraffic, peakHoursADay, planCost, plannedTraffic, type TrafficInput } from './monthly-cost.ts';
import { planLimits, type LimitFlags } from './plan-limits.ts';
import type { FunctionWork, GrowthAxis, Plan, PlanCheck, PlanCost, PlanTraffic } from './plan-schema.ts';
import { buildWorkModel, runBasis, type MeasuredRun, type RunBasis } from './work-model.ts';

/**
 * A plan: the work model of the runs, the traffic (given, or the one run's own), its cost by
 * line; for a run's own traffic, the run's measured cost and invocations beside the planned ones.
 * Pure: read runs in, plan.json's content out.
 */
export interface PlanInput {
  runs: readonly MeasuredRun[];
  /** absent: the one run's own traffic over its own duration */
  traffic?: TrafficInput;
  /** --memory fn=MB */
  memory?: Readonly<Record<string, number>>;
  /** --region: the built-in table's prices of that region */
  region?: string;
  /** --reserved, --table-capacity, --account-concurrency */
  limits?: LimitFlags;
  /** --grow: the axis grown first to find the first limit to break (default connections) */
  grow?: GrowthAxis;
  /** --target-tracking: provisioned concurrency's target tracking in a launch's first minutes (default 70 % from 1) */
  targetTracking?: TargetTracking;
  /** the machine planning: its load hosts are sized beside a few EC2 sizes (absent: those alone) */
  host?: ThisHost;
  /** what reading the dirs said (runs a comparison left out), first among the notes */
  readNotes?: readonly string[];
  toolVersion: string;
  createdAt: string;
}

export function buildPlan(input: PlanInput): Plan {
  const first = input.runs[0];
  if (!first) throw new UserError('plan: no run to plan from');
  if (!input.traffic && input.runs.length > 1) {
    throw new UserError(`plan: ${input.runs.length} runs and no traffic: give --connections, --room-size and --messages-per-s, or --traffic (a run's own traffic is planned one run at a time)`);
  }
  const prices = planPrices(first, input.region);
  const architecture = first.results.cost?.architecture ?? runArchitecture(first.results) ?? 'x86_64';
  const bases = input.runs.map((m) => runBasis(m, prices));
  const model = buildWorkModel(bases, input.memory ?? {});
  const basis = bases[0]!;
  const traffic = input.traffic ? plannedTraffic(model, input.traffic) : ownTraffic(basis);
  const cost = planCost(model, traffic, { prices, architecture, connectionSource: input.traffic ? 'assumption' : basis.connectionSource });
  const limits = planLimits(input.runs, { region: prices.region, functions: model.functions.map((f) => f.name), ...(input.limits ? { flags: input.limits } : {}) });
  const headroom = headroomAt(model, traffic, limits);
  const growthInput: GrowthInput = {
    model,
    peak: input.traffic ?? ownPeak(traffic),
    sessionGiven: input.traffic !== undefined,
    limits,
    price: { prices, architecture, connectionSource: 'assumption' },
    first: input.grow ?? 'connections',
  };
  const growth = growTraffic(growthInput);
  // a queued path: the first of its own quotas to break, beside the first of all
  const pathFirstBreak = model.path ? firstBreakAlong({ ...growthInput, only: (h) => PATH_LIMIT_IDS.has(h.limit) }) : undefined;
  const notes = [...(input.readNotes ?? []), ...model.notes, ...limits.notes, ...(cost.notes ?? [])];
  const estimated = input.traffic ? undefined : asEstimated(cost, model.functions);
  if (estimated && estimated.lines.length < cost.lines.length) {
    notes.push("the check holds each function's measured compute line (INIT inside it, as the run's estimate bills it) against the plan's compute and INIT lines together");
  }
  if (input.traffic) {
    const t = input.traffic;
    const peak = `${fmtInt(t.connections)} connections, rooms of ${fmtRoomSize(t.roomSize)}, ${fmtNum(t.messagesPerS)} messages/s, ${fmtNum(traffic.connectsPerS)} connects/s`;
    notes.push(
      t.profile
        ? `the peak: ${peak}; a daily profile (${t.profile.source}) of ${fmtNum(peakHoursADay(t.profile))} peak hours a day, for 30 days`
        : `a flat month: ${peak}, held 24 h a day for 30 days`,
    );
    const fitted = model.functions.filter((f) => f.fit);
    const scaled = model.functions.filter((f) => f.billedMsPerUnit === 'recipient' && !f.fit);
    for (const f of fitted) notes.push(...fitAtNotes(f.name, f.fit!, t.roomSize));
    if (scaled.length > 0) {
      notes.push(`the runs measured rooms of ${[...new Set(model.runs.map((r) => fmtRoomSize(r.roomSize)))].join(', ')}: ${scaled.map((f) => f.name).join(', ')}: billed time scaled per recipient, invocations per message`);
    }
  }
  return {
    kind: 'plan',
    toolVersion: input.toolVersion,
    createdAt: input.createdAt,
    workModel: model,
    traffic,
    cost,
    headroom,
    growth,
    firstBreak: growth[0]?.firstBreak ?? null,
    ...(pathFirstBreak !== undefined ? { pathFirstBreak } : {}),
    ...(estimated ? { check: ownTrafficCheck(first, basis, estimated) } : {}),
    loadHosts: loadHosts(traffic, input.runs, input.host),
    provisioned: provisionedNeeds(model, traffic, { prices, architecture }, trackingOf(input.runs, input.targetTracking)),
    notes,
  };
}

/** A run's own traffic as a peak to grow: its rates held (a month of them is what each grown point costs). */
function ownPeak(t: PlanTraffic): TrafficInput {
  // the session only sets connects/s when they are not given; they are, so any will do
  return { connections: t.connections, roomSize: t.roomSize, messagesPerS: t.messagesPerS, connectsPerS: t.connectsPerS, sessionSec: 1 };
}

/** The prices the plan uses: --region's from the built-in table, else those the run was estimated at, else its region's. */
function planPrices(run: MeasuredRun, region: string | undefined): PriceTable {
  if (region !== undefined) {
    const table = tablePrices(region);
    if (!table) throw new UserError(`--region ${region}: no built-in prices for it (the table has ${Object.keys(REGION_PRICES).join(', ')})`);
    return table;
  }
  if (run.results.cost) return pricesToReestimate(run.results.cost);
  try {
    return choosePrices(run.results.config.target.endpoints?.region).prices;
  } catch (err) {
    if (err instanceof UnknownPrices) throw new UserError(`${run.file}: ${err.message.replace(/; use .*$/, '')}: give --region`);
    throw err;
  }
}

/**
 * The plan's cost with its lines as a run's estimate has them: a run bills each function's INIT
 * inside its compute line (functionUsage), the plan on a line of its own, so each INIT line is
 * folded into its function's compute line to be held against the run's.
 */
function asEstimated(cost: PlanCost, functions: readonly FunctionWork[]): PlanCost {
  const lambda = (item: string) => cost.lines.find((l) => l.service === 'Lambda' && l.item === item);
  const folded = new Set<CostLine>();
  const lines = cost.lines.map((l) => {
    const f = l.service === 'Lambda' ? functions.find((x) => computeItem(x.name, x.memoryMB, cost.architecture) === l.item) : undefined;
    const init = f && lambda(initItem(f.name, f.memoryMB, cost.architecture));
    if (!init) return l;
    folded.add(init);
    return { ...l, quantity: l.quantity + init.quantity, cost: l.cost + init.cost };
  });
  return { ...cost, lines: lines.filter((l) => !folded.has(l)) };
}

/** The run's measured figures beside the plan of its own traffic (its lines as the run's estimate has them: asEstimated). */
function ownTrafficCheck(run: MeasuredRun, basis: RunBasis, cost: PlanCost): PlanCheck {
  const measuredCost = run.results.cost;
  const key = (l: { service: string; item: string }) => `${l.service}|${l.item}`;
  const planned = new Map(cost.lines.map((l) => [key(l), l]));
  const measured = new Map((measuredCost?.lines ?? []).map((l) => [key(l), l]));
  const keys = [...new Set([...measured.keys(), ...planned.keys()])];
  const names = [...new Set([...basis.usage.filter((u) => u.invocations > 0).map((u) => u.fn.name), ...Object.keys(cost.invocations)])];
  return {
    runId: run.results.runId,
    invocations: names.map((name) => ({
      function: name,
      measured: basis.usage.find((u) => u.fn.name === name)?.invocations ?? null,
      planned: cost.invocations[name] ?? null,
    })),
    lines: keys.map((k) => {
      const m = measured.get(k);
      const p = planned.get(k);
      const l = (m ?? p)!;
      return { service: l.service, item: l.item, quantity: { measured: m?.quantity ?? null, planned: p?.quantity ?? null }, cost: { measured: m?.cost ?? null, planned: p?.cost ?? null } };
    }),
    total: { measured: measuredCost?.totals.total ?? null, planned: cost.totals.total },
  };
}

