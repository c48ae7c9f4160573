import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/verdict/checks.ts';
import { runBenchmark } from '../../src/modes/run.ts';
import { planRooms } from '../../src/fleet/room-plan.ts';
import { startScriptedChatServer } from '../fixtures/scripted-chat-server.ts';

const SEED = 3;

/**
 * One failed connect must not void a send phase. A room's only sender (its first member, client 0)
 * is refused at the handshake with 500: a member of its room that is open and joined sends in its
 * place, the run says who stood in for whom and why, and no send is skipped. The run is not "the
 * target stopped answering": the target answered, with a 500.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-stand-in-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = join(dir, 'one-room.yaml');
writeFileSync(
  SCENARIO,
  `name: one-room
clients: 6
rooms: 1
phases:
  - connect: { rate: 100, maxInFlight: 1 }
  - join: { rate: 100 }
  - send: { name: before, duration: 1s, rate: 10 }
timeouts: { grace: 500ms, loss: 1s }
`,
);

describe('a sender whose connect failed', () => {
  it('is stood in for by an open member of its room, recorded with why; nothing skipped, the run completes', async () => {
    // The room's sender is its member of rank 0 (ranks are shuffled by the seed), its stand-in the
    // member of rank 1. The harness's reachability probe shakes hands once first (this server, as
    // ws does by default, picks the cold/warm subprotocol offered); then one shard connects its
    // clients one at a time in client order: the sender's handshake is number 1 + its id.
    const plan = planRooms(6, 1, { distribution: 'uniform' }, SEED);
    const byRank = (rank: number) => plan.rankInRoom.indexOf(rank);
    const sender = byRank(0);
    const server = await startScriptedChatServer({ refuseHandshake: (n) => (n === 1 + sender ? 500 : undefined) });
    try {
      const { results } = await runBenchmark({ scenario: SCENARIO, target: server.url, outDir: dir, shards: 1, seed: SEED });
      expect(results.connections).toMatchObject({ attempted: 6, opened: 5, failed: 1 });
      expect(results.errors).toMatchObject({ 'handshake:500': 1 });
      expect(results.status).toBe('completed');
      expect(results.sends.intended).toBe(10);
      expect(results.sends.sent).toBe(10);
      expect(results.sends.skipped).toBe(0);
      // the room's member of rank 1: the first by rank that sends for no one
      expect(results.sends.standIns).toEqual({ total: 1, first: [{ phase: 'before', room: 0, sender, standIn: byRank(1), why: 'handshake:500' }] });
      // every message reached the five members open in the room (the stand-in's own copy included)
      expect(results.deliveries).toMatchObject({ expected: 50, received: 50, lost: 0 });
      const sends = runChecks(results).find((c) => c.name === 'sends went out')!;
      expect(sends.passed).toBe(true);
      expect(sends.detail).toContain('1 sender not open stood in for by a member of the room');
    } finally {
      await server.close();
    }
  });
});
