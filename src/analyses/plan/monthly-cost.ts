import type { CostLine, CostSource } from '../../contracts/cost-schema.ts';
import type { PriceTable } from '../../contracts/prices.ts';
import { apiGatewayMessageLines, connectionMinutesLine, dynamoDbLines, HOURS_PER_MONTH, lambdaInitLines, lambdaLines, PATH_SERVICES, type FunctionUsage, type InitUsage } from '../../metrics/cost/cost-model.ts';
import { plannedSecretsManagerLines } from '../../metrics/cost/secrets-cost.ts';
import { fmtNum } from '../../number-format.ts';
import { pathLines, scalePathRequests } from '../../metrics/cost/path-cost.ts';
import { applyVolumeTiers, REGION_TIERS } from '../../metrics/cost/volume-tiers.ts';
import { plannedInits, plannedRestores } from './cold-starts.ts';
import { snapStartLines } from '../../metrics/cost/snapstart-cost.ts';
import { billedMsAt } from './duration-fit.ts';
import type { DailyProfile, PlanCost, PlanTraffic, WorkModel } from './plan-schema.ts';
import { countOf, functionOf, modelledUnits, type RunBasis } from './work-model.ts';

/**
 * The cost of a traffic by line, priced by the cost model's own line builders (cost-model.ts), so
 * a plan of a run's own traffic is priced exactly as the run was (but for INIT, on lines of its
 * own: the plan's check folds them back into each compute line, as the run's estimate has it).
 * The traffic given is the peak's: flat, it is held 24 hours a day for 30 days; with a daily
 * profile (a traffic file), each hour of the day carries its share of it.
 */

/** The month a plan prices: 30 days of 24 hours. */
export const PLAN_MONTH_DAYS = 30;
export const PLAN_MONTH_SEC = PLAN_MONTH_DAYS * 24 * 3600;

export interface TrafficInput {
  connections: number;
  roomSize: number;
  messagesPerS: number;
  /** default: connections ÷ session (each connection replaced when its session ends) */
  connectsPerS?: number;
  sessionSec: number;
  /** absent: flat, the peak held 24 h a day */
  profile?: DailyProfile;
}

/** Hours at the peak a day's profile adds up to (24: flat). */
export const peakHoursADay = (profile: DailyProfile | undefined): number => (profile ? profile.hours.reduce((a, b) => a + b, 0) : 24);

/**
 * The planned traffic as totals over a month. Connections, connects and messages each scale
 * with the hour's share of the peak, so the month holds the peak's rates for 30 × Σ shares hours:
 * a connection minute is one of the hour's connections for a minute. The room size stays the
 * peak's: off-peak there are fewer rooms talking, not smaller ones.
 */
export function plannedTraffic(model: WorkModel, t: TrafficInput): PlanTraffic {
  const periodSec = PLAN_MONTH_SEC;
  // seconds of the month at the peak's rates: the whole month when flat
  const peakSec = t.profile ? PLAN_MONTH_DAYS * 3600 * peakHoursADay(t.profile) : periodSec;
  const connectsPerS = t.connectsPerS ?? t.connections / t.sessionSec;
  const connects = connectsPerS * peakSec;
  const messages = t.messagesPerS * peakSec;
  const recipients = messages * t.roomSize;
  return {
    source: 'flags',
    periodSec,
    periodLabel: t.profile ? `month (30 days, a daily profile of ${round(peakHoursADay(t.profile), 2)} peak hours a day)` : 'month (30 days × 24 h, flat)',
    connections: t.connections,
    roomSize: t.roomSize,
    messagesPerS: t.messagesPerS,
    connectsPerS,
    sessionSec: t.sessionSec,
    ...(t.profile ? { profile: t.profile } : {}),
    totals: {
      connects,
      // the rooms the traffic holds, each created once in the month
      rooms: t.connections / t.roomSize,
      joins: connects * model.joinsPerConnect,
      messages,
      recipients,
      posts: recipients * model.posts.perRecipient,
      connectionMinutes: (t.connections * peakSec) / 60,
    },
  };
}

/** A run's own traffic over its own duration: its counts as measured. */
export function ownTraffic(b: RunBasis): PlanTraffic {
  const periodSec = Math.max(b.run.durationSec, 1e-3);
  return {
    source: 'run',
    periodSec,
    periodLabel: `the run's own ${round(b.run.durationSec, 1)} s`,
    connections: b.dynamoContext.connections,
    roomSize: b.run.roomSize,
    messagesPerS: b.counts.messages / periodSec,
    connectsPerS: b.counts.connects / periodSec,
    totals: { ...b.counts, posts: b.posts.posts, connectionMinutes: b.connectionSeconds / 60 },
  };
}

export interface PriceBasis {
  prices: PriceTable;
  architecture: 'x86_64' | 'arm64';
}

/**
 * Each function's planned usage: invocations per operation × operations, billed time per
 * invocation or per recipient; a fan-out function with a fit (a room-size sweep) billed per
 * invocation off its line at the planned room size. INIT is not in it: its cold starts are
 * counted for the traffic (cold-starts.ts) and priced on lines of their own.
 */
export function plannedUsage(model: WorkModel, traffic: PlanTraffic): FunctionUsage[] {
  return model.functions.map((f) => {
    const invocations = f.invocationsPer * countOf(traffic.totals, f.per);
    const billedMs = f.fit
      ? billedMsAt(f.fit, traffic.roomSize).ms * invocations
      : f.billedMsPer * (f.billedMsPerUnit === 'recipient' ? traffic.totals.recipients : invocations);
    return { fn: functionOf(f), invocations, invocationsSource: f.invocationsSource, memoryMB: f.memoryMB, billedMs, billedSource: f.billedSource };
  });
}

/**
 * DynamoDB units of planned invocations (over a month, or in one second at the peak): the
 * per-route model at the traffic's room size and connections, scaled to what the runs measured.
 */
export function plannedUnits(
  model: WorkModel,
  usage: ReadonlyArray<Pick<FunctionUsage, 'fn' | 'invocations'>>,
  at: Pick<PlanTraffic, 'roomSize' | 'connections'>,
): { read: number; write: number } {
  const units = modelledUnits(usage, {
    members: at.roomSize,
    connections: at.connections,
    payloadBytes: model.runs[0]!.payloadBytes,
    gonePerInvocation: model.dynamodb.gonePerMessage,
  });
  return { read: units.read * model.dynamodb.readScale, write: units.write * model.dynamodb.writeScale };
}

export function planCost(model: WorkModel, traffic: PlanTraffic, o: PriceBasis & { connectionSource: CostSource }): PlanCost {
  const usage = plannedUsage(model, traffic);
  const inits = plannedInits(model, traffic);
  const lines: CostLine[] = [...lambdaLines(usage, o.prices, o.architecture), ...lambdaInitLines(inits, o.prices, o.architecture)];
  const snapStart = snapStartLines(plannedRestores(model, traffic), { prices: o.prices, seconds: traffic.periodSec, over: "the plan's period", source: 'report-lines' });
  lines.push(...snapStart.lines);
  const payloadBytes = model.runs[0]!.payloadBytes;
  lines.push(...apiGatewayMessageLines(usage, { posts: traffic.totals.posts, postsSource: model.posts.source, payloadBytes }, o.prices).lines);
  lines.push(connectionMinutesLine(traffic.totals.connectionMinutes, o.connectionSource, o.prices));
  const units = plannedUnits(model, usage, traffic);
  lines.push(...dynamoDbLines(units.read, units.write, model.dynamodb.source, o.prices));
  const transfer = transferOutLine(model, traffic, o.prices);
  if (transfer) lines.push(transfer);
  // the queued path: its requests per message × the traffic's messages
  const path = model.path ? pathLines(scalePathRequests(model.path.perMessage, traffic.totals.messages), { prices: o.prices, messageBytes: model.path.messageBytes, source: 'cloudwatch' }) : undefined;
  if (path) lines.push(...path.lines);
  const secrets = secretsLines(model, traffic, usage, inits, o.prices);
  if (secrets) lines.push(...secrets.lines);
  // a month reaches AWS's volume tiers (the built-in table's region knows them); a run's own traffic is priced as its estimate was
  const tiers = traffic.source === 'flags' && (o.prices.source ?? 'table') === 'table' ? REGION_TIERS[o.prices.region] : undefined;
  const priced = tiers ? applyVolumeTiers(lines, tiers, o.architecture) : lines;
  const total = (service: CostLine['service']) => priced.filter((l) => l.service === service).reduce((s, l) => s + l.cost, 0);
  const totals = {
    lambda: total('Lambda'),
    apiGateway: total('API Gateway'),
    dynamodb: total('DynamoDB'),
    ...(transfer ? { dataTransfer: total('Data transfer') } : {}),
    ...(path ? { path: PATH_SERVICES.reduce((n, s) => n + total(s), 0) } : {}),
    ...(secrets ? { secretsManager: total('Secrets Manager') } : {}),
    total: 0,
  };
  totals.total = totals.lambda + totals.apiGateway + totals.dynamodb + (totals.dataTransfer ?? 0) + (totals.path ?? 0) + (totals.secretsManager ?? 0);
  const notes = [...snapStart.notes, ...(path?.notes ?? []), ...(secrets?.notes ?? [])];
  return {
    currency: 'USD',
    region: o.prices.region,
    pricesAsOf: o.prices.asOf,
    pricesSource: o.prices.source ?? 'table',
    architecture: o.architecture,
    lines: priced,
    totals,
    ...(notes.length > 0 ? { notes } : {}),
    invocations: Object.fromEntries(usage.map((u) => [u.fn.name, u.invocations])),
  };
}

/**
 * Secrets Manager over the traffic: the work model's calls per cold start × the cold starts planned
 * (or per invocation × the invocations), and the stack's secrets for the period (a run's own
 * traffic: prorated as its estimate was; a month: one secret-month each).
 */
function secretsLines(model: WorkModel, traffic: PlanTraffic, usage: readonly FunctionUsage[], inits: readonly InitUsage[], prices: PriceTable): { lines: CostLine[]; notes: string[] } | undefined {
  const sm = model.secretsManager;
  if (!sm) return undefined;
  const byColdStart = sm.calls.per === 'cold start';
  const base = byColdStart ? inits.reduce((n, i) => n + i.coldStarts, 0) : usage.reduce((n, u) => n + u.invocations, 0);
  const calls = base * sm.calls.rate;
  return plannedSecretsManagerLines(prices, {
    secrets: sm.secrets,
    calls,
    callsNote: `${fmtNum(sm.calls.rate)} per ${sm.calls.per} (the runs' ${sm.runs.join(', ')}) × ${fmtNum(base)} ${byColdStart ? 'cold starts' : 'invocations'} planned`,
    secretMonths: traffic.source === 'run' ? (sm.secrets * traffic.periodSec) / 3600 / HOURS_PER_MONTH : (sm.secrets * traffic.periodSec) / PLAN_MONTH_SEC,
    periodLabel: traffic.periodLabel,
    ofTheRun: traffic.source === 'run',
  });
}

/**
 * Data transfer out to the clients (posts × bytes per post): priced when the prices have a
 * transfer price (a price file's), else, for a month's plan, shown at $0: AWS charges none on
 * WebSocket APIs (docs/aws-prices.md). A run's own traffic gets the line only as its estimate had it.
 */
function transferOutLine(model: WorkModel, traffic: PlanTraffic, prices: PriceTable): CostLine | undefined {
  const gb = (traffic.totals.posts * model.bytes.perPost) / 2 ** 30;
  const price = prices.dataTransferOut?.outPerGB;
  if (price === undefined && traffic.source !== 'flags') return undefined;
  return {
    service: 'Data transfer',
    item: 'out to the clients (GB of 2^30 bytes)',
    quantity: gb,
    unit: 'GB',
    unitPrice: price ?? 0,
    per: 1,
    cost: gb * (price ?? 0),
    source: model.bytes.source,
    ...(price === undefined ? { note: 'not charged: AWS bills WebSocket APIs for messages and connection minutes only (docs/aws-prices.md); a price file with dataTransferOut prices it' } : {}),
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
