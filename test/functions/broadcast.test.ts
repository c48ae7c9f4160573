/**
 * broadcast (seed 003's naive scan-everyone variant) against a real dynalite and a real HTTP
 * @connections peer (fixtures.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  captureStdout,
  connectEvent,
  emfDocuments,
  frameOf,
  getRow,
  membersOf,
  messageEvent,
  newConnectionId,
  postsOf,
  scanAll,
  TABLES,
  useChatBackend,
} from './fixtures.ts';

const chat = useChatBackend(['connect', 'createRoom', 'joinRoom', 'broadcast'], { MAX_PAYLOAD_BYTES: '1000' });

const broadcast = (from: string, body: unknown) => chat.h.broadcast(messageEvent(from, 'broadcast', body));

describe('broadcast', () => {
  it('scans every connection, posts the broadcast frame to each, and cleans up 410s with their memberships', async () => {
    const live = Array.from({ length: 6 }, () => newConnectionId());
    for (const [i, id] of live.entries()) {
      await chat.h.connect(connectEvent(id, i === 0 ? { name: 'caster' } : undefined));
      chat.peer.live.add(id);
    }
    const stale = [newConnectionId(), newConnectionId()];
    await chat.h.createRoom(messageEvent(live[0], 'createRoom', { action: 'createRoom', room: 'b1' }));
    await chat.h.createRoom(messageEvent(live[0], 'createRoom', { action: 'createRoom', room: 'b2' }));
    for (const id of stale) {
      await chat.h.connect(connectEvent(id)); // never added to the peer: posting to it answers 410
      for (const room of ['b1', 'b2']) await chat.h.joinRoom(messageEvent(id, 'joinRoom', { action: 'joinRoom', room }));
    }
    await chat.h.joinRoom(messageEvent(live[1], 'joinRoom', { action: 'joinRoom', room: 'b1' }));

    const payload = { announcement: 'hello everyone', at: [1, 2, 3] };
    const before = Date.now();
    const { result, lines } = await captureStdout(() => broadcast(live[2], { action: 'broadcast', payload }));
    expect(result.statusCode).toBe(200);
    const sent = frameOf(result);
    expect(Object.keys(sent)).toEqual(['type', 'messageId', 'recipients', 'gone']);
    expect(sent).toEqual({ type: 'sent', messageId: expect.stringMatching(/^[0-9a-f-]{36}$/), recipients: 8, gone: 2 });

    const posts = postsOf(chat.peer, sent.messageId);
    expect(posts.map((p) => p.connectionId).sort()).toEqual([...live, ...stale].sort());
    const frame = JSON.parse(posts[0].body) as Record<string, unknown>;
    expect(Object.keys(frame)).toEqual(['type', 'from', 'name', 'messageId', 'serverTime', 'cold', 'payload']);
    expect(frame).toEqual({
      type: 'broadcast',
      from: live[2],
      name: 'anonymous',
      messageId: sent.messageId,
      serverTime: expect.any(Number),
      cold: true, // this environment's first broadcast
      payload,
    });
    expect(frame.serverTime as number).toBeGreaterThanOrEqual(before);

    for (const id of stale) expect(await getRow(chat.dynamo.doc, TABLES.connections, { connectionId: id })).toBeUndefined();
    expect(await membersOf(chat.dynamo.doc, 'b1')).toEqual([live[1]]);
    expect(await membersOf(chat.dynamo.doc, 'b2')).toEqual([]);
    expect((await scanAll(chat.dynamo.doc, TABLES.connections)).map((r) => r.connectionId).sort()).toEqual([...live].sort());
    expect(emfDocuments(lines).find((d) => 'FanoutDeliveries' in d)).toMatchObject({ FanoutDeliveries: 6, StaleConnectionsRemoved: 2 });

    // The sender's name comes from the same Scan; the second broadcast is warm.
    const again = frameOf(await broadcast(live[0], { action: 'broadcast', payload: 'x' }));
    expect(again).toMatchObject({ recipients: 6, gone: 0 });
    const second = JSON.parse(postsOf(chat.peer, again.messageId)[0].body) as Record<string, unknown>;
    expect(second).toMatchObject({ name: 'caster', cold: false, payload: 'x' });
  });

  it('refuses a payload over MAX_PAYLOAD_BYTES, posting nothing', async () => {
    const id = newConnectionId();
    const postsBefore = chat.peer.posts.length;
    const result = await broadcast(id, { action: 'broadcast', payload: 'y'.repeat(1000) });
    expect(result.statusCode).toBe(400);
    expect(frameOf(result)).toMatchObject({ type: 'error', code: 'PAYLOAD_TOO_LARGE', action: 'broadcast', message: expect.stringContaining('1002 bytes') });
    expect(chat.peer.posts.length).toBe(postsBefore);
  });

  it('answers BAD_REQUEST without a payload', async () => {
    const result = await broadcast(newConnectionId(), { action: 'broadcast' });
    expect(result.statusCode).toBe(400);
    expect(frameOf(result)).toMatchObject({ type: 'error', code: 'BAD_REQUEST', action: 'broadcast', message: expect.stringMatching(/^payload: /) });
  });
});
