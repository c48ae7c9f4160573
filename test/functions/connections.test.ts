/**
 * $connect, $disconnect, setName, whoami and $default, called in-process with API Gateway-shaped
 * events against a real dynalite (the full flow through the emulator is tested in test/e2e).
 */
import { describe, expect, it } from 'vitest';
import {
  connectEvent,
  disconnectEvent,
  frameOf,
  getRow,
  membersOf,
  messageEvent,
  newConnectionId,
  TABLES,
  useChatBackend,
} from './fixtures.ts';

const chat = useChatBackend(['connect', 'disconnect', 'setName', 'whoami', 'fallback', 'createRoom', 'joinRoom']);

describe('$connect', () => {
  it('stores the connection with connectedAt and the default name', async () => {
    const id = newConnectionId();
    const event = connectEvent(id);
    expect(await chat.h.connect(event)).toEqual({ statusCode: 200 });
    expect(await getRow(chat.dynamo.doc, TABLES.connections, { connectionId: id })).toEqual({
      connectionId: id,
      connectedAt: event.requestContext.connectedAt,
      name: 'anonymous',
    });
  });

  it('takes the name from the query string', async () => {
    const id = newConnectionId();
    await chat.h.connect(connectEvent(id, { name: 'alice' }));
    expect((await getRow(chat.dynamo.doc, TABLES.connections, { connectionId: id }))?.name).toBe('alice');
  });

  it('answers a client that offered the cold/warm subprotocols with the one that says how it ran, and no other client', async () => {
    await chat.h.connect(connectEvent(newConnectionId())); // this module's environment is warm from here on
    const offer = { 'sec-websocket-protocol': 'fanout-bench.cold, fanout-bench.warm' };
    expect(await chat.h.connect(connectEvent(newConnectionId(), undefined, offer))).toEqual({
      statusCode: 200,
      headers: { 'Sec-WebSocket-Protocol': 'fanout-bench.warm' },
    });
    // a subprotocol of someone else's: $connect selects none (none of its own was asked for)
    expect(await chat.h.connect(connectEvent(newConnectionId(), undefined, { 'Sec-WebSocket-Protocol': 'chat.v2' }))).toEqual({ statusCode: 200 });
  });

  it('refuses the handshake with 400 for a name over 64 characters, storing nothing', async () => {
    const id = newConnectionId();
    expect(await chat.h.connect(connectEvent(id, { name: 'x'.repeat(65) }))).toEqual({ statusCode: 400 });
    expect(await getRow(chat.dynamo.doc, TABLES.connections, { connectionId: id })).toBeUndefined();
  });
});

describe('$disconnect', () => {
  it('removes the connection row and every membership, and nobody else’s', async () => {
    const leaving = newConnectionId();
    const staying = newConnectionId();
    await chat.h.connect(connectEvent(leaving));
    await chat.h.connect(connectEvent(staying));
    for (const room of ['d-room-1', 'd-room-2', 'd-room-3']) {
      await chat.h.createRoom(messageEvent(leaving, 'createRoom', { action: 'createRoom', room }));
      expect(frameOf(await chat.h.joinRoom(messageEvent(leaving, 'joinRoom', { action: 'joinRoom', room }))).type).toBe('joined');
    }
    await chat.h.joinRoom(messageEvent(staying, 'joinRoom', { action: 'joinRoom', room: 'd-room-1' }));

    expect(await chat.h.disconnect(disconnectEvent(leaving))).toEqual({ statusCode: 200 });

    expect(await getRow(chat.dynamo.doc, TABLES.connections, { connectionId: leaving })).toBeUndefined();
    expect(await membersOf(chat.dynamo.doc, 'd-room-1')).toEqual([staying]);
    expect(await membersOf(chat.dynamo.doc, 'd-room-2')).toEqual([]);
    expect(await membersOf(chat.dynamo.doc, 'd-room-3')).toEqual([]);
    expect(await getRow(chat.dynamo.doc, TABLES.connections, { connectionId: staying })).toBeDefined();
  });

  it('removes memberships beyond one 25-row batch', async () => {
    const id = newConnectionId();
    await chat.h.connect(connectEvent(id));
    const rooms = Array.from({ length: 30 }, (_, i) => `many-${i}`);
    for (const room of rooms) {
      await chat.h.createRoom(messageEvent(id, 'createRoom', { action: 'createRoom', room }));
      await chat.h.joinRoom(messageEvent(id, 'joinRoom', { action: 'joinRoom', room }));
    }
    await chat.h.disconnect(disconnectEvent(id));
    for (const room of rooms) expect(await membersOf(chat.dynamo.doc, room)).toEqual([]);
  });

  it('succeeds for a connection that has no rows', async () => {
    expect(await chat.h.disconnect(disconnectEvent(newConnectionId()))).toEqual({ statusCode: 200 });
  });
});

describe('setName', () => {
  it('updates the stored name and answers the name frame', async () => {
    const id = newConnectionId();
    await chat.h.connect(connectEvent(id));
    const result = await chat.h.setName(messageEvent(id, 'setName', { action: 'setName', name: 'bob' }));
    expect(result.statusCode).toBe(200);
    expect(frameOf(result)).toEqual({ type: 'name', name: 'bob' });
    const row = await getRow(chat.dynamo.doc, TABLES.connections, { connectionId: id });
    expect(row?.name).toBe('bob');
    expect(typeof row?.connectedAt).toBe('number');
  });

  it.each([
    ['missing', { action: 'setName' }, /^name: is required/],
    ['empty', { action: 'setName', name: '' }, /^name: must not be empty/],
    ['too long', { action: 'setName', name: 'n'.repeat(65) }, /^name: must be at most 64 characters/],
    ['not a string', { action: 'setName', name: 42 }, /^name: is required \(a string\)/],
  ])('refuses a %s name with BAD_REQUEST and keeps the old one', async (_label, body, message) => {
    const id = newConnectionId();
    await chat.h.connect(connectEvent(id, { name: 'carol' }));
    const result = await chat.h.setName(messageEvent(id, 'setName', body));
    expect(result.statusCode).toBe(400);
    const frame = frameOf(result);
    expect(frame).toMatchObject({ type: 'error', code: 'BAD_REQUEST', action: 'setName' });
    expect(frame.message).toMatch(message);
    expect((await getRow(chat.dynamo.doc, TABLES.connections, { connectionId: id }))?.name).toBe('carol');
  });

  it('accepts exactly 64 characters', async () => {
    const id = newConnectionId();
    const name = 'é'.repeat(64);
    expect(frameOf(await chat.h.setName(messageEvent(id, 'setName', { action: 'setName', name })))).toEqual({ type: 'name', name });
  });
});

describe('whoami', () => {
  it('answers the caller’s own connection id', async () => {
    const id = newConnectionId();
    const result = await chat.h.whoami(messageEvent(id, 'whoami', { action: 'whoami' }));
    expect(result.statusCode).toBe(200);
    expect(frameOf(result)).toEqual({ type: 'whoami', connectionId: id });
  });
});

describe('$default', () => {
  const id = newConnectionId();

  it('answers UNKNOWN_ACTION without an action for a non-JSON body', async () => {
    const result = await chat.h.fallback(messageEvent(id, '$default', 'hello there'));
    expect(result.statusCode).toBe(400);
    const frame = frameOf(result);
    expect(frame).toMatchObject({ type: 'error', code: 'UNKNOWN_ACTION' });
    expect(frame).not.toHaveProperty('action');
    expect(frame.message).toContain('not JSON');
  });

  it('answers UNKNOWN_ACTION naming the unknown action', async () => {
    const frame = frameOf(await chat.h.fallback(messageEvent(id, '$default', { action: 'dance', room: 'r1' })));
    expect(frame).toEqual({
      type: 'error',
      code: 'UNKNOWN_ACTION',
      message: expect.stringContaining('unknown action "dance"'),
      action: 'dance',
    });
  });

  it.each([
    ['no action', { room: 'r1' }],
    ['a null action', { action: null }],
    ['a JSON array', [1, 2]],
    ['a JSON string', '"sendMessage"'],
  ])('answers BAD_REQUEST for %s', async (_label, body) => {
    const result = await chat.h.fallback(messageEvent(id, '$default', body));
    expect(result.statusCode).toBe(400);
    expect(frameOf(result)).toMatchObject({ type: 'error', code: 'BAD_REQUEST', message: expect.stringMatching(/^action: is required/) });
  });

  it.each([
    ['a number', 7, 'a number'],
    ['a boolean', true, 'a boolean'],
    ['an object', { name: 'sendMessage' }, 'an object'],
    ['an array', ['sendMessage'], 'an array'],
  ])('answers BAD_REQUEST for a non-string action: %s (API Gateway routes 7 as "7", the protocol wants a string)', async (_label, action, kind) => {
    const result = await chat.h.fallback(messageEvent(id, '$default', { action }));
    expect(result.statusCode).toBe(400);
    const frame = frameOf(result);
    expect(frame).toEqual({ type: 'error', code: 'BAD_REQUEST', message: expect.stringMatching(new RegExp(`^action: must be a string .*got ${kind}$`)) });
  });

  it('decodes a base64-encoded body', async () => {
    const event = messageEvent(id, '$default', { action: 'fly' });
    event.body = Buffer.from(event.body ?? '').toString('base64');
    event.isBase64Encoded = true;
    expect(frameOf(await chat.h.fallback(event))).toMatchObject({ code: 'UNKNOWN_ACTION', action: 'fly' });
  });
});
