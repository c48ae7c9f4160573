import { performance } from 'node:perf_hooks';
import { encodeProbe } from '../../common/probe-text.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { stampReach, stampReachIn } from '../../emulator/probe-reach.ts';
import { newProbe, scanDelivery } from '../../src/fleet/protocols/chat-v1.ts';

/**
 * The cost of a probe reach stamp (emulator/probe-reach.ts) where it is paid most: a
 * PostToConnection body (the reference stack's delivery frame) without a probe and with one, into
 * the stack's real metric store; an invocation's event walked (the gateway's MESSAGE event, an SQS
 * batch of 10); and the harness's delivery scan (chat-v1's scanDelivery on common/probe-text.ts's
 * field reader), which must not get slower. ns per call, best of the rounds.
 *
 *   npx tsx bench/probe-reach/stamp-cost.ts [--calls 200000] [--rounds 5]
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CALLS = arg('calls', 200_000);
const ROUNDS = arg('rounds', 5);

const probe = (seq: number) => encodeProbe({ origin: 0, slot: seq, sender: 17, seq, intended: Date.now() - 40 }, 64);
const frame = (payload: string) =>
  Buffer.from(`{"type":"message","room":"fb.r-3","from":"dTxBJtOf7EqReVw=","name":"c17","messageId":"389f0c2e-6d0a-4c43-a1d4","serverTime":${Date.now()},"cold":false,"payload":${JSON.stringify(payload)}}`);
const withProbe = frame(probe(1));
const without = frame('x'.repeat(64));
const gatewayEvent = {
  requestContext: { routeKey: 'sendMessage', eventType: 'MESSAGE', connectionId: 'dTxBJtOf7EqReVw=', messageId: 'm', requestId: 'r', requestTimeEpoch: Date.now(), connectedAt: Date.now(), domainName: '127.0.0.1', stage: 'local', apiId: 'k0its639p8', messageDirection: 'IN', identity: { sourceIp: '127.0.0.1', userAgent: '' } },
  body: `{"action":"sendMessage","room":"fb.r-3","payload":"${probe(2)}"}`,
  isBase64Encoded: false,
};
const sqsBatch = { Records: Array.from({ length: 10 }, (_, i) => ({ messageId: `m${i}`, receiptHandle: 'h', body: JSON.stringify({ room: 'r', data: probe(10 + i) }), attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1' }, messageAttributes: {}, md5OfBody: 'x', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:1:q', awsRegion: 'us-east-1' })) };

function best(label: string, fn: () => void, calls = CALLS): void {
  let min = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    for (let i = 0; i < calls; i++) fn();
    min = Math.min(min, ((performance.now() - t) * 1e6) / calls);
  }
  console.log(`${label.padEnd(58)} ${min.toFixed(0).padStart(6)} ns/call`);
}

const store = new MetricStore();
const out = newProbe();
best('@connections body, no probe (one indexOf)', () => stampReach(store, '@connections', without));
best('@connections body with a probe (find + one metric value)', () => stampReach(store, '@connections', withProbe));
best('store.put of one value alone (for comparison)', () => store.put({ namespace: 'X', name: 'Y', dimensions: {}, value: 40, unit: 'Milliseconds', timestamp: Date.now() }));
best('lambda: the gateway MESSAGE event walked (one probe)', () => stampReachIn(store, 'lambda:fanout-send-message', gatewayEvent), CALLS / 4);
best('lambda: an SQS batch of 10 walked (ten probes)', () => stampReachIn(store, 'lambda:worker', sqsBatch), CALLS / 20);
best("harness: chat-v1 scanDelivery of the same frame", () => scanDelivery(withProbe, out));
