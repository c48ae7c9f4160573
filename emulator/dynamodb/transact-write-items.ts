import type { CallAnswer } from './call-answer.ts';
import { itemSize, type Item } from './item-size.ts';
import { writeUnits } from './capacity.ts';
import { storedForm } from './streams/item-change.ts';
import { itemLockKey, type KeyLocks } from './streams/key-locks.ts';

/**
 * TransactWriteItems, which dynalite does not serve, built on the calls it does: up to 100
 * Put, Update, Delete and ConditionCheck actions on distinct items, all or none.
 *
 * The items are held (key-locks.ts, with the stream capture's writes) and read; each action's
 * condition is evaluated by dynalite against the item as it is, by a write that changes nothing
 * (the item put back as it is, or a delete of the missing item, with the condition); if any
 * fails, nothing is written and the caller gets TransactionCanceledException with a reason per
 * action. Otherwise the actions are applied in order; one dynalite refuses (a validation) undoes
 * those before it. DynamoDB charges two write units per 1 KB of each item written or checked.
 * Not emulated: ClientRequestToken idempotency, conflicts with a plain write to an item a
 * transaction holds (that write waits only on a stream table), index units.
 */

type Json = Record<string, unknown>;

export interface TransactDeps {
  /** dynalite, in-process */
  call(operation: string, request: Json): Promise<CallAnswer>;
  keyNames(table: string): Promise<readonly string[] | undefined>;
  readItems(table: string, keys: Item[]): Promise<Item[]>;
  locks: KeyLocks;
  /** the answer of a refusal, in DynamoDB's JSON error shape */
  error(status: number, type: string, message: string, extra?: Json): CallAnswer;
  /** the transaction's writes, told while its items are still held (their stream records keep each item's order) */
  written(writes: TransactWrite[]): void;
}

/** One action that wrote (or checked) an item: its images and the write units it consumed. */
export interface TransactWrite {
  table: string;
  keyNames: readonly string[];
  kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  old: Item | undefined;
  next: Item | undefined;
  units: number;
}

export type TransactOutcome = { ok: true; writes: TransactWrite[] } | { ok: false; answer: CallAnswer };

const KINDS = ['Put', 'Update', 'Delete', 'ConditionCheck'] as const;
const MAX_ACTIONS = 100;

interface Action {
  kind: (typeof KINDS)[number];
  body: Json;
  table: string;
  keyNames: readonly string[];
  key: Item;
}

export async function transactWriteItems(request: Json, deps: TransactDeps): Promise<TransactOutcome> {
  const refuse = (type: string, message: string, extra?: Json): TransactOutcome => ({ ok: false, answer: deps.error(400, type, message, extra) });
  const list = request.TransactItems;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ACTIONS) {
    return refuse('ValidationException', `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ACTIONS} and greater than or equal to 1`);
  }
  const actions: Action[] = [];
  const seen = new Set<string>();
  for (const entry of list as Json[]) {
    const kinds = KINDS.filter((k) => entry?.[k] !== undefined);
    if (kinds.length !== 1) return refuse('ValidationException', 'TransactItems can only contain one of Check, Put, Update or Delete');
    const kind = kinds[0]!;
    const body = entry[kind] as Json;
    const table = body?.TableName;
    if (typeof table !== 'string') return refuse('ValidationException', `1 validation error detected: Value null at 'transactItems.${actions.length + 1}.member.${kind.charAt(0).toLowerCase()}${kind.slice(1)}.tableName' failed to satisfy constraint: Member must not be null`);
    const keyNames = await deps.keyNames(table);
    if (!keyNames) return refuse('ResourceNotFoundException', 'Requested resource not found');
    const source = kind === 'Put' ? (body.Item as Item | undefined) : (body.Key as Item | undefined);
    if (!source || typeof source !== 'object') return refuse('ValidationException', `One or more parameter values were invalid: Missing the key ${keyNames[0]} in the item`);
    const key: Item = {};
    for (const n of keyNames) {
      if (source[n] === undefined) return refuse('ValidationException', `One or more parameter values were invalid: Missing the key ${n} in the item`);
      key[n] = source[n]!;
    }
    const lock = itemLockKey(table, key);
    if (seen.has(lock)) return refuse('ValidationException', 'Transaction request cannot include multiple operations on one item');
    seen.add(lock);
    actions.push({ kind, body, table, keyNames, key });
  }

  const release = await deps.locks.acquire(seen);
  try {
    const olds: Array<Item | undefined> = [];
    for (const a of actions) olds.push((await deps.readItems(a.table, [a.key]))[0]);

    // Every condition, against the items as they are.
    const reasons: Json[] = [];
    for (const [i, a] of actions.entries()) {
      const condition = a.body.ConditionExpression;
      if (typeof condition !== 'string') {
        reasons.push({ Code: 'None' });
        continue;
      }
      const old = olds[i];
      const probe: Json = old ? { TableName: a.table, Item: old } : { TableName: a.table, Key: a.key };
      Object.assign(probe, conditionParts(a.body, condition));
      const answer = await deps.call(old ? 'PutItem' : 'DeleteItem', probe);
      if (answer.status === 200) reasons.push({ Code: 'None' });
      else if (errorType(answer.body) === 'ConditionalCheckFailedException') {
        const reason: Json = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
        if (old && a.body.ReturnValuesOnConditionCheckFailure === 'ALL_OLD') reason.Item = old;
        reasons.push(reason);
      } else return { ok: false, answer };
    }
    if (reasons.some((r) => r.Code !== 'None')) {
      return refuse('TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`, { CancellationReasons: reasons });
    }

    // Apply, in order; a refusal undoes what was applied.
    const writes: TransactWrite[] = [];
    for (const [i, a] of actions.entries()) {
      const old = olds[i];
      let next: Item | undefined = old;
      if (a.kind !== 'ConditionCheck') {
        const { ReturnValuesOnConditionCheckFailure: _ignored, ...call } = a.body;
        if (a.kind === 'Update') call.ReturnValues = 'ALL_NEW';
        const answer = await deps.call(`${a.kind}Item`, call);
        if (answer.status !== 200) {
          await undo(deps, writes);
          return { ok: false, answer };
        }
        next = a.kind === 'Put' ? storedForm(a.body.Item as Item) : a.kind === 'Update' ? ((JSON.parse(answer.body) as Json).Attributes as Item) : undefined;
      }
      writes.push({ table: a.table, keyNames: a.keyNames, kind: a.kind, old, next, units: 2 * writeUnits(Math.max(old ? itemSize(old) : 0, next ? itemSize(next) : 0)) });
    }
    deps.written(writes);
    return { ok: true, writes };
  } finally {
    release();
  }
}

/** The condition with only the names and values it uses (dynalite refuses unused ones). */
function conditionParts(body: Json, condition: string): Json {
  const out: Json = { ConditionExpression: condition };
  const pick = (all: unknown, pattern: RegExp) => {
    if (!all || typeof all !== 'object') return undefined;
    const used = new Set(condition.match(pattern) ?? []);
    const kept = Object.fromEntries(Object.entries(all as Json).filter(([k]) => used.has(k)));
    return Object.keys(kept).length > 0 ? kept : undefined;
  };
  const names = pick(body.ExpressionAttributeNames, /#[A-Za-z0-9_]+/g);
  const values = pick(body.ExpressionAttributeValues, /:[A-Za-z0-9_]+/g);
  if (names) out.ExpressionAttributeNames = names;
  if (values) out.ExpressionAttributeValues = values;
  return out;
}

/** Puts back what the applied actions changed, newest first. */
async function undo(deps: TransactDeps, writes: TransactWrite[]): Promise<void> {
  for (const w of [...writes].reverse()) {
    if (w.kind === 'ConditionCheck') continue;
    if (w.old) await deps.call('PutItem', { TableName: w.table, Item: w.old });
    else if (w.next) {
      const key: Item = {};
      for (const n of w.keyNames) key[n] = w.next[n]!;
      await deps.call('DeleteItem', { TableName: w.table, Key: key });
    }
  }
}

/** The error name of a DynamoDB JSON error answer (`com.amazonaws.dynamodb.v20120810#X` → X); '' when none. */
export function errorType(body: string): string {
  try {
    const type = String((JSON.parse(body) as Json).__type ?? '');
    return type.slice(type.indexOf('#') + 1);
  } catch {
    return '';
  }
}
