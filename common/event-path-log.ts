/**
 * The emulator's own log group for what became of messages between services (not an AWS log
 * group): one JSON line per asynchronous retry or drop, failed destination or dead-letter
 * delivery, failed or partly failed event source mapping batch and discarded stream batch, as
 * emulator/lambda/async-invocation.ts and emulator/event-sources/ write them. The harness reads
 * it beside CloudWatch's metrics to name the hop where a delivery was lost.
 */
export const EVENT_PATH_LOG_GROUP = '/fanout-bench/emulator/event-path';

/** Its one stream. */
export const EVENT_PATH_LOG_STREAM = 'events';
