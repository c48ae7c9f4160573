import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IntervalRecord, Results } from '../../src/contracts/results-schema.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { runBenchmark } from '../../src/modes/run.ts';
import { startScriptedChatServer } from '../fixtures/scripted-chat-server.ts';

/**
 * A delivery that arrives is never counted lost: a target that acknowledges at once and delivers
 * seconds later (an asynchronous fan-out, a slow cold start) loses nothing; a message is lost
 * only when nothing arrived within the loss timeout, and the run waits for that (bounded), no
 * longer than it must. Real shard processes and real sockets on 127.0.0.1.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-loss-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scenario(name: string, timeouts: string): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(
    p,
    `name: ${name}
clients: 12
rooms: 3
phases:
  - connect: { rate: 300 }
  - join: { rate: 300 }
  - send: { duration: 1s, rate: 6 }
${timeouts}
`,
  );
  return p;
}

function intervals(runDir: string): IntervalRecord[] {
  return readFileSync(join(runDir, 'intervals.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => IntervalRecord.parse(JSON.parse(l)));
}

const drainMs = (r: Results) => r.phases!.find((p) => p.kind === 'drain')!.durationMs;

describe('loss timeout', () => {
  it('a delivery 4 s after the ack is received and late, not lost; the run ends once all arrived, not after 30 s', async () => {
    const server = await startScriptedChatServer({ deliverAfterMs: 4_000 });
    try {
      const { results, runDir } = await runBenchmark({ scenario: scenario('async-fanout', ''), target: server.url, outDir: dir, shards: 2, seed: 3 });
      expect(Results.safeParse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'))).success).toBe(true);
      expect(results.status).toBe('completed');
      const d = results.deliveries;
      expect(results.sends.acked).toBeGreaterThan(0);
      expect(d.expected).toBeGreaterThan(0);
      expect(d).toMatchObject({ received: d.expected, lost: 0, lostEarly: 0, lossTimeoutMs: 30_000, graceMs: 2_000 });
      expect(d.late).toBe(d.received); // every one arrived 4 s after its ack: past the 2 s grace
      expect(results.config.timeouts).toMatchObject({ graceMs: 2_000, lossMs: 30_000 });
      // the broadcast latency shows the 4 s the deliveries took
      expect(results.metrics.broadcast.p50).toBeGreaterThanOrEqual(4_000);
      expect(results.metrics.fanoutCompletion.count).toBe(results.sends.acked);
      // the drain waited for the deliveries (~4 s), and stopped when the last one came, far short of 30 s
      expect(drainMs(results)).toBeGreaterThanOrEqual(2_500);
      expect(drainMs(results)).toBeLessThan(15_000);
      // while draining, the interval records say how many messages were pending; none of them is a loss
      const draining = intervals(runDir).filter((r) => r.phase === 'drain');
      expect(draining.some((r) => (r.pendingMessages ?? 0) > 0)).toBe(true);
      expect(intervals(runDir).at(-1)!.pendingMessages).toBe(0);
      expect(renderSummaryMarkdown(results)).toContain('Lost = not arrived within the 30s loss timeout after the ack (timeouts.loss)');
    } finally {
      await server.close();
    }
  });

  it('nothing delivered: lost once the loss timeout passed, and the run waited for it', async () => {
    const server = await startScriptedChatServer({ deliverTo: () => [] });
    try {
      const { results } = await runBenchmark({
        scenario: scenario('black-hole', 'timeouts: { grace: 500ms, loss: 3s }'),
        target: server.url,
        outDir: dir,
        shards: 2,
        seed: 3,
      });
      expect(results.status).toBe('completed');
      const d = results.deliveries;
      expect(results.sends.acked).toBeGreaterThan(0);
      expect(d.expected).toBeGreaterThan(0);
      expect(d).toMatchObject({ received: 0, lost: d.expected, late: 0, lostEarly: 0, lossTimeoutMs: 3_000, graceMs: 500 });
      // the last message was acknowledged as the drain began: the drain lasted about its loss timeout
      expect(drainMs(results)).toBeGreaterThanOrEqual(2_000);
      expect(drainMs(results)).toBeLessThan(15_000);
      expect(renderSummaryMarkdown(results)).toContain('loss timeout');
    } finally {
      await server.close();
    }
  });
});
