import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMinimalServer } from '../../bench/minimal-server/server.ts';
import { runBenchmark } from '../../src/modes/run.ts';
import { startScriptedChatServer } from '../fixtures/scripted-chat-server.ts';

/**
 * A target that skips a member and reports the smaller `recipients` (as a stack whose Query
 * misses a page would) must show lost deliveries: expected deliveries come from the harness's own
 * room membership, not from the target's claim.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-underreport-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = join(dir, 'underreport.yaml');
writeFileSync(
  SCENARIO,
  `name: underreport
clients: 24
rooms: 3
phases:
  - connect: { rate: 300 }
  - join: { rate: 300 }
  - send: { duration: 1s, rate: 30 }
timeouts: { grace: 500ms, loss: 1s }
`,
);

describe('expected deliveries come from the harness, not the target', () => {
  it('a target that skips a member and under-reports recipients shows lost deliveries', async () => {
    // sendMessage never reaches the room's last joined member, and says so in `recipients`
    const server = await startScriptedChatServer({ deliverTo: (members) => members.slice(0, -1) });
    try {
      const { results } = await runBenchmark({ scenario: SCENARIO, target: server.url, outDir: dir, shards: 2, seed: 4 });
      const d = results.deliveries;
      expect(results.sends.acked).toBeGreaterThan(0);
      expect(d.lost).toBeGreaterThan(0);
      expect(d.underreported).toBeGreaterThan(0);
      // each message misses exactly one of its room's members
      expect(d.underreported).toBe(results.sends.acked);
      expect(d.expected).toBe(d.received + d.lost);
    } finally {
      await server.close();
    }
  });

  it('an honest target still shows nothing lost and nothing under-reported', async () => {
    const server = await startMinimalServer();
    try {
      const { results } = await runBenchmark({ scenario: SCENARIO, target: server.url, outDir: dir, shards: 2, seed: 4 });
      expect(results.status).toBe('completed');
      expect(results.sends.acked).toBeGreaterThan(0);
      expect(results.deliveries.lost).toBe(0);
      expect(results.deliveries.underreported).toBe(0);
      expect(results.deliveries.received).toBe(results.deliveries.expected);
    } finally {
      await server.close();
    }
  });
});
