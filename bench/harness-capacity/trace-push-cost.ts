/**
 * What the request trace adds to every delivery (src/fleet/shard.ts onDelivery): one push of three
 * numbers [origin, slot, latency µs] into the shard's PackedRecords, taken at each 1 s flush as a
 * report takes it, and the parent's RequestTrace storing them. The steady measurement's shape
 * (20,000 deliveries a flush), 2 million deliveries, timed; the shard's share and the parent's
 * apart. `npx tsx bench/harness-capacity/trace-push-cost.ts`
 */
import { PackedRecords } from '../../src/metrics/measurement/packed-records.ts';
import { RequestTrace } from '../../src/metrics/measurement/request-trace.ts';
import { DELIVERY_RECORD_WIDTH } from '../../src/metrics/measurement/trace-records.ts';

const N = 2_000_000;
const PER_FLUSH = 20_000;
const PER_MESSAGE = 100;

function shardSide(): { ns: number; batches: Float64Array[] } {
  const records = new PackedRecords(DELIVERY_RECORD_WIDTH, 1024);
  const batches: Float64Array[] = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    records.push3(0, Math.floor(i / PER_MESSAGE), 2000 + (i % 997));
    if ((i + 1) % PER_FLUSH === 0) batches.push(records.take());
  }
  return { ns: Number(process.hrtime.bigint() - t0) / N, batches };
}

// a warm-up round first, so both are timed compiled
shardSide();
const { ns: shardNs, batches } = shardSide();
const trace = new RequestTrace();
const t0 = process.hrtime.bigint();
for (const b of batches) trace.addDeliveries(b);
const parentNs = Number(process.hrtime.bigint() - t0) / N;
const per10k = (ns: number) => ((ns * 10_000) / 1e9).toFixed(4);
console.log(`shard: ${shardNs.toFixed(1)} ns per delivery (${per10k(shardNs)} CPU-s per 10k deliveries)`);
console.log(`parent: ${parentNs.toFixed(1)} ns per delivery stored (${per10k(parentNs)} CPU-s per 10k deliveries), ${trace.deliveries().count} stored`);
