import { describe, expect, it } from 'vitest';
import { messageKey, RequestTrace } from '../../src/metrics/measurement/request-trace.ts';
import { RunRecorder } from '../../src/metrics/measurement/run-recorder.ts';
import { SEND_ACK, SEND_SENT, type ShardReport } from '../../src/metrics/measurement/shard-report.ts';
import { shardReport } from '../fixtures/metrics/shard-report.ts';
import { FRAME_JOIN, FRAME_SEND, TRACE_CONNECT, TRACE_FRAME } from '../../src/metrics/measurement/trace-records.ts';

// The parent's store of what the shards traced: columns in arrival order, bounded, counting what
// it could not hold; fed by the run recorder, fan-out completions from the delivery ledger.

const T0 = 1_750_000_000_000;

function traceRecords(n: number, client = 0): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(TRACE_FRAME, client, 0, i + 1, FRAME_SEND, T0 + i, T0 + i + 5, i);
  return Float64Array.from(out);
}

describe('RequestTrace', () => {
  it('keeps every record in arrival order, named by its shard, growing past its first capacity', () => {
    const trace = new RequestTrace();
    trace.addTrace(3, Float64Array.of(TRACE_CONNECT, 41, 2, 0, 0, T0, T0 + 12.5, -1));
    trace.addTrace(1, traceRecords(3000, 9));
    const r = trace.requests();
    expect(r.count).toBe(3001);
    expect(r.dropped).toBe(0);
    expect([r.kind[0], r.shard[0], r.client[0], r.connection[0], r.frame[0], r.what[0], r.intendedMs[0], r.doneMs[0], r.slot[0]]).toEqual([TRACE_CONNECT, 3, 41, 2, 0, 0, T0, T0 + 12.5, -1]);
    expect([r.kind[3000], r.shard[3000], r.client[3000], r.frame[3000], r.what[3000], r.doneMs[3000], r.slot[3000]]).toEqual([TRACE_FRAME, 1, 9, 3000, FRAME_SEND, T0 + 2999 + 5, 2999]);

    trace.addDeliveries(Float64Array.of(2, 7, 1500, 0, 8, 2_000_000));
    const d = trace.deliveries();
    expect(d.count).toBe(2);
    expect([d.messageKey[0], d.latencyUs[0], d.messageKey[1], d.latencyUs[1]]).toEqual([messageKey(2, 7), 1500, messageKey(0, 8), 2_000_000]);
    expect(messageKey(2, 7)).toBe(2 * 2 ** 32 + 7);
  });

  it('stops at its bounds and counts what it could not hold', () => {
    const trace = new RequestTrace({ requests: 5, deliveries: 4, completions: 2 });
    trace.addTrace(0, traceRecords(3));
    trace.addTrace(0, traceRecords(4));
    trace.addTrace(0, traceRecords(1));
    const r = trace.requests();
    expect(r.count).toBe(5);
    expect(r.dropped).toBe(3);
    // the first five that came are the ones kept
    expect(Array.from(r.frame.subarray(0, r.count))).toEqual([1, 2, 3, 1, 2]);

    trace.addDeliveries(Float64Array.of(0, 1, 10, 0, 2, 20, 0, 3, 30));
    trace.addDeliveries(Float64Array.of(0, 4, 40, 0, 5, 50));
    expect(trace.deliveries()).toMatchObject({ count: 4, dropped: 1 });

    for (let i = 0; i < 5; i++) trace.addCompletion(messageKey(0, i), 100 + i);
    const c = trace.completions();
    expect(c).toMatchObject({ count: 2, dropped: 3 });
    expect(Array.from(c.completionUs.subarray(0, c.count))).toEqual([100, 101]);
  });
});

describe('the run recorder feeds the trace', () => {
  const report = (shard: number, over: Partial<ShardReport>) => shardReport(shard, { open: 2, ...over });

  it("stores each shard's trace and deliveries, and a complete message's fan-out completion by its key", () => {
    const rec = new RunRecorder(2, T0, { graceMs: 1000, lossMs: 5000 });
    rec.beginPhase('send', 'send', T0);
    rec.setMembers(0, Int32Array.of(2), [0, 0]);
    // shard 1 sends slot 5 (client 1, seq 0), acked for 2 recipients; both members got it, the last 30 ms after its intended time
    const sends = Float64Array.of(SEND_SENT, 5, T0 + 10, 0, 1, 0, SEND_ACK, 5, T0 + 25, 2, 0, 0);
    const trace = Float64Array.of(TRACE_FRAME, 1, 0, 2, FRAME_SEND, T0 + 10, T0 + 25, 5, TRACE_FRAME, 0, 0, 1, FRAME_JOIN, T0, T0 + 3, -1);
    rec.ingest([report(1, { sends, trace }), report(0, { receipts: Float64Array.of(1, 5, 2, T0 + 40), deliveries: Float64Array.of(1, 5, 20_000, 1, 5, 30_000) })], T0 + 1000);

    const r = rec.trace.requests();
    expect(r.count).toBe(2);
    expect([r.shard[0], r.client[0], r.frame[0], r.slot[0], r.doneMs[0]]).toEqual([1, 1, 2, 5, T0 + 25]);
    expect([r.shard[1], r.what[1]]).toEqual([1, FRAME_JOIN]);
    const d = rec.trace.deliveries();
    expect(d.count).toBe(2);
    expect(d.messageKey[0]).toBe(messageKey(1, 5));
    const c = rec.trace.completions();
    expect(c.count).toBe(1);
    expect(c.messageKey[0]).toBe(messageKey(1, 5));
    expect(c.completionUs[0]).toBe(30_000);
  });
});
