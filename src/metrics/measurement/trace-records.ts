/**
 * The fleet's trace of every request it timed, for the attribution join (src/metrics/attribution):
 * what a shard reports at each flush (ShardReport.trace and .deliveries), packed as numbers.
 *
 * ShardReport.trace: TRACE_RECORD_WIDTH numbers a record,
 *   [kind, client, connection, frame, what, intendedMs, doneMs, slot]
 * - TRACE_CONNECT: a handshake. `connection` is which of the client's connections (0 the first,
 *   1 after its first reconnect, …; the number in its User-Agent, src/contracts/client-user-agent.ts),
 *   frame 0, what 0, doneMs the epoch ms it opened (0: it failed), slot -1.
 * - TRACE_FRAME: a frame the client wrote on that connection. `frame` is its number among the
 *   frames written on the connection (1 the first; every frame counts, answered or not, so the n-th
 *   MESSAGE access-log line of the connection is frame n); `what` a FRAME_* kind; intendedMs when it
 *   was meant to go (a send's slot time, a join's ramp time); doneMs the epoch ms its answer
 *   arrived (0: none timed); slot a send's slot (-1 for other frames).
 *
 * ShardReport.deliveries: DELIVERY_RECORD_WIDTH numbers a record, [origin shard, slot, latencyUs]:
 * one per unique delivery, its message named as the ledger names it (the sending shard and the
 * slot), its latency from the message's intended time in µs.
 */
export const TRACE_RECORD_WIDTH = 8;
export const TRACE_CONNECT = 1;
export const TRACE_FRAME = 2;

export const FRAME_JOIN = 1;
export const FRAME_CREATE = 2;
export const FRAME_SEND = 3;
export const FRAME_KEEPALIVE = 4;
/** any other frame the protocol writes (a handshake frame of a described protocol, a leave) */
export const FRAME_OTHER = 5;

export const DELIVERY_RECORD_WIDTH = 3;
