import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { runBenchmark } from '../../src/modes/run.ts';
import { runChecks } from '../../src/verdict/checks.ts';
import { explainChecks } from '../../src/diagnosis/explanations.ts';
import { startScriptedChatServer } from '../fixtures/scripted-chat-server.ts';

/**
 * Where lost deliveries went missing, from real shards against a real ws server that loses them
 * in one known way: the run names the recipients, the messages and the shape. Two shards, so the
 * answers of both are merged.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-missing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = join(dir, 'two-rooms.yaml');
writeFileSync(
  SCENARIO,
  `name: two-rooms
clients: 12
rooms: 2
phases:
  - connect: { rate: 200 }
  - join: { rate: 200 }
  - send: { name: talk, duration: 1s, rate: 12 }
timeouts: { grace: 300ms, loss: 500ms }
`,
);

describe('where deliveries went missing', () => {
  it('one connection per room that never receives is named, with every message it missed', async () => {
    // every message skips its room's last member to join other than its sender (one sender per room)
    const skipped = new Set<WebSocket>();
    const server = await startScriptedChatServer({
      deliverTo: (members, sender) => {
        const skip = members.filter((m) => m !== sender).at(-1)!;
        skipped.add(skip);
        return members.filter((m) => m !== skip);
      },
    });
    try {
      const { results } = await runBenchmark({ scenario: SCENARIO, target: server.url, outDir: dir, shards: 2, seed: 7 });
      const m = results.deliveries.missing!;
      expect(results.sends.acked).toBe(12);
      expect(m.messages).toBe(12);
      expect(m.tracedWhy).toBeUndefined();
      // one silent member per room: the server skipped two sockets, the run names two clients
      expect(skipped.size).toBe(2);
      expect(m.recipients).toBe(2);
      expect(m.byRecipient.map((r) => r.room).sort()).toEqual(m.byRoom.map((r) => r.room).sort());
      const perRoom = new Map(m.byRoom.map((r) => [r.room, r.messages]));
      for (const r of m.byRecipient) {
        expect(r).toMatchObject({ missed: perRoom.get(r.room), expected: perRoom.get(r.room), received: 0, state: 'open' });
        expect(r.lastAt).toBeUndefined();
      }
      // every lost message names its room's silent member, and only it
      const silentOf = new Map(m.byRecipient.map((r) => [r.room, r.client]));
      for (const row of m.byMessage) {
        expect(row.missedBy).toEqual([silentOf.get(row.room)]);
        expect(row.expected - row.received).toBe(1);
      }
      expect(m.shapes.map((s) => s.kind)).toEqual(['connection']);
      expect(m.shapes[0]).toMatchObject({ deliveries: 12, clients: [...silentOf.values()].sort((a, b) => a - b) });
      expect(m.shapes[0].line).toMatch(/^2 connections missed every lost message of their rooms while members: client \d+ \(fb-.*-r[01], \d missed; open to the end, received nothing in the run\)/);

      // the failed check's explanation says it
      const lost = explainChecks(results, runChecks(results)).find((e) => e.check === 'no lost deliveries')!;
      expect(lost.where).toEqual(['send phase "talk": 12 of 72 expected deliveries lost', m.shapes[0].line]);
    } finally {
      await server.close();
    }
  });

  it("a target that sends no sender its own message is told so, with the protocol setting that says it", async () => {
    const server = await startScriptedChatServer({ deliverTo: (members, sender) => members.filter((m) => m !== sender) });
    try {
      const { results } = await runBenchmark({ scenario: SCENARIO, target: server.url, outDir: dir, shards: 2, seed: 7 });
      const m = results.deliveries.missing!;
      expect(results.sends.acked).toBe(12);
      expect(m.shapes.map((s) => s.kind)).toEqual(['own-copy']);
      // one sender per room: each of its messages missed it alone
      const senders = [...new Set(m.byMessage.map((row) => row.sender))].sort((a, b) => a - b);
      expect(senders).toHaveLength(2);
      for (const row of m.byMessage) expect(row.missedBy).toEqual([row.sender]);
      expect(m.shapes[0]).toMatchObject({ deliveries: 12, clients: senders });
      expect(m.shapes[0].line).toBe(
        `12 messages missed only their own sender (client ${senders[0]}, client ${senders[1]}): the target does not send a sender its own message; if that is its protocol, say so (protocol recipients: others) and those are not lost`,
      );
    } finally {
      await server.close();
    }
  });

  it('messages each missing a different member, and a burst lost whole, are told apart', async () => {
    // the 4th to 7th messages reach no one; every other message skips a member other than its sender, in turn
    let n = 0;
    const server = await startScriptedChatServer({
      deliverTo: (members, sender) => {
        const k = n++;
        if (k >= 3 && k < 7) return [];
        const others = members.filter((m) => m !== sender);
        return members.filter((m) => m !== others[k % others.length]);
      },
    });
    try {
      const { results } = await runBenchmark({ scenario: SCENARIO, target: server.url, outDir: dir, shards: 2, seed: 7 });
      const m = results.deliveries.missing!;
      expect(results.sends.acked).toBe(12);
      const kinds = Object.fromEntries(m.shapes.map((s) => [s.kind, s]));
      expect(Object.keys(kinds).sort()).toEqual(['burst', 'one-per-message']);
      // 4 messages to rooms of 6: 24 deliveries lost whole
      expect(kinds.burst).toMatchObject({ deliveries: 24 });
      expect(kinds.burst.line).toMatch(/^4 messages lost whole, no member received them \(24 deliveries\): sent from \d\d:\d\d:\d\d\.\d{3}Z to \d\d:\d\d:\d\d\.\d{3}Z in fb-/);
      // the other 8 each missed one member, rotating: more than one recipient, none missing them all
      expect(kinds['one-per-message'].deliveries).toBe(8);
      expect(kinds['one-per-message'].line).toMatch(/^8 messages each missed one recipient, [2-8] different ones \(client \d+ ×\d/);
      expect(kinds['one-per-message'].clients!.length).toBeGreaterThan(1);
      const whole = m.byMessage.filter((row) => row.received === 0);
      expect(whole).toHaveLength(4);
      for (const row of whole) expect(row.missedBy).toHaveLength(6);
      expect(results.deliveries.lost).toBe(32);
    } finally {
      await server.close();
    }
  });
});
