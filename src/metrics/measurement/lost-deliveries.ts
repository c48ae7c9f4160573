import type { LostMessage } from './delivery-ledger.ts';
import { BOOK_BYTES_MAX } from './recipient-book.ts';
import { MISSING_QUERY_WIDTH, type MissingAnswer, type MissingRecipient } from './shard-report.ts';

/**
 * The parent's account of where deliveries went missing: every acknowledged message the ledger
 * settled with deliveries lost, counted by room, and the first TRACED_MAX of them kept to be
 * traced: at the end of the run the shards say which of their members did not receive each
 * (missing-recipients.ts), and the answers are merged here. missing-shapes.ts names the shape.
 */
export const TRACED_MAX = 2000;

/** A traced message with the shards' answers merged. */
export interface TracedMessage extends LostMessage {
  /** members the harness counted for it, those that did not receive it, those the shards could not tell for */
  members: number;
  missing: number;
  unknown: number;
  missedBy: number[];
}

export class LostDeliveries {
  /** lost messages and deliveries per room */
  readonly byRoom = new Map<number, { messages: number; lost: number }>();
  messages = 0;
  readonly traced: TracedMessage[] = [];
  /** the recipients that missed a traced message, most missed first (each shard names its first 200) */
  recipients: MissingRecipient[] = [];
  /** clients that missed at least one traced message, over all shards */
  recipientCount = 0;
  /** set when the recipients could not be named, or not all of them: why */
  untracedWhy: string | undefined;
  /** whether the shards answered (trace() ran) */
  tracedByShards = false;

  /** The ledger's loss sink: one lost message. */
  add(m: LostMessage): void {
    this.messages++;
    const r = this.byRoom.get(m.room) ?? { messages: 0, lost: 0 };
    r.messages++;
    r.lost += m.expected - m.received;
    this.byRoom.set(m.room, r);
    if (this.traced.length < TRACED_MAX && m.sender >= 0) this.traced.push({ ...m, members: 0, missing: 0, unknown: 0, missedBy: [] });
  }

  /** The question for the shards: [room, phase, sender, seq] per traced message. */
  query(): Float64Array {
    const q = new Float64Array(this.traced.length * MISSING_QUERY_WIDTH);
    this.traced.forEach((m, k) => q.set([m.room, m.phase, m.sender, m.seq], k * MISSING_QUERY_WIDTH));
    return q;
  }

  /** Merges the shards' answers to query(); `shards` is how many were asked. */
  trace(answers: readonly MissingAnswer[], shards: number): void {
    this.tracedByShards = true;
    for (const a of answers) {
      this.traced.forEach((m, k) => {
        m.members += a.perMessage[3 * k];
        m.missing += a.perMessage[3 * k + 1];
        m.unknown += a.perMessage[3 * k + 2];
        m.missedBy.push(...a.missedBy[k]);
      });
      this.recipients.push(...a.recipients);
      this.recipientCount += a.recipientCount;
    }
    this.recipients.sort((a, b) => b.missed - a.missed || a.client - b.client);
    const full = answers.filter((a) => a.bookFullAt > 0);
    const why: string[] = [];
    if (answers.length < shards) why.push(`${shards - answers.length} of ${shards} shards did not answer`);
    if (full.length > 0) why.push(`${full.length} shard${full.length === 1 ? "'s" : "s'"} receipt book filled (${BOOK_BYTES_MAX >> 20} MB): later messages cannot be traced`);
    if (why.length > 0) this.untracedWhy = why.join('; ');
  }
}
