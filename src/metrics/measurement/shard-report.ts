import type { SelfSample } from './self-watch.ts';
import type { EncodedHistograms } from './shard-interval-recorder.ts';

/**
 * What a shard reports to the parent at every flush: its histograms, its counts since the last
 * report and its send and receipt records, packed. The fleet's shards write it; the parent's
 * recorder (run-recorder.ts) reads it. It lives with the recorders so that measuring depends on
 * no part of the fleet.
 */

/** Send events in ShardReport.sends, 6 numbers each: [event, slot, a, b, c, d]. */
export const SEND_SENT = 1; // a = intended ms, b = phase index, c = sender client, d = its seq
export const SEND_ACK = 2; // a = ack time ms, b = recipients, c = gone
export const SEND_FAIL = 3; // a = time ms, d = 1 when the socket's close cut it off and its sender reconnects
export const SEND_RECORD_WIDTH = 6;
/** Receipts in ShardReport.receipts, 4 numbers each: [origin shard, slot, unique count, latest ms]. */
export const RECEIPT_RECORD_WIDTH = 4;

export interface ShardCounts {
  connects: number;
  connectFailures: number;
  joins: number;
  joinFailures: number;
  /** slots the schedule asked for */
  intended: number;
  sent: number;
  missedSlots: number;
  /** slots with no open, joined sender to send them */
  skipped: number;
  acked: number;
  failed: number;
  /** delivery frames received, duplicates included */
  delivered: number;
  duplicates: number;
  outOfOrder: number;
  /** deliveries whose probe names no message of this run */
  unexpected: number;
  dropped: number;
  /** connect slots that started later than their intended time */
  connectMissed: number;
  /** sockets the server closed that reconnect (a scenario's `reconnect`): each a client gone away */
  wentAway: number;
  /** clients back as members after going away */
  reconnects: number;
  /** reconnect attempts that failed (a connect refused or timed out, a re-join failed) */
  reconnectFailures: number;
  /** clients that failed the policy's maxAttempts in a row and stay away */
  gaveUp: number;
  /** bytes of every WebSocket message received (deliveries, acks, answers, errors) */
  bytesReceived: number;
}

export function zeroCounts(): ShardCounts {
  return {
    connects: 0,
    connectFailures: 0,
    joins: 0,
    joinFailures: 0,
    intended: 0,
    sent: 0,
    missedSlots: 0,
    skipped: 0,
    acked: 0,
    failed: 0,
    delivered: 0,
    duplicates: 0,
    outOfOrder: 0,
    unexpected: 0,
    dropped: 0,
    connectMissed: 0,
    wentAway: 0,
    reconnects: 0,
    reconnectFailures: 0,
    gaveUp: 0,
    bytesReceived: 0,
  };
}

/**
 * A send phase's stand-in (client-group.ts): `standIn`, a member of `room`, sends in the place of
 * `sender`, which was not open and joined for `why`.
 */
export interface ShardStandIn {
  phase: number;
  room: number;
  sender: number;
  standIn: number;
  why: string;
}

export interface ShardReport {
  shard: number;
  /** the flush this answers */
  seq: number;
  histograms: EncodedHistograms;
  /** deltas since the previous report */
  counts: ShardCounts;
  errors: Record<string, number>;
  /** send slots skipped since the previous report, by why their first sender could not send */
  skippedWhy: Record<string, number>;
  /** stand-ins since the previous report */
  standIns: ShardStandIn[];
  sends: Float64Array;
  receipts: Float64Array;
  /** away windows of reconnecting clients since the previous report (reconnect-absences.ts AWAY_RECORD_WIDTH) */
  away: Float64Array;
  /** handshakes and frames settled since the previous report (trace-records.ts TRACE_RECORD_WIDTH) */
  trace: Float64Array;
  /** unique deliveries since the previous report (trace-records.ts DELIVERY_RECORD_WIDTH) */
  deliveries: Float64Array;
  open: number;
  self: SelfSample;
}

/**
 * The parent's question at the end of a run (lost-deliveries.ts): for each traced lost message,
 * MISSING_QUERY_WIDTH numbers [room, phase, sender client, sender seq], which of your members
 * did not receive it?
 */
export const MISSING_QUERY_WIDTH = 4;

/** One client that missed at least one traced message (missing-recipients.ts). */
export interface MissingRecipient {
  client: number;
  room: number;
  /** traced messages it was a member for, and of those the ones it did not receive */
  expected: number;
  missed: number;
  /** unique deliveries it received in the whole run, the latest at lastAt (epoch ms; 0: none) */
  received: number;
  lastAt: number;
  /** "open", or why not (client-group.ts notReadyWhy) */
  state: string;
  /** epoch ms its socket closed (0: it did not) */
  closedAt: number;
}

export interface MissingAnswer {
  shard: number;
  /** per queried message, 3 numbers: [this shard's members that expected it, that missed it, that it cannot tell for] */
  perMessage: Int32Array;
  /** per queried message: the first MISSED_BY_NAMED of this shard's members that missed it */
  missedBy: number[][];
  /** the clients that missed at least one, most missed first (at most RECIPIENTS_ANSWERED) */
  recipients: MissingRecipient[];
  /** how many clients missed at least one */
  recipientCount: number;
  /** epoch ms the shard's receipt book filled (0: it did not) */
  bookFullAt: number;
}

/** The most members named per message (missedBy). */
export const MISSED_BY_NAMED = 10;
/** The most recipients one shard names in its answer. */
export const RECIPIENTS_ANSWERED = 200;
