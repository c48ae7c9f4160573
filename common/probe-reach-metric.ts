/**
 * How far each message had come, hop by hop, as the local emulator publishes it (emulator/probe-reach.ts)
 * and the harness pulls it (src/metrics/cloudwatch/hop-reach-pull.ts): wherever a message carrying
 * a probe (common/probe-text.ts) passes, the emulator puts one value of `ProbeReachMs` under the
 * hop's name, the milliseconds from the probe's intended send time to that moment. AWS has nothing
 * like it; it lives in a namespace of the emulator's own, beside FanoutBench/LocalHost.
 *
 * Hops (the `Hop` dimension's values):
 * - `gateway:<routeKey>`: a client's frame accepted by the WebSocket API, before its integration;
 * - `http:<routeKey>`: a request an HTTP API routed (`http:POST /notify`), before its integration;
 * - `rest:<METHOD> <path>`: a request a REST API routed to a method (`rest:POST /items/{id}`), before its authorizer and integration;
 * - `sqs:<queue name>`: a message enqueued (SendMessage, SendMessageBatch, a topic's or rule's delivery);
 * - `sns:<topic name>`: a publish accepted (Publish, PublishBatch, a delivery to the topic);
 * - `events:<bus name>`: a PutEvents entry accepted;
 * - `dynamodb:<table name>`: a write served with the probe in what it wrote;
 * - `lambda:<function name>`: an invocation started in its environment (after any wait for the host), one per record's probe for a batch;
 * - `@connections`: a PostToConnection accepted for an open connection, one per delivery.
 */
export const PROBE_REACH_NAMESPACE = 'FanoutBench/Path';
export const PROBE_REACH_METRIC = 'ProbeReachMs';
export const PROBE_REACH_DIMENSION = 'Hop';

export const CONNECTIONS_HOP = '@connections';
export const reachHop = {
  gateway: (routeKey: string) => `gateway:${routeKey}`,
  /** an HTTP API's route a request took (`POST /notify`) */
  http: (routeKey: string) => `http:${routeKey}`,
  /** a REST API's method a request took (`GET /items/{id}`, `ANY /{proxy+}`) */
  rest: (method: string) => `rest:${method}`,
  sqs: (queue: string) => `sqs:${queue}`,
  sns: (topic: string) => `sns:${topic}`,
  events: (bus: string) => `events:${bus}`,
  dynamodb: (table: string) => `dynamodb:${table}`,
  lambda: (fn: string) => `lambda:${fn}`,
} as const;
