import type { IncomingMessage, ServerResponse } from 'node:http';
import { UnservedRequest, type UnservedCall, type UnservedCallSeen, type UnservedCalls } from '../../common/unserved-calls.ts';
import { unservedCallOf } from '../lambda/runtimes/unserved-call.ts';
import { answerRecord, BAD_SINCE, sinceOf } from './emulator-record-http.ts';

/**
 * The calls functions made to AWS endpoints the emulator does not serve, counted by function,
 * service, operation and resource (common/unserved-calls.ts): each execution environment posts the
 * request it refused (`POST /@emulator/unserved-calls`), read here as the call it was, the harness reads the record (`GET`, with
 * `?since=<epoch ms>` for the calls made since then). Bounded by the kinds of call a stack makes,
 * not by their number: at most `cap` kinds; a call of a kind first made past that is counted with
 * its function's other such calls to the same service (`otherKinds`), so none goes uncounted.
 */
export const DEFAULT_UNSERVED_KINDS = 1_000;

export class UnservedCallRecord {
  private readonly byKey = new Map<string, UnservedCall>();

  constructor(readonly cap: number = DEFAULT_UNSERVED_KINDS) {}

  add(seen: UnservedCallSeen): void {
    const { at, ...kind } = seen;
    const key = JSON.stringify([kind.function, kind.service, kind.operation, kind.resource ?? '']);
    const known = this.byKey.get(key);
    if (known) return tally(known, at);
    if (this.byKey.size < this.cap) {
      this.byKey.set(key, { ...kind, count: 1, firstAt: at, lastAt: at });
      return;
    }
    // past the cap: one count per function and service, bounded by the stack's functions and the services they call
    const otherKey = JSON.stringify([kind.function, kind.service, '\u0000other kinds']);
    const other = this.byKey.get(otherKey);
    if (other) tally(other, at);
    else this.byKey.set(otherKey, { ...kind, count: 1, firstAt: at, lastAt: at, otherKinds: true });
  }

  /** The calls, kinds last made at or after `since` (epoch ms) when given, most first. */
  snapshot(since?: number): UnservedCalls {
    const calls = [...this.byKey.values()].filter((c) => since === undefined || c.lastAt >= since).map((c) => ({ ...c }));
    return { calls: calls.sort((a, b) => b.count - a.count) };
  }
}

/** One more call of a kind already recorded. */
function tally(call: UnservedCall, at: number): void {
  call.count++;
  call.firstAt = Math.min(call.firstAt, at);
  call.lastAt = Math.max(call.lastAt, at);
}

/** `POST` one refused request (JSON, as UnservedRequest), `GET[?since=<epoch ms>]` the record; anything else is 400/405. */
export function handleUnservedCalls(record: UnservedCallRecord, req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'GET') {
    const since = sinceOf(req);
    if (since === null) return answerRecord(res, 400, BAD_SINCE);
    return answerRecord(res, 200, record.snapshot(since));
  }
  if (req.method !== 'POST') return answerRecord(res, 405, { message: 'only GET and POST' });
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let parsed: ReturnType<typeof UnservedRequest.safeParse>;
    try {
      parsed = UnservedRequest.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch {
      return answerRecord(res, 400, { message: 'the body is not JSON' });
    }
    if (!parsed.success) return answerRecord(res, 400, { message: `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}` });
    record.add(unservedCallOf(parsed.data));
    answerRecord(res, 204);
  });
}
