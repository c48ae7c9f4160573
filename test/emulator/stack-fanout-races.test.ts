import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_DEFAULT_NAMES } from '../../reference-stack/functions/shared/tables.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import {
  answer,
  emfSum,
  joinAll,
  memberRows,
  openClients,
  readersFor,
  rowsOf,
  settle,
  type Member,
  type StackReaders,
} from './stack-fanout-helpers.ts';

// Things that happen while a fan-out is under way, through the whole emulator (gateway, the real
// sendMessage function and SDK, dynalite). Every $disconnect is lost (faults.lostDisconnectShare
// = 1), so only the functions' own 410 cleanup can remove a dropped client's rows.
//
// Making "while" reliable: sendMessage posts one at a time (FANOUT_CONCURRENCY=1) in the order its
// Query returns the members (sorted by connection id), at 128 MB (a fourteenth of a vCPU, so
// each post's SDK work takes milliseconds). The test acts when the first member in that order
// receives the message, and checks afterwards that what it did landed inside the fan-out.

let stack: RunningStack;
let readers: StackReaders;
const everyone: Member[] = [];

beforeAll(async () => {
  stack = await startStack({
    config: defaultStackConfig({
      // no environments INIT'd ahead of need: the clients open a few at a time (openClients),
      // reusing the ones their first cold starts made
      lambda: { preparedPerFunction: 0 },
      faults: { lostDisconnectShare: 1 },
      functions: { 'fanout-send-message': { memoryMB: 128, environment: { FANOUT_CONCURRENCY: '1' } } },
    }),
    log: () => {},
  });
  readers = readersFor(stack);
});

afterAll(async () => {
  for (const m of everyone) m.client.close();
  readers?.destroy();
  await stack?.close();
});

/** `n` clients in `room`, sorted as the function's member Query returns them. */
async function roomOf(room: string, n: number): Promise<Member[]> {
  const members = await openClients(stack, n);
  everyone.push(...members);
  await joinAll(room, members);
  return members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Runs `act` once, when `member` receives the first message frame of `room`. */
function onFirstDelivery(member: Member, room: string, act: () => void): void {
  const listener = (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as { type?: string; room?: string };
    if (frame.type !== 'message' || frame.room !== room) return;
    member.client.ws.off('message', listener);
    act();
  };
  member.client.ws.on('message', listener);
}

const got = (m: Member, messageId: string) => m.client.frames.some((f) => f.data.includes(messageId));

describe('during a fan-out', () => {
  it('a client that drops leaves no row behind in any of its rooms, and is counted', async () => {
    const since = Date.now();
    const members = await roomOf('drop-a', 30);
    const first = members[0]!;
    const victim = members.at(-1)!; // posted to last
    const sender = members[1]!;
    await joinAll('drop-b', [members[2]!, victim]); // a second room, with no traffic of its own
    expect(await rowsOf(readers.doc, victim.id)).toEqual({ connection: true, rooms: ['drop-a', 'drop-b'] });

    onFirstDelivery(first, 'drop-a', () => victim.client.ws.terminate()); // no close frame
    sender.client.send({ action: 'sendMessage', room: 'drop-a', payload: 'mid-fanout drop' });
    const sent = await answer(sender.client, 'sent');

    // The drop landed inside the fan-out: the first member had the message, the victim's post
    // then found it gone.
    expect(got(first, sent.messageId)).toBe(true);
    expect(sent).toMatchObject({ type: 'sent', recipients: 30, gone: 1 });
    expect(got(victim, sent.messageId)).toBe(false);
    await settle(async () => members.filter((m) => got(m, sent.messageId)).length, (n) => n === 29, 5_000);
    expect(members.filter((m) => m !== victim).every((m) => got(m, sent.messageId))).toBe(true);

    expect(stack.gateway.stats().lostDisconnects).toBe(1); // nothing but the 410 cleanup removed its rows
    expect(await rowsOf(readers.doc, victim.id)).toEqual({ connection: false, rooms: [] });
    expect(await memberRows(readers.doc, 'drop-b')).toEqual([members[2]!.id]);
    expect(await settle(() => emfSum(readers.cw, 'StaleConnectionsRemoved', since), (n) => n >= 1)).toBe(1);
    expect(await emfSum(readers.cw, 'StaleCleanupFailures', since)).toBe(0);
  });

  // "Deleted" in this stack: every member row of the room removed (an operator emptying it, or all
  // its members leaving). The room itself (its metadata and history) stays: rooms are never
  // deleted, and a history entry of a message accepted before the room emptied is not stale.
  it('a room deleted mid-send stays empty: the fan-out finishes, counts, and writes no member row back', async () => {
    const since = Date.now();
    const removedBefore = await emfSum(readers.cw, 'StaleConnectionsRemoved', since - 3_600_000);
    const members = await roomOf('doomed', 60);
    const first = members[0]!;
    const dropped = members.slice(-2); // posted to last, dropped with the room
    const sender = members[1]!;

    let deletedAt = 0;
    let deletion: Promise<unknown> | undefined;
    onFirstDelivery(first, 'doomed', () => {
      for (const m of dropped) m.client.ws.terminate();
      const keys = members.map((m) => ({ DeleteRequest: { Key: { room: 'doomed', connectionId: m.id } } }));
      const batches = [keys.slice(0, 25), keys.slice(25, 50), keys.slice(50)];
      deletion = Promise.all(
        batches.map((b) => readers.doc.send(new BatchWriteCommand({ RequestItems: { [TABLE_DEFAULT_NAMES.roomMembers]: b } }))),
      ).then(() => (deletedAt = performance.now()));
    });
    sender.client.send({ action: 'sendMessage', room: 'doomed', payload: 'into a room being deleted' });
    const sent = await answer(sender.client, 'sent');
    const ackAt = performance.now();
    await deletion;

    // The room emptied while sendMessage was still running.
    expect(deletedAt).toBeGreaterThan(0);
    expect(deletedAt).toBeLessThan(ackAt);
    // Counted against the members it listed before the deletion; the dropped two came back 410.
    expect(sent).toMatchObject({ type: 'sent', room: 'doomed', recipients: 60, gone: 2 });
    const reached = await settle(async () => members.filter((m) => got(m, sent.messageId)).length, (n) => n === 58, 5_000);
    expect(reached).toBe(58);
    expect(dropped.some((m) => got(m, sent.messageId))).toBe(false);

    // Nothing wrote a member row back; the dropped connections are gone entirely; the live ones
    // keep their connection rows (they are still connected).
    expect(await memberRows(readers.doc, 'doomed')).toEqual([]);
    for (const m of dropped) expect(await rowsOf(readers.doc, m.id)).toEqual({ connection: false, rooms: [] });
    for (const m of [first, sender]) expect(await rowsOf(readers.doc, m.id)).toEqual({ connection: true, rooms: [] });
    const removed = await settle(
      () => emfSum(readers.cw, 'StaleConnectionsRemoved', since - 3_600_000),
      (n) => n >= removedBefore + 2,
    );
    expect(removed - removedBefore).toBe(2);

    // The room is empty now: a member of old is told so, and nothing is posted.
    sender.client.send({ action: 'sendMessage', room: 'doomed', payload: 'anyone?' });
    expect(await answer(sender.client, 'sent')).toMatchObject({ type: 'error', code: 'NOT_A_MEMBER' });
  });
});
