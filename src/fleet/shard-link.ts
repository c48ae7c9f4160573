import type { MissingAnswer, ShardReport } from '../metrics/measurement/shard-report.ts';
import type { ConnectToken } from './protocols/connect-token.ts';
import type { RoomPlan } from './room-plan.ts';
import type { Lane } from './schedule.ts';
import type { ProtocolSpec } from '../contracts/protocol-schema.ts';
import type { ReconnectPolicy } from '../contracts/scenario-schema.ts';

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
  /** the protocol the clients speak (default chat-v1) */
  protocol?: ProtocolSpec;
  /** the run's id ({{run}} in a described protocol's templates) */
  runId?: string;
  /** clients the server closes come back (the scenario's `reconnect`) */
  reconnect?: ReconnectPolicy;
  /** keep-alive after this long without sending (the scenario's `keepAlive`) */
  keepAliveMs?: number;
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
      /** messages per second, all shards' */
      rate: number;
      /** this shard's slots of the phase's schedule, interleaved with the other shards' */
      lane: Lane;
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
  /** which members missed these lost messages (shard-report.ts MISSING_QUERY_WIDTH numbers each) */
  | { type: 'missing'; query: Float64Array }
  /** stop sending and ramping now (interrupt), keep sockets for the final flush */
  | { type: 'stop' }
  /** close every socket with a close frame and exit */
  | { type: 'close' };

export type FromShard =
  | { type: 'ready'; shard: number }
  /**
   * `members`: per room, this shard's clients that are open and joined when the step ended — the
   * harness's own membership count, so expected deliveries never rest on the target's claim.
   */
  | { type: 'phaseDone'; shard: number; step: number; members: Int32Array }
  | { type: 'report'; report: ShardReport }
  | { type: 'missing'; answer: MissingAnswer }
  | { type: 'fatal'; shard: number; message: string };

