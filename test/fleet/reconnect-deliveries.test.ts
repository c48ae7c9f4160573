import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { runBenchmark } from '../../src/modes/run.ts';
import { runChecks } from '../../src/verdict/checks.ts';
import { startScriptedChatServer } from '../fixtures/scripted-chat-server.ts';
import { scenarioFiles } from '../e2e/scenario-files.ts';

/**
 * Messages sent while members are away in reconnect, against a server that closes them at known
 * moments: on each of the first four sendMessages it closes one other member of the room (1001,
 * as API Gateway closes a connection at its lifetime) before it posts the message. What the
 * closed members could not receive is counted missed during reconnect, never lost; they come
 * back and re-join, and what is sent to them after that reaches them. The server decides every
 * close, so the count does not hang on how fast the host is (test/e2e/reconnect-run.test.ts runs
 * the same through the emulator, where lifetimes and a busy host decide which sends meet whom).
 */
const { dir, scenario } = scenarioFiles('fb-reconnect-deliveries-');

const SCENARIO = scenario(
  'closed-members',
  `name: closed-members
clients: 8
rooms: 2
reconnect: { backoff: { initial: 100ms, max: 200ms } }
phases:
  - connect: { rate: 400 }
  - join: { rate: 400 }
  - send: { duration: 2s, rate: 16 }
timeouts: { grace: 500ms, loss: 1s }
`,
);

const CLOSES = 4;

describe('deliveries while members are away in reconnect', () => {
  it('counts what the closed members could not receive as missed, loses nothing, and they re-join', { timeout: 60_000 }, async () => {
    let closes = 0;
    const server = await startScriptedChatServer({
      closeOnSend: (members: readonly WebSocket[], sender: WebSocket) => {
        if (closes >= CLOSES) return [];
        const other = members.filter((m) => m !== sender && m.readyState === m.OPEN).at(-1);
        if (!other) return [];
        closes++;
        return [other];
      },
    });
    try {
      const { results } = await runBenchmark({ scenario: SCENARIO, target: server.url, outDir: dir, shards: 1, seed: 3 });
      expect(results.status).toBe('completed');
      expect(server.closedOnSend()).toBe(CLOSES);

      // every close is a client gone away; every re-join the server answered is one back
      const rc = results.reconnects!;
      expect(rc.wentAway).toBe(CLOSES);
      expect(rc.reconnected).toBe(server.joins() - 8);
      expect(rc.gaveUp).toBe(0);

      // each close took its member out of the message it came with: missed, not lost
      const d = results.deliveries;
      expect(d.missedDuringReconnect).toBeGreaterThanOrEqual(CLOSES);
      expect(d.expected).toBeGreaterThan(0);
      expect(d.lost).toBe(0);
      expect(d.received).toBe(d.expected);

      // a closed member's own send on the wire is cut off, never failed; every other send is answered
      const s = results.sends;
      expect(s.failed).toBe(0);
      expect(s.acked + (s.cutOffByReconnect ?? 0)).toBe(s.sent);
      expect(s.intended).toBe(s.sent + (s.skipped ?? 0));
      const checks = runChecks(results);
      for (const name of ['no lost deliveries', 'sends went out']) expect(checks.find((c) => c.name === name)!.passed, name).toBe(true);
    } finally {
      await server.close();
    }
  });
});
