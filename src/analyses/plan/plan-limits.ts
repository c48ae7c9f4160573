import { z } from 'zod';
import { accountThrottleDefault } from '../../../common/api-gateway-quotas.ts';
import { UserError } from '../../../common/errors.ts';
import { AWS_DOCUMENTED_QUOTAS, eventBridgeInvocationsQuota, eventBridgePutEventsQuota, PATH_QUOTAS, snsPublishQuota, type QuotaLimit, type QuotaValue } from '../../contracts/quotas-schema.ts';
import type { Results } from '../../contracts/results-schema.ts';
import { fmtNum } from '../../number-format.ts';

/**
 * The values a plan holds its peak against, each with where it came from (docs/aws-facts.md has
 * AWS's sources). What the runs recorded (results.json `quotas.limits`) wins where it was read
 * from the account; the emulator's own settings (source `emulator-config`) are not AWS's, so
 * AWS's documented default stands in for them and says so. Flags win over both.
 */

/** A limit's value and a few words on where it came from. */
export interface HeldLimit {
  value: number;
  source: string;
}

export interface PlanLimits {
  accountConcurrency: HeldLimit;
  /** new execution environments a function may add every 10 s */
  scalingPer10s: HeldLimit;
  /** reserved concurrency by function name (only the functions that have one) */
  reserved: Record<string, HeldLimit>;
  newConnectionsPerSecond: HeldLimit;
  accountRequestsPerSecond: HeldLimit;
  /** the stage's own throttle on client messages, where the account has one set (absent: none) */
  stageRequestsPerSecond?: HeldLimit;
  /** routes with a throttle of their own, by route key */
  routeRequestsPerSecond: Record<string, HeldLimit>;
  table: { mode: 'on-demand' | 'provisioned'; read: HeldLimit; write: HeldLimit };
  partition: { read: HeldLimit; write: HeldLimit };
  frameBytes: HeldLimit;
  messageBytes: HeldLimit;
  connectionLifetimeSec: HeldLimit;
  /** a queued path's quotas, as AWS documents their defaults in the plan's region */
  path: PathLimits;
  /** what the plan says about the values (a reservation of a function the runs lack, …) */
  notes: string[];
}

export interface PathLimits {
  /** a FIFO queue: API calls per second per action, and messages per second in batches of 10 */
  sqsFifoCallsPerAction: HeldLimit;
  sqsFifoMessagesBatched: HeldLimit;
  /** a standard queue's messages in flight */
  sqsInFlight: HeldLimit;
  /** an SQS mapping's concurrent batches (its MaximumConcurrency, where lower, is the mapping's own) */
  mappingConcurrency: HeldLimit;
  snsPublish: HeldLimit;
  /** the same where every topic of the path is a FIFO topic (the page's FIFO column) */
  snsPublishFifo: HeldLimit;
  eventBridgePutEvents: HeldLimit;
  /** rule target invocations (throttled ones are delayed, not dropped) */
  eventBridgeInvocations: HeldLimit;
}

/** The path's quotas in `region` (docs/aws-facts.md, "Queues, topics, buses and streams"). */
export function pathLimits(region: string): PathLimits {
  const inRegion = `${DOCUMENTED} for ${region}`;
  return {
    sqsFifoCallsPerAction: { value: PATH_QUOTAS.sqsFifoCallsPerAction, source: `${DOCUMENTED} for FIFO queues without high throughput` },
    sqsFifoMessagesBatched: { value: PATH_QUOTAS.sqsFifoMessagesBatched, source: `${DOCUMENTED} for FIFO queues without high throughput, in batches of 10` },
    sqsInFlight: { value: PATH_QUOTAS.sqsStandardInFlight, source: DOCUMENTED },
    mappingConcurrency: { value: PATH_QUOTAS.mappingConcurrency, source: `${DOCUMENTED} for an SQS event source mapping` },
    snsPublish: { value: snsPublishQuota(region), source: inRegion },
    snsPublishFifo: { value: snsPublishQuota(region, true), source: `${inRegion}, FIFO topics` },
    eventBridgePutEvents: { value: eventBridgePutEventsQuota(region), source: inRegion },
    eventBridgeInvocations: { value: eventBridgeInvocationsQuota(region), source: inRegion },
  };
}

/** The flags that set limits (src/commands/plan.ts). */
export interface LimitFlags {
  /** --reserved fn=N */
  reserved?: Readonly<Record<string, number>>;
  /** --table-capacity read=R,write=W: a provisioned table (default on-demand) */
  tableCapacity?: { read: number; write: number };
  /** --account-concurrency N */
  accountConcurrency?: number;
}

/** Lambda: a function scales by 1,000 execution environments every 10 seconds (docs/aws-facts.md). */
export const LAMBDA_SCALING_PER_10S = 1_000;
/** DynamoDB: an on-demand table's default table-level maximum, read and write units per second each. */
export const ON_DEMAND_TABLE_UNITS = 40_000;
/** DynamoDB: what one partition serves per second. */
export const PARTITION_UNITS = { read: 3_000, write: 1_000 } as const;

const DOCUMENTED = "AWS's documented default";

/** What one run recorded: its quotas, and the reservations its scenario set. */
type RecordedRun = { results: Pick<Results, 'runId' | 'quotas' | 'scenario'> };

/**
 * A quota limit as the runs recorded it: the lowest value read from an account; else AWS's
 * documented value (`fallback`), noting an emulator setting it stands in for.
 */
function recorded(runs: readonly RecordedRun[], limit: QuotaLimit, fallback: HeldLimit): HeldLimit {
  const seen = runs.flatMap((r) => {
    const q: QuotaValue | undefined = r.results.quotas?.limits[limit];
    return q ? [{ q, runId: r.results.runId }] : [];
  });
  const fromAccount = seen.filter((s) => s.q.source === 'account').sort((a, b) => a.q.value - b.q.value)[0];
  if (fromAccount) return { value: fromAccount.q.value, source: `the account (run ${fromAccount.runId} read it from AWS)` };
  const emulated = seen.find((s) => s.q.source === 'emulator-config' && s.q.value !== fallback.value);
  return emulated ? { ...fallback, source: `${fallback.source} (run ${emulated.runId}'s ${fmtNum(emulated.q.value)} is the emulator's setting, not AWS's)` } : fallback;
}

const documented = (limit: QuotaLimit): HeldLimit => ({ value: AWS_DOCUMENTED_QUOTAS[limit], source: DOCUMENTED });

const Reserved = z.record(z.string(), z.number().int().nonnegative());

/** The reservations the runs' scenarios set (`target.reserved`), by function name. */
function scenarioReserved(runs: readonly RecordedRun[]): Array<{ name: string; value: number; runId: string }> {
  return runs.flatMap((r) => {
    const target = r.results.scenario.definition.target;
    const parsed = Reserved.safeParse(typeof target === 'object' && target !== null ? (target as { reserved?: unknown }).reserved : undefined);
    return parsed.success ? Object.entries(parsed.data).map(([name, value]) => ({ name, value, runId: r.results.runId })) : [];
  });
}

/**
 * The limits for a plan of `functions` in `region` (the plan's prices' region: its account
 * throttle's documented default). A --reserved naming a function the runs lack, or reservations
 * that leave nothing of the account's concurrency, is one line (exit 2).
 */
export function planLimits(runs: readonly RecordedRun[], o: { region: string; functions: readonly string[]; flags?: LimitFlags }): PlanLimits {
  const flags = o.flags ?? {};
  const notes: string[] = [];
  const throttle = accountThrottleDefault(o.region);

  const accountConcurrency: HeldLimit =
    flags.accountConcurrency !== undefined ? { value: flags.accountConcurrency, source: '--account-concurrency' } : recorded(runs, 'lambdaConcurrency', documented('lambdaConcurrency'));

  const reserved: Record<string, HeldLimit> = {};
  for (const r of scenarioReserved(runs)) {
    if (!o.functions.includes(r.name)) continue;
    if (r.value === 0) {
      notes.push(`${r.name}: reserved concurrency 0 in run ${r.runId}'s scenario (the function is never invoked): left out of the headroom`);
      continue;
    }
    reserved[r.name] = { value: r.value, source: `run ${r.runId}'s scenario (target.reserved)` };
  }
  for (const [name, value] of Object.entries(flags.reserved ?? {})) {
    if (!o.functions.includes(name)) throw new UserError(`--reserved ${name}: the runs have no function ${name} (they have ${o.functions.join(', ')})`);
    reserved[name] = { value, source: '--reserved' };
  }
  const reservedSum = Object.values(reserved).reduce((n, r) => n + r.value, 0);
  if (reservedSum >= accountConcurrency.value) {
    throw new UserError(
      `--reserved: ${fmtNum(reservedSum)} reserved in all leaves none of the account's ${fmtNum(accountConcurrency.value)} concurrent executions (${accountConcurrency.source}) to the other functions`,
    );
  }

  const stage = runs.flatMap((r) => {
    const q = r.results.quotas?.limits.requestsPerSecond;
    return q?.source === 'account' ? [{ value: q.value, runId: r.results.runId }] : [];
  })[0];
  const routeRequestsPerSecond: Record<string, HeldLimit> = {};
  for (const r of runs) {
    for (const [route, t] of Object.entries(r.results.quotas?.routes ?? {})) {
      if (t.rate.source === 'account' && !routeRequestsPerSecond[route]) routeRequestsPerSecond[route] = { value: t.rate.value, source: `the stage's route setting (run ${r.results.runId} read it from AWS)` };
    }
  }

  const capacity = flags.tableCapacity;
  return {
    accountConcurrency,
    scalingPer10s: { value: LAMBDA_SCALING_PER_10S, source: "AWS's documented scaling rate" },
    reserved,
    newConnectionsPerSecond: recorded(runs, 'newConnectionsPerSecond', documented('newConnectionsPerSecond')),
    accountRequestsPerSecond: recorded(runs, 'accountRequestsPerSecond', { value: throttle.rateLimit, source: `${DOCUMENTED} for ${o.region}` }),
    ...(stage ? { stageRequestsPerSecond: { value: stage.value, source: `the stage's own throttle (run ${stage.runId} read it from AWS)` } } : {}),
    routeRequestsPerSecond,
    table: capacity
      ? { mode: 'provisioned', read: { value: capacity.read, source: '--table-capacity (provisioned)' }, write: { value: capacity.write, source: '--table-capacity (provisioned)' } }
      : {
          mode: 'on-demand',
          read: { value: ON_DEMAND_TABLE_UNITS, source: `${DOCUMENTED} table-level maximum for on-demand tables` },
          write: { value: ON_DEMAND_TABLE_UNITS, source: `${DOCUMENTED} table-level maximum for on-demand tables` },
        },
    partition: {
      read: { value: PARTITION_UNITS.read, source: "AWS's documented per-partition maximum" },
      write: { value: PARTITION_UNITS.write, source: "AWS's documented per-partition maximum" },
    },
    frameBytes: recorded(runs, 'frameBytes', documented('frameBytes')),
    messageBytes: recorded(runs, 'messageBytes', documented('messageBytes')),
    connectionLifetimeSec: recorded(runs, 'connectionLifetimeSeconds', documented('connectionLifetimeSeconds')),
    path: pathLimits(o.region),
    notes,
  };
}
