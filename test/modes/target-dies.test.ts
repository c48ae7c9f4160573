import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/verdict/checks.ts';
import { runBenchmark } from '../../src/modes/run.ts';
import { startScriptedChatServer, type ScriptedChatServer } from '../fixtures/scripted-chat-server.ts';

/**
 * A target that dies in the middle of a send phase must fail the run (README: exit 1, "the
 * target stopped answering mid-run"), not end as "completed" with its sends quietly skipped.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-target-dies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = join(dir, 'dies.yaml');
writeFileSync(
  SCENARIO,
  `name: target-dies
clients: 24
rooms: 3
phases:
  - connect: { rate: 300 }
  - join: { rate: 300 }
  - send: { duration: 4s, rate: 30 }
timeouts: { grace: 500ms }
`,
);

describe('a target that dies mid-run', () => {
  it('fails the run with the reason, and the sends check fails', async () => {
    // 1 s after the first sendMessage it drops every socket and stops listening
    let timer: NodeJS.Timeout | undefined;
    const server: ScriptedChatServer = await startScriptedChatServer({ onSend: () => (timer ??= setTimeout(() => server.kill(), 1_000)) });
    try {
      const { results } = await runBenchmark({ scenario: SCENARIO, target: server.url, outDir: dir, shards: 2, seed: 5 });
      expect(server.killed()).toBe(true);
      expect(results.sends.sent).toBeGreaterThan(0); // it did answer before it died
      expect(results.status).toBe('failed');
      expect(results.statusReason).toMatch(/^the target stopped answering: \d+ of 24 connections closed unexpectedly$/);
      const checks = runChecks(results);
      expect(checks.find((c) => c.name === 'run completed')!.passed).toBe(false);
      expect(checks.find((c) => c.name === 'sends went out')!.passed).toBe(false);
    } finally {
      clearTimeout(timer);
      await server.close();
    }
  });
});
