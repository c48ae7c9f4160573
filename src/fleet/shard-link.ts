import type { EncodedHistograms } from '../metrics/measurement/shard-interval-recorder.ts';
import type { SelfSample } from '../metrics/measurement/self-watch.ts';
import type { ConnectToken } from '../targets/connect-token.ts';
import type { RoomPlan } from './room-plan.ts';

/**
 * The messages between the parent (fleet.ts) and a shard process (shard-main.ts), over the
 * fork IPC channel with 'advanced' serialization (typed arrays cross as typed arrays).
 */

export interface ShardInit {
  shard: number;
  shards: number;
  targetUrl: string;
  plan: RoomPlan;
  /** room r is named `${roomPrefix}${r}` */
  roomPrefix: string;
  /** per room: most senders any send phase uses (sizes the per-receiver order windows) */
  maxSendersPerRoom: Int32Array;
  /** spread client source addresses over 127.0.0.x, this many clients per address (0 = off) */
  clientsPerSourceAddress: number;
  connectTimeoutMs: number;
  ackTimeoutMs: number;
  /** the token for a $connect authorizer, sent with every handshake (over IPC only, never logged) */
  token?: ConnectToken;
  /** the target's $connect says, through the subprotocol it selects, whether it ran cold */
  connectColdFlag?: boolean;
}

export interface RampSpec {
  /** epoch ms of the first slot */
  startAt: number;
  /** per second, for this shard */
  rate: number;
  /** in flight at once, for this shard */
  maxInFlight: number;
}

export type ShardPhase =
  | ({ kind: 'connect' } & RampSpec)
  | ({ kind: 'create' } & RampSpec)
  | ({ kind: 'join' } & RampSpec)
  | {
      kind: 'send';
      /** the scenario phase these messages belong to (results attribute deliveries to it) */
      phase: number;
      startAt: number;
      durationMs: number;
      /** messages per second from this shard's senders */
      rate: number;
      sendersPerRoom: Int32Array;
      payloadBytes: number;
    }
  | { kind: 'drop'; clients: Int32Array }
  | { kind: 'drain'; timeoutMs: number };

export type ToShard =
  | { type: 'init'; init: ShardInit }
  /** `step` numbers the barrier: the shard answers phaseDone with it */
  | { type: 'phase'; step: number; phase: ShardPhase }
  | { type: 'flush'; seq: number }
  /** stop sending and ramping now (interrupt), keep sockets for the final flush */
  | { type: 'stop' }
  /** close every socket with a close frame and exit */
  | { type: 'close' };

/** Send events in ShardReport.sends, 5 numbers each: [event, slot, a, b, c]. */
export const SEND_SENT = 1; // a = intended ms, b = phase index, c = sender client
export const SEND_ACK = 2; // a = ack time ms, b = recipients, c = gone
export const SEND_FAIL = 3; // a = time ms
export const SEND_RECORD_WIDTH = 5;
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
    bytesReceived: 0,
  };
}

export interface ShardReport {
  shard: number;
  /** the flush this answers */
  seq: number;
  histograms: EncodedHistograms;
  /** deltas since the previous report */
  counts: ShardCounts;
  errors: Record<string, number>;
  sends: Float64Array;
  receipts: Float64Array;
  open: number;
  self: SelfSample;
}

export type FromShard =
  | { type: 'ready'; shard: number }
  /**
   * `members`: per room, this shard's clients that are open and joined when the step ended — the
   * harness's own membership count, so expected deliveries never rest on the target's claim.
   */
  | { type: 'phaseDone'; shard: number; step: number; members: Int32Array }
  | { type: 'report'; report: ShardReport }
  | { type: 'fatal'; shard: number; message: string };
