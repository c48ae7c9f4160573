import { errorTotal } from '../../contracts/metric-catalogue.ts';
import { measuredOnEmulator } from '../../metrics/results/measured-on.ts';
import { attributeQuotas } from '../../metrics/results/quota-attribution.ts';
import { quotaAttributionLine, quotaPlanLine } from './quota-text.ts';
import type { Results } from '../../contracts/results-schema.ts';
import type { Verdict } from '../../contracts/verdict-schema.ts';
import { localHostWarnings } from '../../diagnosis/local-host-text.ts';
import { partOfWhole, type PartOfWhole } from '../../part-of-whole.ts';
import { attributionModel, type AttributionModel } from './attribution-model.ts';
import { deniedRows, type DeniedRow } from './denied-table.ts';
import { permissionsRows, type PermissionsRow } from './permissions-table.ts';
import { firstCause } from '../../diagnosis/first-cause.ts';
import { harnessWarningLines } from '../../diagnosis/saturation-text.ts';
import { VERDICT_HEADLINE } from './verdict-text.ts';
import { notEmulatedPathText, notEmulatedResourceText } from '../../../common/not-emulated-paths.ts';
import { unservedCallText } from '../../../common/unserved-calls.ts';
import { pathModel, type PathModel } from './path-model.ts';
import { hopsModel, type HopsModel } from './hops-model.ts';
import { fmtInt } from '../../number-format.ts';

/**
 * The run page's facts, computed once from results: the console, summary.md, junit.xml and
 * index.html render this model, so a fact (a permission finding, a held-back count, a warning,
 * whose durations the cost rests on) cannot read one way on one and another way on the next.
 * Pure; plain text (each renderer escapes).
 */

export interface PermissionFacts {
  /** functions that made AWS calls: their grants judged against what they used */
  judged: PermissionsRow[];
  /** functions the run never had call AWS: nothing says which grants they need */
  noCall: PermissionsRow[];
  /** functions whose role or use could not be read, with why */
  notObservable: PermissionsRow[];
  /** every function, in results' order, for the tables */
  rows: PermissionsRow[];
  /** calls IAM denied and posts to an API that is not the stack's (denied-table.ts) */
  denied: DeniedRow[];
}

/** One function the local host held back: its count of its invocations, checked (part-of-whole.ts). */
export interface HeldBackRow {
  fn: string;
  held: PartOfWhole;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  totalMs: number;
}

export interface HostFacts {
  busyAvgPercent: number | null;
  busyPeakPercent: number | null;
  stackCpuMs: number;
  rows: HeldBackRow[];
  /** held back over every function (each row's own count) */
  heldTotal: number;
}

/**
 * The run's errors: what the clients saw, by kind, and API Gateway's own counts beside them. The
 * Errors chart draws both, so the sentence under it says both: "no errors" beside a ClientError
 * line read as a contradiction.
 */
export interface ErrorFacts {
  /** the clients' errors by kind, most first */
  kinds: { kind: string; count: number }[];
  /** of every kind */
  total: number;
  /** what API Gateway counted of its own (its 4XX and 5XX answers), where it counted any */
  api?: string;
  /** one sentence: the clients' errors, then API Gateway's counts */
  line: string;
}

export interface RunPageModel {
  attribution: AttributionModel;
  errors: ErrorFacts;
  verdict?: { outcome: Verdict['outcome']; headline: string; summary: string; firstCause?: { check: string; line: string; remedy: string } };
  permissions?: PermissionFacts;
  /** the local emulator's host: absent on AWS */
  host?: HostFacts;
  /** what the local host's contention did to the run, one line each */
  hostWarnings: string[];
  /** the harness's own warnings */
  harnessWarnings: string[];
  /** CloudWatch's problems and notes */
  cloudwatchNotes: string[];
  /**
   * Measured on the local emulator: whose the Lambda durations (and the cost built on them) are,
   * in the words the compare and plan pages use; absent on AWS.
   */
  thisHost?: string;
  /** the paths into the stack's functions the emulator did not run, one line each: `SNS topic Alerts → FanoutFunction (…)` */
  notEmulated: string[];
  /** the functions' calls to AWS endpoints the emulator does not serve, one line each, most first (results.unservedCalls) */
  unservedCalls: string[];
  /** the template's resources the emulator read but does not run, one line each (config.target.notEmulatedResources) */
  notEmulatedResources: string[];
  /** a queued fan-out's path, hop by hop (path-model.ts); absent: the stack has none */
  path?: PathModel;
  /**
   * The quotas the run was held against, where the plan passed a limit or a limit refused or
   * closed something: the plan's lines and the refusals and closes each limit caused (stored in
   * results.quotas.attributed; attributed here for a results.json older than that)
   */
  quotas?: { note: string; plan: string[]; attributed: string[] };
  /** the delivery latency split by hop (hops-model.ts); absent: not measured on the local emulator, or no hop stamped */
  hops?: HopsModel;
}

/** The words the plan page says it in (plan/console.ts), with the cost added: the Lambda compute cost rests on those durations. */
export const THIS_HOST_TEXT = "measured on the local emulator: durations are this host's, not Lambda's, and so is the Lambda compute cost built on them";

export function permissionFacts(r: Pick<Results, 'permissions'>): PermissionFacts | undefined {
  if (!r.permissions) return undefined;
  const rows = permissionsRows(r.permissions);
  return {
    denied: deniedRows(r.permissions),
    judged: rows.filter((x) => x.note === undefined && !x.noCall),
    noCall: rows.filter((x) => x.noCall === true),
    notObservable: rows.filter((x) => x.note !== undefined),
    rows,
  };
}

function hostFacts(r: Results): HostFacts | undefined {
  const host = r.cloudwatch?.localHost;
  if (!host) return undefined;
  const rows = Object.entries(host.heldBack).map(([fn, b]) => ({
    fn,
    held: partOfWhole(b.count, r.cloudwatch!.lambda[fn]?.invocations ?? 0, { part: 'waits', whole: 'invocations' }),
    p50Ms: b.p50Ms,
    p99Ms: b.p99Ms,
    maxMs: b.maxMs,
    totalMs: b.totalMs,
  }));
  return {
    busyAvgPercent: host.hostBusyAvgPercent,
    busyPeakPercent: host.hostBusyPeakPercent,
    stackCpuMs: host.stackCpuMs,
    rows,
    heldTotal: rows.reduce((n, x) => n + x.held.part, 0),
  };
}

export function errorFacts(r: Pick<Results, 'errors' | 'cloudwatch'>): ErrorFacts {
  const kinds = Object.entries(r.errors).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).map(([kind, count]) => ({ kind, count }));
  const total = errorTotal(r.errors);
  const clients = total === 0 ? 'No errors on the clients' : `${fmtInt(total)} error${total === 1 ? '' : 's'} on the clients, of ${fmtInt(kinds.length)} kind${kinds.length === 1 ? '' : 's'}`;
  const totals = r.cloudwatch?.apiGatewayTotals;
  const counted = totals
    ? ([[totals.clientError, 'client error'], [totals.executionError, 'execution error'], [totals.integrationError, 'integration error']] as const).filter(([n]) => n > 0).map(([n, what]) => `${fmtInt(n)} ${what}${n === 1 ? '' : 's'}`)
    : [];
  // API Gateway answers the stack's own @connections calls too (a post to a gone connection is a 410): its count is not the clients'
  const api = counted.length > 0 ? `API Gateway counted ${counted.join(', ')} of its own (its 4XX and 5XX answers, the stack's @connections calls included)` : undefined;
  return { kinds, total, ...(api ? { api } : {}), line: `${clients}${api ? `; ${api}` : ''}.` };
}

export function runPageModel(r: Results): RunPageModel {
  const v = r.verdict;
  const cause = v ? firstCause(v) : undefined;
  const permissions = permissionFacts(r);
  const host = hostFacts(r);
  const path = pathModel(r.path);
  const hops = hopsModel(r.hopLatency);
  const quotas = quotaFacts(r);
  return {
    attribution: attributionModel(r),
    errors: errorFacts(r),
    ...(v ? { verdict: { outcome: v.outcome, headline: VERDICT_HEADLINE[v.outcome], summary: v.summary, ...(cause ? { firstCause: cause } : {}) } } : {}),
    ...(permissions ? { permissions } : {}),
    ...(host ? { host } : {}),
    hostWarnings: localHostWarnings(r),
    harnessWarnings: harnessWarningLines(r.harness),
    cloudwatchNotes: [...(r.cloudwatch?.problems ?? []).map((p) => `CloudWatch ${p.step}: ${p.errorName} ${p.message}`), ...(r.cloudwatch?.notes ?? []).map((n) => `CloudWatch: ${n}`)],
    ...(measuredOnEmulator(r) ? { thisHost: THIS_HOST_TEXT } : {}),
    notEmulated: (r.config.target.notEmulated ?? []).map(notEmulatedPathText),
    unservedCalls: (r.unservedCalls ?? []).map(unservedCallText),
    notEmulatedResources: (r.config.target.notEmulatedResources ?? []).map(notEmulatedResourceText),
    ...(path ? { path } : {}),
    ...(hops ? { hops } : {}),
    ...(quotas ? { quotas } : {}),
  };
}

function quotaFacts(r: Results): RunPageModel['quotas'] {
  if (!r.quotas) return undefined;
  const attributed = r.quotas.attributed ?? attributeQuotas(r);
  if (r.quotas.plan.length === 0 && attributed.length === 0) return undefined;
  return { note: r.quotas.note, plan: r.quotas.plan.map(quotaPlanLine), attributed: attributed.map(quotaAttributionLine) };
}
