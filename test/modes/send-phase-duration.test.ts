import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBenchmark } from '../../src/modes/run.ts';
import { startScriptedChatServer } from '../fixtures/scripted-chat-server.ts';

/**
 * A send phase runs the duration it was given: at 1 message/s a 2 s phase sends its two slots at
 * 0 s and 1 s, and the next phase starts when the 2 s are up (it used to start after the last
 * slot's answer, 1.26 s in). Real shard processes and real sockets on 127.0.0.1.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-send-duration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a send phase', () => {
  it('lasts its duration though its last slot comes an interval before the end', async () => {
    const file = join(dir, 'slow-sends.yaml');
    writeFileSync(file, ['name: slow-sends', 'clients: 4', 'rooms: 1', 'phases:', '  - connect: { rate: 100 }', '  - join: { rate: 100 }', '  - send: { duration: 2s, rate: 1 }', '  - idle: { duration: 100ms }', ''].join('\n'));
    const server = await startScriptedChatServer({});
    try {
      const { results } = await runBenchmark({ scenario: file, target: server.url, outDir: dir, shards: 1, seed: 5 });
      const send = results.phases!.find((p) => p.kind === 'send')!;
      const idle = results.phases!.find((p) => p.kind === 'idle')!;
      expect(results.sends.sent).toBe(2);
      expect(send.durationMs).toBeGreaterThanOrEqual(2_000);
      expect(idle.startedAt - send.startedAt).toBeGreaterThanOrEqual(2_000);
    } finally {
      await server.close();
    }
  });
});
