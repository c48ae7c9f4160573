import { UserError } from '../../../common/errors.ts';
import type { CloudWatchResults } from '../../contracts/cloudwatch-schema.ts';
import type { CostSource } from '../../contracts/cost-schema.ts';
import type { PriceTable } from '../../contracts/prices.ts';
import type { BenchFunction } from '../../contracts/reference-functions.ts';
import type { Results } from '../../contracts/results-schema.ts';
import {
  billedInitMs,
  clientRouteCounts,
  connectionTime,
  DEFAULT_PAYLOAD_BYTES,
  FANOUT_ROUTES,
  OUTBOUND_ENVELOPE_BYTES,
  payloadBytesOf,
  runPosts,
  runUsage,
  weakest,
  type FunctionUsage,
} from '../../metrics/cost/cost-model.ts';
import { DEFAULT_DYNAMO_ASSUMPTIONS, routeUnits, type RouteContext } from '../../metrics/cost/dynamo-units.ts';
import { pathRequests, PATH_MESSAGE_ENVELOPE_BYTES, scalePathRequests, sumPathRequests, type PathRequests } from '../../metrics/cost/path-cost.ts';
import { PATH_ROUTE, runFunctions, runPathFunctions } from '../../metrics/cost/run-functions.ts';
import { dynamoDbWork } from '../../metrics/cost/work-per-message.ts';
import { measuredOnNotes } from '../../targets/recorded-target.ts';
import { measuredOnEmulator } from '../../metrics/results/measured-on.ts';
import { fmtNum } from '../../number-format.ts';
import { durationFit, fitNotes, type FitPoint } from './duration-fit.ts';
import type { FunctionWork, MeasuredOn, OperationCounts, PlanOperation, PlanRun, WorkModel } from './plan-schema.ts';

/**
 * The work model: what one connect, room, join, message and recipient cost the stack in the
 * measured runs. Each function's invocations and billed time are the cost model's own
 * (functionUsage: REPORT lines, else CloudWatch, else the harness's counts), divided by the
 * operation that invokes the function; a fan-out function's billed time is counted per recipient,
 * since its posts are most of its work. INIT is taken out of the billed time and kept per cold
 * start (REPORT lines): a short run starts most environments cold, a month reuses them, so the
 * plan counts the cold starts of the traffic planned (cold-starts.ts) instead of scaling the
 * run's per invocation. DynamoDB units are measured per table, not per route, so
 * they are split over the routes in the shape of the per-route model (dynamo-units.ts), scaled so
 * that the runs' own traffic gives exactly the units measured. Several runs are pooled: sums over
 * sums, each figure naming the runs it came from. Runs at several room sizes (a room-size sweep)
 * also give each fan-out function a line of its billed time against recipients (duration-fit.ts).
 */
export interface MeasuredRun {
  file: string;
  results: Results;
}

/** What the work model keeps of each run to plan with (not in plan.json). */
export interface RunBasis {
  run: PlanRun;
  counts: OperationCounts;
  usage: FunctionUsage[];
  posts: { posts: number; source: CostSource };
  connectionSeconds: number;
  connectionSource: CostSource;
  /** the per-route DynamoDB model's context at the run's own traffic */
  dynamoContext: RouteContext;
  measuredUnits: { read: number; write: number } | undefined;
  /** results.bytesReceived */
  bytesReceived: number | undefined;
  /** p99 ms of one invocation by function name: REPORT lines, else AWS/Lambda (absent: not measured) */
  p99Ms: Record<string, number>;
  /**
   * by function name, where its usage is from REPORT lines: its cold starts and the INIT ms
   * inside its usage's billed ms (billedInitMs); absent: not measured (no REPORT lines)
   */
  init: Record<string, { coldStarts: number; billedMs: number; restores: number }>;
  /** results.path's billed requests over the run (absent: no path) */
  path?: PathRequests;
  /** its path functions' MaximumEventAgeInSeconds, where set */
  maximumEventAgeSeconds: Record<string, number>;
  /** results.secretsManager: its API calls over the run and the stack's secrets (absent: none) */
  secrets?: { calls: number; secrets: number };
}

/** A function's p99 duration in a run: its REPORT lines', else AWS/Lambda's. */
function p99Of(cw: CloudWatchResults | undefined, name: string): number | undefined {
  return cw?.reports[name]?.duration?.p99 ?? cw?.lambda[name]?.durationP99Ms ?? undefined;
}

/** The operation a function's invocations are counted per. */
export function operationOf(fn: Pick<BenchFunction, 'route' | 'authorizer'>): Exclude<PlanOperation, 'recipient'> {
  // a path function (a queue's worker, a topic's subscriber) runs for the messages sent
  if (FANOUT_ROUTES.has(fn.route) || fn.route === PATH_ROUTE) return 'message';
  if (fn.route === 'joinRoom') return 'join';
  if (fn.route === 'createRoom') return 'room';
  // $connect (and its authorizer), $disconnect, and the per-connection routes (setName, whoami, leaveRoom, $default)
  return 'connect';
}

const COUNT_OF: Record<PlanOperation, keyof OperationCounts> = { connect: 'connects', room: 'rooms', join: 'joins', message: 'messages', recipient: 'recipients' };
export const countOf = (counts: OperationCounts, op: PlanOperation): number => counts[COUNT_OF[op]];

function usableCloudWatch(results: Results): CloudWatchResults | undefined {
  return results.cloudwatch && results.cloudwatch.status !== 'unavailable' ? results.cloudwatch : undefined;
}

export function measuredOn(results: Results): MeasuredOn {
  return measuredOnEmulator(results) ? 'emulator' : 'aws';
}

/** One run read for planning: its own operation counts and the cost model's usage of each function. */
export function runBasis(m: MeasuredRun, prices: PriceTable): RunBasis {
  const { results } = m;
  const cw = usableCloudWatch(results);
  const client = clientRouteCounts(results);
  const d = results.deliveries;
  const counts: OperationCounts = {
    connects: client.$connect ?? 0,
    rooms: client.createRoom ?? 0,
    joins: client.joinRoom ?? 0,
    messages: client.sendMessage ?? 0,
    recipients: d.expected > 0 ? d.expected : d.received,
  };
  // what the cost model says about these functions is kept there; the plan reads the usage only
  const ignored: string[] = [];
  const pathFunctions = runPathFunctions(results);
  const split = runUsage(results, runFunctions(results), cw, client, prices, ignored, pathFunctions);
  const usage = [...split.usage, ...split.pathUsage];
  const pathP99 = Object.fromEntries(pathFunctions.flatMap((p) => (p.hop.totals.durationP99Ms === null ? [] : [[p.fn.name, p.hop.totals.durationP99Ms]])));
  const connection = connectionTime(results);
  const payloadBytes = payloadBytesOf(results) ?? DEFAULT_PAYLOAD_BYTES;
  const roomSize = results.sends.acked > 0 ? d.expected / results.sends.acked : results.config.clients / Math.max(1, results.config.rooms);
  const fanoutSends = usage.filter((u) => FANOUT_ROUTES.has(u.fn.route)).reduce((n, u) => n + u.invocations, 0);
  const gone = cw?.emf.StaleConnectionsRemoved?.sum ?? results.stale?.gone410 ?? 0;
  const measured = results.dynamodb ?? dynamoDbWork(results);
  return {
    run: {
      runId: results.runId,
      file: m.file,
      measuredOn: measuredOn(results),
      cloudwatchSource: cw?.source ?? null,
      durationSec: results.durationMs / 1000,
      roomSize,
      payloadBytes,
    },
    counts,
    usage,
    posts: runPosts(results, cw),
    connectionSeconds: connection.seconds,
    connectionSource: connection.source,
    dynamoContext: { members: roomSize, connections: connection.peak, payloadBytes, gonePerInvocation: fanoutSends > 0 ? gone / fanoutSends : 0 },
    measuredUnits: measured ? { read: measured.readUnits, write: measured.writeUnits } : undefined,
    bytesReceived: results.bytesReceived,
    p99Ms: Object.fromEntries(usage.flatMap((u) => {
      const p99 = p99Of(cw, u.fn.name) ?? pathP99[u.fn.name];
      return p99 === undefined ? [] : [[u.fn.name, p99]];
    })),
    init: Object.fromEntries(usage.flatMap((u) => {
      const report = cw?.reports[u.fn.name];
      // functionUsage read these lines (and billed INIT from them) only when its source says so
      return report && u.billedSource === 'report-lines' ? [[u.fn.name, { coldStarts: report.coldStarts, billedMs: billedInitMs(report, prices), restores: report.restores ?? 0 }]] : [];
    })),
    ...(results.path ? { path: pathRequests(results.path) } : {}),
    ...(results.secretsManager ? { secrets: { calls: sum(Object.values(results.secretsManager.calls)), secrets: results.secretsManager.secrets.length } } : {}),
    maximumEventAgeSeconds: Object.fromEntries(pathFunctions.flatMap((p) => (p.hop.maximumEventAgeSeconds === undefined ? [] : [[p.fn.name, p.hop.maximumEventAgeSeconds]]))),
  };
}

/** A run's billed ms of one function without INIT (the plan bills INIT per cold start, on a line of its own). */
export function ownBilledMs(b: RunBasis, u: FunctionUsage): number {
  return Math.max(0, u.billedMs - (b.init[u.fn.name]?.billedMs ?? 0));
}

/** The per-route model's units of `usage` in `ctx` (the authorizer touches no table). */
export function modelledUnits(usage: ReadonlyArray<Pick<FunctionUsage, 'fn' | 'invocations'>>, ctx: RouteContext): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const u of usage) {
    if (u.fn.authorizer) continue;
    const units = routeUnits(u.fn.route, ctx, DEFAULT_DYNAMO_ASSUMPTIONS);
    read += units.read * u.invocations;
    write += units.write * u.invocations;
  }
  return { read, write };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const ratio = (n: number, d: number) => (d > 0 ? n / d : 0);

/**
 * The work model of `runs` (already read as bases). `memory`: --memory fn=MB, the size each named
 * function is planned at; a name no run has is refused.
 */
export function buildWorkModel(bases: readonly RunBasis[], memory: Readonly<Record<string, number>> = {}): WorkModel {
  if (bases.length === 0) throw new UserError('plan: no run to plan from');
  const counts: OperationCounts = {
    connects: sum(bases.map((b) => b.counts.connects)),
    rooms: sum(bases.map((b) => b.counts.rooms)),
    joins: sum(bases.map((b) => b.counts.joins)),
    messages: sum(bases.map((b) => b.counts.messages)),
    recipients: sum(bases.map((b) => b.counts.recipients)),
  };
  const notes: string[] = [];
  const known = new Set(bases.flatMap((b) => b.usage.map((u) => u.fn.name)));
  for (const name of Object.keys(memory)) {
    if (!known.has(name)) throw new UserError(`--memory ${name}: the runs have no function ${name} (they have ${[...known].join(', ')})`);
  }

  const functions: FunctionWork[] = [];
  for (const name of known) {
    const uses = bases.flatMap((b) => b.usage.filter((u) => u.fn.name === name && u.invocations > 0).map((u) => ({ b, u })));
    if (uses.length === 0) continue;
    const fn = uses[0]!.u.fn;
    const sizes = [...new Set(uses.map(({ u }) => u.memoryMB))];
    if (sizes.length > 1) {
      throw new UserError(`plan: the runs measured ${name} at ${sizes.join(' and ')} MB: plan from runs of one memory size (--memory ${name}=MB sets the size planned)`);
    }
    const per = operationOf(fn);
    const perRecipient = per === 'message';
    const opCount = sum(uses.map(({ b }) => countOf(b.counts, per)));
    const invocations = sum(uses.map(({ u }) => u.invocations));
    const billedMs = sum(uses.map(({ b, u }) => ownBilledMs(b, u)));
    // INIT from the runs with REPORT lines: billed ms per cold start, pooled (null: none measured one)
    const inits = uses.flatMap(({ b }) => (b.init[name] ? [b.init[name]!] : []));
    const coldStarts = sum(inits.map((i) => i.coldStarts));
    const initMs = sum(inits.map((i) => i.billedMs));
    const restores = sum(inits.map((i) => i.restores));
    if (opCount === 0) {
      notes.push(`${name}: ${invocations} invocations but no ${per} counted in the runs: left out of the plan`);
      continue;
    }
    const recipients = sum(uses.map(({ b }) => b.counts.recipients));
    // the longest of the runs' p99s, and the room size of the run it came from
    const p99s = uses.flatMap(({ b }) => (b.p99Ms[name] === undefined ? [] : [{ ms: b.p99Ms[name]!, at: b.run.roomSize }]));
    const p99 = p99s.reduce<{ ms: number; at: number } | undefined>((best, x) => (best && best.ms >= x.ms ? best : x), undefined);
    const fit = perRecipient ? durationFit(fitPoints(uses)) : undefined;
    if (fit) notes.push(...fitNotes(name, fit));
    functions.push({
      name,
      route: fn.route,
      ...(fn.authorizer ? { authorizer: true as const } : {}),
      per,
      invocationsPer: invocations / opCount,
      billedMsPer: perRecipient ? ratio(billedMs, recipients) : billedMs / invocations,
      billedMsPerUnit: perRecipient ? 'recipient' : 'invocation',
      measuredMemoryMB: sizes[0]!,
      memoryMB: memory[name] ?? sizes[0]!,
      invocationsSource: weakest(uses.map(({ u }) => u.invocationsSource)),
      billedSource: weakest(uses.map(({ u }) => u.billedSource)),
      p99Ms: p99?.ms ?? null,
      p99AtRecipients: p99?.at ?? null,
      initBilledMsPerColdStart: coldStarts > 0 ? initMs / coldStarts : null,
      coldStarts,
      ...(restores > 0 ? { restores } : {}),
      ...(fit ? { fit } : {}),
      runs: uses.map(({ b }) => b.run.runId),
      measuredOn: [...new Set(uses.map(({ b }) => b.run.measuredOn))],
    });
  }
  const noInit = functions.filter((f) => f.initBilledMsPerColdStart === null);
  if (noInit.length > 0) {
    notes.push(`${noInit.map((f) => f.name).join(', ')}: no cold start in REPORT lines (or no REPORT lines), so no INIT measured: the plan's INIT lines leave ${noInit.length === 1 ? 'it' : 'them'} out`);
  }
  for (const f of functions) {
    if (f.memoryMB !== f.measuredMemoryMB) {
      notes.push(`${f.name} planned at ${f.memoryMB} MB with the billed time measured at ${f.measuredMemoryMB} MB: Duration changes with memory (compare --memory measures how much), so its GB-seconds scale with the memory alone here`);
    }
  }

  // DynamoDB: the measured units over the per-route model's, for the runs that measured them
  const measuredRuns = bases.filter((b) => b.measuredUnits !== undefined);
  const modelled = measuredRuns.map((b) => modelledUnits(b.usage, b.dynamoContext));
  const measuredRead = sum(measuredRuns.map((b) => b.measuredUnits!.read));
  const measuredWrite = sum(measuredRuns.map((b) => b.measuredUnits!.write));
  const readScale = measuredRuns.length > 0 && sum(modelled.map((m) => m.read)) > 0 ? measuredRead / sum(modelled.map((m) => m.read)) : 1;
  const writeScale = measuredRuns.length > 0 && sum(modelled.map((m) => m.write)) > 0 ? measuredWrite / sum(modelled.map((m) => m.write)) : 1;
  if (measuredRuns.length === 0) notes.push('no run measured DynamoDB units (AWS/DynamoDB): units per route are the per-route assumptions alone (dynamo-units.ts)');
  else if (measuredRuns.length < bases.length) notes.push(`DynamoDB units measured in ${measuredRuns.map((b) => b.run.runId).join(', ')} only; the others' are left out of the scale`);
  const gonePerMessage = ratio(sum(bases.map((b) => b.dynamoContext.gonePerInvocation * b.counts.messages)), counts.messages);
  const pooledContext: RouteContext = {
    members: ratio(counts.recipients, counts.messages),
    connections: Math.max(...bases.map((b) => b.dynamoContext.connections)),
    payloadBytes: bases[0]!.run.payloadBytes,
    gonePerInvocation: gonePerMessage,
  };
  const perOperation: Array<{ operation: PlanOperation; readUnits: number; writeUnits: number }> = (['connect', 'room', 'join', 'message'] as const).map((operation) => {
    const fs = functions.filter((f) => f.per === operation);
    const units = modelledUnits(
      fs.map((f) => ({ fn: functionOf(f), invocations: f.invocationsPer })),
      pooledContext,
    );
    return { operation, readUnits: units.read * readScale, writeUnits: units.write * writeScale };
  });
  // a message's Query reads every member row: what one more recipient adds
  perOperation.push({ operation: 'recipient', readUnits: (DEFAULT_DYNAMO_ASSUMPTIONS.memberRowBytes / 4096) * readScale, writeUnits: 0 });

  const posts = sum(bases.map((b) => b.posts.posts));
  const withBytes = bases.filter((b) => b.bytesReceived !== undefined);
  const bytes =
    withBytes.length > 0
      ? { perPost: ratio(sum(withBytes.map((b) => b.bytesReceived!)), sum(withBytes.map((b) => b.posts.posts))), source: 'client' as const, runs: withBytes.map((b) => b.run.runId) }
      : { perPost: bases[0]!.run.payloadBytes + OUTBOUND_ENVELOPE_BYTES, source: 'assumption' as const, runs: [] };
  if (bytes.source === 'assumption') notes.push(`bytes per post assumed: the payload and a ${OUTBOUND_ENVELOPE_BYTES}-byte message envelope (the runs counted no bytes received)`);

  const emulated = bases.filter((b) => b.run.measuredOn === 'emulator');
  if (emulated.length > 0) {
    notes.push(
      `${emulated.map((b) => b.run.runId).join(', ')} measured on the local emulator: their billed durations are this host's (its CPU, its load, the emulator's CPU-share model), not Lambda's; invocations, posts and DynamoDB units are the stack's own and carry over to AWS`,
      ...measuredOnNotes('local'),
    );
  }

  // the queued path: its requests per message, pooled over the runs that had one
  const withPath = bases.filter((b) => b.path !== undefined);
  const pathMessages = sum(withPath.map((b) => b.counts.messages));
  let path: WorkModel['path'];
  if (withPath.length > 0 && pathMessages > 0) {
    const maximumEventAgeSeconds = Object.assign({}, ...withPath.map((b) => b.maximumEventAgeSeconds)) as Record<string, number>;
    path = {
      perMessage: scalePathRequests(sumPathRequests(withPath.map((b) => b.path!)), 1 / pathMessages),
      messageBytes: bases[0]!.run.payloadBytes + PATH_MESSAGE_ENVELOPE_BYTES,
      ...(Object.keys(maximumEventAgeSeconds).length > 0 ? { maximumEventAgeSeconds } : {}),
      runs: withPath.map((b) => b.run.runId),
    };
    if (withPath.length < bases.length) notes.push(`the queued path measured in ${withPath.map((b) => b.run.runId).join(', ')} only: its work per message is theirs`);
  } else if (withPath.length > 0) {
    notes.push('the runs with a queued path sent no message: the path is left out of the plan');
  }

  const secretsManager = secretsWork(bases);
  if (secretsManager) {
    const why = secretsManager.calls.per === 'cold start' ? ' (no more calls than cold starts: the stack reads its secrets at INIT)' : '';
    notes.push(`Secrets Manager: its API calls scaled at ${fmtNum(secretsManager.calls.rate)} per ${secretsManager.calls.per}${why}, from ${secretsManager.runs.join(', ')}`);
  }

  return {
    runs: bases.map((b) => b.run),
    counts,
    functions,
    dynamodb: { source: measuredRuns.length > 0 ? 'cloudwatch' : 'assumption', readScale, writeScale, perOperation, gonePerMessage, runs: measuredRuns.map((b) => b.run.runId) },
    posts: { perRecipient: ratio(posts, counts.recipients), source: weakest(bases.map((b) => b.posts.source)), runs: bases.map((b) => b.run.runId) },
    bytes,
    joinsPerConnect: ratio(counts.joins, counts.connects),
    ...(path ? { path } : {}),
    ...(secretsManager ? { secretsManager } : {}),
    notes,
  };
}

/**
 * The runs' Secrets Manager calls as a rate the plan can scale: per cold start where the runs made
 * no more calls than their functions' cold starts (REPORT lines), as a stack that reads its secret
 * at INIT and keeps it does; else per invocation. The secrets are the most any run's stack had.
 */
function secretsWork(bases: readonly RunBasis[]): WorkModel['secretsManager'] {
  const withSecrets = bases.filter((b) => b.secrets !== undefined);
  if (withSecrets.length === 0) return undefined;
  const calls = sum(withSecrets.map((b) => b.secrets!.calls));
  const coldStarts = sum(withSecrets.map((b) => sum(Object.values(b.init).map((i) => i.coldStarts))));
  const invocations = sum(withSecrets.map((b) => sum(b.usage.map((u) => u.invocations))));
  const rate = coldStarts > 0 && calls <= coldStarts ? { per: 'cold start' as const, rate: calls / coldStarts } : { per: 'invocation' as const, rate: ratio(calls, invocations) };
  return { secrets: Math.max(...withSecrets.map((b) => b.secrets!.secrets)), calls: rate, runs: withSecrets.map((b) => b.run.runId) };
}

/**
 * A fan-out function's billed ms per invocation at each room size its runs measured: the runs of
 * one size pooled (sums over sums), its recipients per message the pooled deliveries ÷ messages.
 * Runs are of one size when their rooms agree to a tenth of a member.
 */
function fitPoints(uses: ReadonlyArray<{ b: RunBasis; u: FunctionUsage }>): FitPoint[] {
  const bySize = new Map<number, Array<{ b: RunBasis; u: FunctionUsage }>>();
  for (const use of uses) {
    const key = Math.round(use.b.run.roomSize * 10) / 10;
    bySize.set(key, [...(bySize.get(key) ?? []), use]);
  }
  return [...bySize.values()].flatMap((group) => {
    const invocations = sum(group.map(({ u }) => u.invocations));
    const messages = sum(group.map(({ b }) => b.counts.messages));
    if (invocations === 0 || messages === 0) return [];
    return [{
      recipients: sum(group.map(({ b }) => b.counts.recipients)) / messages,
      billedMsPerInvocation: sum(group.map(({ b, u }) => ownBilledMs(b, u))) / invocations,
      runs: group.map(({ b }) => b.run.runId),
    }];
  });
}

/** The function a work-model entry stands for, at its planned memory. */
export function functionOf(f: FunctionWork): BenchFunction {
  return { name: f.name, route: f.route, memoryMB: f.memoryMB, ...(f.authorizer ? { authorizer: true as const } : {}) };
}
