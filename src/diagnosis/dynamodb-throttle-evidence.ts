import type { Results } from '../contracts/results-schema.ts';
import { fmtInt } from '../number-format.ts';
import { DYNAMODB_THROTTLE_KINDS, errorShare, fansOutOf, onlyLoss, sum, type Detector } from './limit-detector.ts';

/**
 * DynamoDB's throttling: throttled requests by table and operation (AWS/DynamoDB
 * ThrottledRequests), throttle events of tables and indexes, the functions' own DynamoDbThrottles
 * count, and the invocations a throttle failed; for a loss alone, only what could lose deliveries.
 */
export const dynamodbThrottleEvidence: Detector = (r, symptoms) => {
  // For a loss alone, only what could lose deliveries (dynamodb-loss.ts): a throttled write by
  // a function on the connect path while every connect succeeded cannot.
  const failed = throttleFailures(r);
  const lossOnly = onlyLoss(symptoms);
  const keep = (table: string, op: string) => !lossOnly || failed.fansOut > 0 || couldLoseDeliveries(r, table, op);
  // per table, its throttled requests by operation, most first: "t: PutItem 45, DeleteItem 36"
  const tables = Object.entries(r.cloudwatch?.dynamodb ?? {})
    .map(([t, totals]) => {
      const ops = Object.entries(totals.operations).filter(([op, o]) => o.throttled > 0 && keep(t, op)).sort((a, b) => b[1].throttled - a[1].throttled);
      return [t, sum(ops.map(([, o]) => o.throttled)), ops.map(([op, o]) => `${op} ${fmtInt(o.throttled)}`).join(', ')] as const;
    })
    .filter(([, n]) => n > 0);
  // Throttle events count items and indexes short of provisioned capacity: a batch that lost
  // only some items to it counts events and no throttled request.
  const events = Object.entries(r.cloudwatch?.dynamodb ?? {}).flatMap(([t, totals]) => [
    ...throttleEvents(t, totals, (kind) => keep(t, kind === 'read' ? 'Query' : 'PutItem')),
    ...Object.entries(totals.indexes).flatMap(([index, units]) => throttleEvents(`${t} index ${index}`, units, (kind) => keep(t, kind === 'read' ? 'Query' : 'PutItem'))),
  ]);
  // the functions' own count names no operation: said beside what could lose, never alone for a loss
  const fromFunctions = lossOnly && tables.length + events.length === 0 && failed.fansOut === 0 ? 0 : (r.cloudwatch?.emf.DynamoDbThrottles?.sum ?? 0);
  if (tables.length === 0 && events.length === 0 && fromFunctions === 0) return undefined;
  const parts = tables.length > 0 ? [`DynamoDB throttled ${fmtInt(sum(tables.map(([, n]) => n)))} requests (${tables.map(([t, , ops]) => `${t}: ${ops}`).join('; ')})`] : [];
  if (events.length > 0) parts.push(`throttle events: ${events.join(', ')}`);
  if (fromFunctions > 0) parts.push(`the functions saw ${fmtInt(fromFunctions)} throttled DynamoDB attempts (retries included)`);
  // The invocations a throttle failed are this cause's share, not their function's own error's.
  if (failed.all > 0) parts.push(`${fmtInt(failed.all)} invocations failed on it (${[...DYNAMODB_THROTTLE_KINDS].filter((k) => failed.kinds.has(k)).join(', ')})`);
  if (lossOnly) parts.push(failed.fansOut > 0 ? `it can lose deliveries: ${fmtInt(failed.fansOut)} of those invocations fan out` : 'it can lose deliveries: a throttled read of the members, or a write by a function that fans out, leaves recipients unposted');
  return { line: parts.join('; '), share: failed.all > 0 ? errorShare(r, symptoms, failed.all, failed.fansOut) : undefined };
};

/** "t 12 read, 3 write": a table's or an index's Read/WriteThrottleEvents, when there are any (those `keep` keeps). */
function throttleEvents(name: string, e: { readThrottleEvents?: number; writeThrottleEvents?: number }, keep: (kind: 'read' | 'write') => boolean = () => true): string[] {
  const kinds = [
    [e.readThrottleEvents ?? 0, 'read'],
    [e.writeThrottleEvents ?? 0, 'write'],
  ] as const;
  const present = kinds.filter(([n, kind]) => n > 0 && keep(kind)).map(([n, kind]) => `${fmtInt(n)} ${kind}`);
  return present.length > 0 ? [`${name} ${present.join(', ')}`] : [];
}

/** DynamoDB operations that read; the others write. */
const DYNAMODB_READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems', 'ExecuteStatement']);

/**
 * Whether throttling of `op` on `table` could lose deliveries. The functions the run saw using
 * it (results.permissions' used calls): it could where one of them fans out, or is on the connect
 * path while a connect or a join failed. Where the run names no user: a read could (the members
 * a fan-out reads), a write only where a connect or a join failed (a throttled membership write
 * the SDK retried lost nothing; one that failed its connect shows as a failed connect).
 */
function couldLoseDeliveries(r: Results, table: string, op: string): boolean {
  const membershipFailed = (r.connections?.failed ?? 0) + (r.connections?.joinFailed ?? 0) > 0;
  const action = `dynamodb:${op}`.toLowerCase();
  const users = (r.permissions?.functions ?? [])
    .filter((f) => (f.used ?? []).some((u) => u.action.toLowerCase() === action && new RegExp(`:table/${escapeRegExp(table)}(/|$)`).test(u.resource)))
    .map((f) => f.function);
  if (users.length > 0) return users.some((fn) => fansOutOf(r, fn) || membershipFailed);
  return DYNAMODB_READS.has(op) || membershipFailed;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Invocations that failed on a DynamoDB throttle (all, and those of functions that fan out), with the kinds seen. */
function throttleFailures(r: Results): { all: number; fansOut: number; kinds: Set<string> } {
  const out = { all: 0, fansOut: 0, kinds: new Set<string>() };
  for (const [fn, kinds] of Object.entries(r.cloudwatch?.functionErrors ?? {})) {
    for (const k of kinds) {
      if (k.phase !== 'invoke' || !DYNAMODB_THROTTLE_KINDS.has(k.kind)) continue;
      out.all += k.count;
      if (fansOutOf(r, fn)) out.fansOut += k.count;
      out.kinds.add(k.kind);
    }
  }
  return out;
}
