import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBenchmark } from '../../src/modes/run.ts';
import { startScriptedChatServer } from '../fixtures/scripted-chat-server.ts';

/**
 * README: "createRoom once per room, then joinRoom for every open client" — whatever the number
 * of shards, and never a join before its room exists.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-create-once-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = join(dir, 'create-once.yaml');
writeFileSync(
  SCENARIO,
  `name: create-once
clients: 40
rooms: 8
phases:
  - connect: { rate: 400 }
  - join: { rate: 400 }
timeouts: { grace: 200ms }
`,
);

describe('room creation', () => {
  it('sends createRoom exactly once per room across 3 shards, before any join', async () => {
    const server = await startScriptedChatServer();
    try {
      const { results } = await runBenchmark({ scenario: SCENARIO, target: server.url, outDir: dir, shards: 3, seed: 6 });
      expect(results.status).toBe('completed');
      expect(server.creates.size).toBe(8);
      expect([...server.creates.values()]).toEqual(new Array(8).fill(1));
      expect(server.earlyJoins()).toBe(0);
      expect(results.connections).toMatchObject({ opened: 40, joined: 40, joinFailed: 0 });
    } finally {
      await server.close();
    }
  });
});
