import { MISSED, UNKNOWN, type RecipientBook } from '../metrics/measurement/recipient-book.ts';
import { MISSED_BY_NAMED, MISSING_QUERY_WIDTH, RECIPIENTS_ANSWERED, type MissingAnswer, type MissingRecipient } from '../metrics/measurement/shard-report.ts';
import type { SimClient } from './client.ts';
import type { WireProtocol } from './protocols/wire-protocol.ts';

/** What a shard lends the answer: its clients, who counted as members when, and what each received. */
export interface MissingView {
  shard: number;
  wire: Pick<WireProtocol, 'membership' | 'recipients'>;
  book: RecipientBook;
  /** the shard's members of `room` (every client it holds where every connection receives every message) */
  candidates(room: number): readonly SimClient[];
  /** the client's index in the shard (the book's index) */
  indexOf(c: SimClient): number;
  /** per client index: 1 when it counted as a member for send phase `phase`'s messages; undefined for a phase the shard did not send in */
  membersFor(phase: number): Uint8Array | undefined;
  /** "open", or why the client is not (client-group.ts notReadyWhy) */
  stateOf(c: SimClient): string;
  /** epoch ms its socket closed (0: it did not) */
  closedAt(index: number): number;
}

/**
 * Which of this shard's members missed each traced lost message: a member is one counted when
 * the message's send phase began (the harness's expected deliveries rest on that count), less the
 * sender itself where the protocol sends it no copy. A member missed the message when its
 * receipt book lacks it (recipient-book.ts).
 */
export function missingRecipients(query: Float64Array, v: MissingView): MissingAnswer {
  const n = query.length / MISSING_QUERY_WIDTH;
  const perMessage = new Int32Array(3 * n);
  const missedBy: number[][] = [];
  const tally = new Map<SimClient, { expected: number; missed: number }>();
  for (let k = 0; k < n; k++) {
    const q = k * MISSING_QUERY_WIDTH;
    const room = query[q];
    const members = v.membersFor(query[q + 1]);
    const sender = query[q + 2];
    const seq = query[q + 3];
    const names: number[] = [];
    missedBy.push(names);
    if (!members) continue;
    for (const c of v.candidates(room)) {
      const i = v.indexOf(c);
      if (members[i] !== 1 || (v.wire.recipients === 'others' && c.id === sender)) continue;
      perMessage[3 * k]++;
      let t = tally.get(c);
      if (!t) tally.set(c, (t = { expected: 0, missed: 0 }));
      t.expected++;
      const had = v.book.has(i, sender, seq);
      if (had === UNKNOWN) perMessage[3 * k + 2]++;
      else if (had === MISSED) {
        perMessage[3 * k + 1]++;
        t.missed++;
        if (names.length < MISSED_BY_NAMED) names.push(c.id);
      }
    }
  }
  const recipients: MissingRecipient[] = [];
  for (const [c, t] of tally) {
    if (t.missed === 0) continue;
    const i = v.indexOf(c);
    recipients.push({
      client: c.id,
      room: c.room,
      expected: t.expected,
      missed: t.missed,
      received: v.book.received[i],
      lastAt: v.book.lastAt[i],
      state: v.stateOf(c),
      closedAt: v.closedAt(i),
    });
  }
  recipients.sort((a, b) => b.missed - a.missed || a.client - b.client);
  return {
    shard: v.shard,
    perMessage,
    missedBy,
    recipients: recipients.slice(0, RECIPIENTS_ANSWERED),
    recipientCount: recipients.length,
    bookFullAt: v.book.fullAt,
  };
}
