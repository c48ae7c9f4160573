/**
 * broadcast (seed 003's naive scan-everyone variant) against a real dynalite and a real HTTP
 * @connections peer (fixtures.ts); and the server push's posting functions on the same backend,
 * which share its fan-out: the direct push from an EventBridge event, the queued path's worker
 * from an SQS batch (its partial batch response).
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

const chat = useChatBackend(['connect', 'createRoom', 'joinRoom', 'broadcast', 'push', 'pushWorker'], { MAX_PAYLOAD_BYTES: '1000' });

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

describe('server push: the direct push and the queued path\'s worker', () => {
  const pushEvent = (id: string, detail: unknown) =>
    ({ version: '0', id, 'detail-type': 'push', source: 'fanout-bench.push', account: '000000000000', time: new Date().toISOString(), region: 'us-east-1', resources: [], detail }) as never;
  const sqsRecord = (messageId: string, body: string) => ({ messageId, receiptHandle: `rh-${messageId}`, body, attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:fanout-push-queue', awsRegion: 'us-east-1' });

  it("the direct push posts the room's message frame, payload as published, to each member and cleans up a 410; a detail of another shape is dropped", async () => {
    const [a, b, gone] = [newConnectionId(), newConnectionId(), newConnectionId()];
    for (const id of [a, b, gone]) await chat.h.connect(connectEvent(id));
    chat.peer.live.add(a).add(b);
    await chat.h.createRoom(messageEvent(a, 'createRoom', { action: 'createRoom', room: 'p1' }));
    for (const id of [a, b, gone]) await chat.h.joinRoom(messageEvent(id, 'joinRoom', { action: 'joinRoom', room: 'p1' }));
    await chat.h.push(pushEvent('ev-1', { room: 'p1', payload: { probe: 'x' } }));
    const posts = postsOf(chat.peer, 'ev-1');
    expect(posts.map((p) => p.connectionId).sort()).toEqual([a, b, gone].sort());
    expect(JSON.parse(posts[0]!.body)).toEqual({ type: 'message', room: 'p1', from: 'push', name: 'fanout-bench.push', messageId: 'ev-1', serverTime: expect.any(Number), cold: true, payload: { probe: 'x' } });
    expect(await membersOf(chat.dynamo.doc, 'p1')).toEqual([a, b].sort());
    // neither a room's nor everyone's: ignored (resolves, so Lambda does not retry it), nothing posted
    await expect(chat.h.push(pushEvent('ev-2', { room: 'p1', everyone: true, payload: 1 }))).resolves.toBeUndefined();
    expect(postsOf(chat.peer, 'ev-2')).toEqual([]);
  });

  it('the worker posts each message to its ids and returns in batchItemFailures only the message whose posts failed other than with 410', async () => {
    const [ok1, ok2, refused, gone] = [newConnectionId(), newConnectionId(), newConnectionId(), newConnectionId()];
    chat.peer.live.add(ok1).add(ok2);
    chat.peer.forbidden.add(refused);
    const frame = (n: number) => JSON.stringify({ type: 'broadcast', from: 'push', name: 'n', messageId: `w-${n}`, serverTime: 1, cold: false, payload: n });
    const out = await chat.h.pushWorker({
      Records: [
        sqsRecord('m1', JSON.stringify({ frame: frame(1), ids: [ok1, refused] })),
        sqsRecord('m2', JSON.stringify({ frame: frame(2), ids: [ok2, gone] })),
        sqsRecord('m3', 'not a push message'),
      ],
    } as never);
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(postsOf(chat.peer, 'w-1').map((p) => p.connectionId).sort()).toEqual([ok1, refused].sort());
    expect(postsOf(chat.peer, 'w-2').map((p) => p.connectionId).sort()).toEqual([ok2, gone].sort());
  });
});
