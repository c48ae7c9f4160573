/**
 * sendMessage against a real dynalite and a real HTTP @connections peer (fixtures.ts): the SDK
 * management client posts over HTTP exactly as it would to API Gateway, 410s included.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
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
  TABLES,
  useChatBackend,
} from './fixtures.ts';

type Handler = typeof import('../../reference-stack/functions/send-message.ts').handler;

const FANOUT_CONCURRENCY = 4;
const POST_TIMEOUT_MS = 300;
const chat = useChatBackend(['connect', 'setName', 'createRoom', 'joinRoom', 'sendMessage'], {
  FANOUT_CONCURRENCY: String(FANOUT_CONCURRENCY),
  POST_TIMEOUT_MS: String(POST_TIMEOUT_MS),
});

/** Connects `n` live clients (the first named `name`) into a new room; returns their ids. */
async function roomWith(room: string, n: number, name = 'alice'): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newConnectionId());
  for (const [i, id] of ids.entries()) {
    await chat.h.connect(connectEvent(id, i === 0 ? { name } : undefined));
    chat.peer.live.add(id);
  }
  expect(frameOf(await chat.h.createRoom(messageEvent(ids[0], 'createRoom', { action: 'createRoom', room }))).type).toBe('roomCreated');
  for (const id of ids) expect(frameOf(await chat.h.joinRoom(messageEvent(id, 'joinRoom', { action: 'joinRoom', room }))).type).toBe('joined');
  return ids;
}

function send(handler: Handler, from: string, room: string, payload: unknown) {
  return handler(messageEvent(from, 'sendMessage', { action: 'sendMessage', room, payload }));
}

describe('sendMessage', () => {
  it('reports cold true on the first invocation of an environment, then false; ColdStart goes out as EMF', async () => {
    const ids = await roomWith('cold-room', 2);
    vi.resetModules(); // a fresh module graph = a fresh execution environment
    const fresh = (await import('../../reference-stack/functions/send-message.ts')).handler;

    const first = await captureStdout(() => send(fresh, ids[0], 'cold-room', 'first'));
    const second = await captureStdout(() => send(fresh, ids[0], 'cold-room', 'second'));

    const firstPosts = postsOf(chat.peer, frameOf(first.result).messageId);
    const secondPosts = postsOf(chat.peer, frameOf(second.result).messageId);
    expect(firstPosts).toHaveLength(2);
    expect(secondPosts).toHaveLength(2);
    for (const p of firstPosts) expect(JSON.parse(p.body).cold).toBe(true);
    for (const p of secondPosts) expect(JSON.parse(p.body).cold).toBe(false);

    const coldDocs = emfDocuments(first.lines).filter((d) => 'ColdStart' in d);
    expect(coldDocs).toHaveLength(1);
    expect(coldDocs[0]).toMatchObject({ ColdStart: 1, service: 'fanout-chat' });
    expect(coldDocs[0]._aws.CloudWatchMetrics[0].Namespace).toBe('FanoutBench');
    expect(emfDocuments(second.lines).filter((d) => 'ColdStart' in d)).toHaveLength(0);
  });

  it('posts one exact message frame to every member, sender included, and answers sent', async () => {
    const ids = await roomWith('exact', 3, 'alice');
    await send(chat.h.sendMessage, ids[0], 'exact', 'warm-up'); // this environment's first invocation (cold)
    await chat.h.setName(messageEvent(ids[0], 'setName', { action: 'setName', name: 'Alicia' }));
    const postsBefore = chat.peer.posts.length;
    const payload = { clientId: 7, sentAt: 1732170000123.5, text: 'héllo ✓', tags: ['a', 'b'], nested: { deep: [1, { x: null }] } };
    const before = Date.now();
    const { result, lines } = await captureStdout(() => send(chat.h.sendMessage, ids[0], 'exact', payload));
    const after = Date.now();

    expect(result.statusCode).toBe(200);
    const sent = frameOf(result);
    expect(sent).toEqual({ type: 'sent', room: 'exact', messageId: expect.stringMatching(/^[0-9a-f-]{36}$/), recipients: 3, gone: 0 });

    const posts = postsOf(chat.peer, sent.messageId);
    expect(chat.peer.posts.length - postsBefore).toBe(3);
    expect(posts.map((p) => p.connectionId).sort()).toEqual([...ids].sort());
    const bodies = new Set(posts.map((p) => p.body));
    expect(bodies.size).toBe(1); // built once, the same bytes for everyone
    const frame = JSON.parse(posts[0].body) as Record<string, unknown>;
    expect(Object.keys(frame)).toEqual(['type', 'room', 'from', 'name', 'messageId', 'serverTime', 'cold', 'payload']);
    expect(frame).toEqual({
      type: 'message',
      room: 'exact',
      from: ids[0],
      name: 'Alicia',
      messageId: sent.messageId,
      serverTime: expect.any(Number),
      cold: false,
      payload,
    });
    expect(frame.serverTime as number).toBeGreaterThanOrEqual(before);
    expect(frame.serverTime as number).toBeLessThanOrEqual(after);

    // Kept in the room's history under "<serverTime padded to 15>#<messageId>".
    const history = await chat.dynamo.doc.send(
      new QueryCommand({
        TableName: TABLES.messages,
        KeyConditionExpression: 'room = :r AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':r': 'exact', ':p': '0' },
        ConsistentRead: true,
      }),
    );
    expect(history.Items).toHaveLength(2); // the warm-up, then this one (sk sorts by time)
    expect(history.Items?.[1]).toMatchObject({
      sk: `${String(frame.serverTime).padStart(15, '0')}#${String(sent.messageId)}`,
      messageId: sent.messageId,
      from: ids[0],
      name: 'Alicia',
      serverTime: frame.serverTime,
    });
    expect(JSON.parse(history.Items?.[1].payloadJson as string)).toEqual(payload);

    // EMF: the fan-out metrics, flushed at the end of the invocation.
    const doc = emfDocuments(lines).find((d) => 'FanoutDeliveries' in d);
    expect(doc).toBeDefined();
    expect(doc).toMatchObject({ FanoutDeliveries: 3, StaleConnectionsRemoved: 0, FanoutPostErrors: 0, service: 'fanout-chat' });
    expect(typeof doc?.FanoutDurationMs).toBe('number');
    const directive = doc!._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe('FanoutBench');
    expect(directive.Dimensions).toEqual([['service']]);
    expect(directive.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'FanoutDeliveries', Unit: 'Count' },
        { Name: 'StaleConnectionsRemoved', Unit: 'Count' },
        { Name: 'FanoutDurationMs', Unit: 'Milliseconds' },
      ]),
    );
  });

  it.each([
    ['a string', 'just text with "quotes" and \\ backslashes'],
    ['a number', 1234.5678],
    ['zero', 0],
    ['false', false],
    ['null', null],
    ['an array', [1, 'two', { three: 3 }]],
    ['an empty object', {}],
    ['a deeply nested object', { a: { b: { c: { d: { e: { f: [[[{ g: 'deep' }]]] } } } } } }],
    ['a number DynamoDB could not store as a number', 1e300],
  ])('delivers %s payload unchanged', async (_label, payload) => {
    const roomName = `payload-${randomUUID()}`;
    const [first] = await roomWith(roomName, 2);
    const sent = frameOf(await send(chat.h.sendMessage, first, roomName, payload));
    const posts = postsOf(chat.peer, sent.messageId);
    expect(posts).toHaveLength(2);
    for (const p of posts) {
      expect(JSON.parse(p.body).payload).toEqual(payload);
      expect(p.body.endsWith(`"payload":${JSON.stringify(payload)}}`)).toBe(true);
    }
  });

  it('uses "anonymous" for a member whose connection row is missing', async () => {
    const ids = await roomWith('no-row', 1);
    const ghost = newConnectionId();
    chat.peer.live.add(ghost);
    await chat.h.joinRoom(messageEvent(ghost, 'joinRoom', { action: 'joinRoom', room: 'no-row' }));
    const sent = frameOf(await send(chat.h.sendMessage, ghost, 'no-row', 'boo'));
    expect(sent.recipients).toBe(2);
    for (const p of postsOf(chat.peer, sent.messageId)) expect(JSON.parse(p.body).name).toBe('anonymous');
    expect(ids).toHaveLength(1);
  });

  it('refuses a sender who is not a member: NOT_A_MEMBER, nothing posted, nothing stored', async () => {
    await roomWith('members-only', 2);
    const outsider = newConnectionId();
    await chat.h.connect(connectEvent(outsider));
    const postsBefore = chat.peer.posts.length;
    const result = await send(chat.h.sendMessage, outsider, 'members-only', { hi: 1 });
    expect(result.statusCode).toBe(400);
    expect(frameOf(result)).toMatchObject({ type: 'error', code: 'NOT_A_MEMBER', action: 'sendMessage' });
    expect(chat.peer.posts.length).toBe(postsBefore);
    const history = await chat.dynamo.doc.send(
      new QueryCommand({
        TableName: TABLES.messages,
        KeyConditionExpression: 'room = :r AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':r': 'members-only', ':p': '0' },
        ConsistentRead: true,
      }),
    );
    expect(history.Items).toEqual([]);
  });

  it('accepts a payload of exactly MAX_PAYLOAD_BYTES (32768 by default) and refuses one byte more', async () => {
    const ids = await roomWith('big', 1);
    const atLimit = 'x'.repeat(32_768 - 2); // JSON adds the two quotes
    const ok = await send(chat.h.sendMessage, ids[0], 'big', atLimit);
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(postsOf(chat.peer, frameOf(ok).messageId)[0].body).payload).toBe(atLimit);

    const postsBefore = chat.peer.posts.length;
    const tooBig = await send(chat.h.sendMessage, ids[0], 'big', `${atLimit}x`);
    expect(tooBig.statusCode).toBe(400);
    expect(frameOf(tooBig)).toMatchObject({ type: 'error', code: 'PAYLOAD_TOO_LARGE', action: 'sendMessage', message: expect.stringContaining('32769') });
    expect(chat.peer.posts.length).toBe(postsBefore);
  });

  it('answers BAD_REQUEST for a missing payload or a bad room', async () => {
    const id = newConnectionId();
    const noPayload = await chat.h.sendMessage(messageEvent(id, 'sendMessage', { action: 'sendMessage', room: 'r1' }));
    expect(frameOf(noPayload)).toMatchObject({ code: 'BAD_REQUEST', action: 'sendMessage', message: expect.stringMatching(/^payload: /) });
    const badRoom = await chat.h.sendMessage(messageEvent(id, 'sendMessage', { action: 'sendMessage', room: '', payload: 1 }));
    expect(frameOf(badRoom)).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^room: /) });
  });

  it('on 410 Gone removes the stale connection row and its memberships in every room, and counts them', async () => {
    const [sender, live] = await roomWith('stale', 2);
    await chat.h.createRoom(messageEvent(sender, 'createRoom', { action: 'createRoom', room: 'stale-elsewhere' }));
    await chat.h.joinRoom(messageEvent(live, 'joinRoom', { action: 'joinRoom', room: 'stale-elsewhere' }));
    const stale = [newConnectionId(), newConnectionId()];
    for (const id of stale) {
      await chat.h.connect(connectEvent(id)); // connected, joined, then vanished without $disconnect
      await chat.h.joinRoom(messageEvent(id, 'joinRoom', { action: 'joinRoom', room: 'stale' }));
      await chat.h.joinRoom(messageEvent(id, 'joinRoom', { action: 'joinRoom', room: 'stale-elsewhere' }));
    }
    const { result, lines } = await captureStdout(() => send(chat.h.sendMessage, sender, 'stale', { n: 1 }));
    const sent = frameOf(result);
    expect(sent).toMatchObject({ type: 'sent', room: 'stale', recipients: 4, gone: 2 });
    expect(postsOf(chat.peer, sent.messageId).map((p) => p.connectionId).sort()).toEqual([sender, live, ...stale].sort());

    expect(await membersOf(chat.dynamo.doc, 'stale')).toEqual([sender, live].sort());
    // Their memberships elsewhere went too: a room with no traffic would otherwise keep them forever.
    expect(await membersOf(chat.dynamo.doc, 'stale-elsewhere')).toEqual([live]);
    for (const id of stale) expect(await getRow(chat.dynamo.doc, TABLES.connections, { connectionId: id })).toBeUndefined();
    for (const id of [sender, live]) expect(await getRow(chat.dynamo.doc, TABLES.connections, { connectionId: id })).toBeDefined();
    expect(emfDocuments(lines).find((d) => 'FanoutDeliveries' in d)).toMatchObject({ FanoutDeliveries: 2, StaleConnectionsRemoved: 2 });

    // Cleaned up: the next message reaches only the live members.
    expect(frameOf(await send(chat.h.sendMessage, sender, 'stale', { n: 2 }))).toMatchObject({ recipients: 2, gone: 0 });
  });

  it('counts other post errors without throwing or deleting anything', async () => {
    const [sender, blocked] = await roomWith('forbidden', 2);
    chat.peer.forbidden.add(blocked);
    try {
      const { result, lines, stderr } = await captureStdout(() => send(chat.h.sendMessage, sender, 'forbidden', 'x'));
      expect(result.statusCode).toBe(200);
      expect(frameOf(result)).toMatchObject({ recipients: 2, gone: 0 });
      expect(emfDocuments(lines).find((d) => 'FanoutDeliveries' in d)).toMatchObject({ FanoutDeliveries: 1, FanoutPostErrors: 1 });
      const warning = stderr.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'posts to connections failed');
      expect(warning).toMatchObject({ level: 'WARN', service: 'fanout-chat', failed: 1, recipients: 2 });
      expect(await membersOf(chat.dynamo.doc, 'forbidden')).toEqual([sender, blocked].sort());
    } finally {
      chat.peer.forbidden.delete(blocked);
    }
  });

  it('aborts a post that never answers after POST_TIMEOUT_MS, counts it as a timeout, and deletes nothing', async () => {
    const [sender, stuck, other] = await roomWith('stuck', 3);
    chat.peer.stalled.add(stuck);
    try {
      const started = performance.now();
      const { result, lines, stderr } = await captureStdout(() => send(chat.h.sendMessage, sender, 'stuck', 'x'));
      // Bounded by the abort, not by the post (which never answers at all).
      expect(performance.now() - started).toBeGreaterThanOrEqual(POST_TIMEOUT_MS - 5);
      expect(frameOf(result)).toMatchObject({ recipients: 3, gone: 0 });
      expect(postsOf(chat.peer, frameOf(result).messageId).map((p) => p.connectionId).sort()).toEqual([sender, stuck, other].sort());
      expect(emfDocuments(lines).find((d) => 'FanoutDeliveries' in d)).toMatchObject({
        FanoutDeliveries: 2,
        FanoutPostTimeouts: 1,
        FanoutPostErrors: 0,
        StaleConnectionsRemoved: 0,
      });
      const warning = stderr.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'posts to connections timed out');
      expect(warning).toMatchObject({ level: 'WARN', timedOut: 1, recipients: 3, postTimeoutMs: POST_TIMEOUT_MS });
      // A timeout says nothing about the connection: its rows stay.
      expect(await membersOf(chat.dynamo.doc, 'stuck')).toEqual([sender, stuck, other].sort());
    } finally {
      chat.peer.stalled.delete(stuck);
    }
  });

  it('posts to every member of a larger room with at most FANOUT_CONCURRENCY posts in flight', async () => {
    const ids = await roomWith('wide', 40);
    chat.peer.delayMs = 50; // hold answers so posts overlap
    chat.peer.maxInFlight = 0;
    try {
      const sent = frameOf(await send(chat.h.sendMessage, ids[5], 'wide', { wide: true }));
      expect(sent).toMatchObject({ recipients: 40, gone: 0 });
      expect(new Set(postsOf(chat.peer, sent.messageId).map((p) => p.connectionId))).toEqual(new Set(ids));
      expect(chat.peer.maxInFlight).toBeLessThanOrEqual(FANOUT_CONCURRENCY);
      expect(chat.peer.maxInFlight).toBeGreaterThan(1); // concurrent, not one by one
    } finally {
      chat.peer.delayMs = 0;
    }
  });
});
