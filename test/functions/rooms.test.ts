/**
 * createRoom, joinRoom and leaveRoom against a real dynalite, handlers called in-process with
 * API Gateway-shaped events.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  connectEvent,
  frameOf,
  getRow,
  membersOf,
  messageEvent,
  newConnectionId,
  TABLES,
  useChatBackend,
} from './fixtures.ts';

const chat = useChatBackend(['connect', 'createRoom', 'joinRoom', 'leaveRoom']);

const create = (id: string, room: unknown) => chat.h.createRoom(messageEvent(id, 'createRoom', { action: 'createRoom', room }));
const join = (id: string, room: unknown) => chat.h.joinRoom(messageEvent(id, 'joinRoom', { action: 'joinRoom', room }));
const leave = (id: string, room: unknown) => chat.h.leaveRoom(messageEvent(id, 'leaveRoom', { action: 'leaveRoom', room }));

describe('createRoom', () => {
  it('writes the room metadata item and is idempotent', async () => {
    const alice = newConnectionId();
    const bob = newConnectionId();
    const first = await create(alice, 'lobby');
    expect(first.statusCode).toBe(200);
    expect(frameOf(first)).toEqual({ type: 'roomCreated', room: 'lobby' });
    const meta = await getRow(chat.dynamo.doc, TABLES.messages, { room: 'lobby', sk: '#room' });
    expect(meta).toMatchObject({ room: 'lobby', sk: '#room', createdBy: alice });

    const again = await create(bob, 'lobby');
    expect(again.statusCode).toBe(200);
    expect(frameOf(again)).toEqual({ type: 'roomCreated', room: 'lobby' });
    // The first creation stands.
    expect((await getRow(chat.dynamo.doc, TABLES.messages, { room: 'lobby', sk: '#room' }))?.createdBy).toBe(alice);
  });

  it('accepts every allowed character and 128 characters', async () => {
    for (const room of ['A-z_0.9:x', 'r'.repeat(128)]) expect(frameOf(await create(newConnectionId(), room))).toEqual({ type: 'roomCreated', room });
  });

  it.each([
    ['empty', ''],
    ['too long', 'r'.repeat(129)],
    ['with a space', 'my room'],
    ['with a slash', 'a/b'],
    ['not a string', 12],
    ['missing', undefined],
  ])('refuses a room name that is %s with BAD_REQUEST naming the field', async (_label, room) => {
    const result = await create(newConnectionId(), room);
    expect(result.statusCode).toBe(400);
    expect(frameOf(result)).toMatchObject({ type: 'error', code: 'BAD_REQUEST', action: 'createRoom', message: expect.stringMatching(/^room: /) });
  });
});

describe('joinRoom', () => {
  it('answers NO_SUCH_ROOM for a room never created, adding no member', async () => {
    const id = newConnectionId();
    const result = await join(id, 'nowhere');
    expect(result.statusCode).toBe(400);
    expect(frameOf(result)).toMatchObject({ type: 'error', code: 'NO_SUCH_ROOM', action: 'joinRoom' });
    expect(await membersOf(chat.dynamo.doc, 'nowhere')).toEqual([]);
  });

  it('remembers a room it found (rooms are never deleted) but not one it did not', async () => {
    const [a, b, c] = [newConnectionId(), newConnectionId(), newConnectionId()];
    expect(frameOf(await join(a, 'later'))).toMatchObject({ code: 'NO_SUCH_ROOM' }); // not remembered as missing
    await create(a, 'later');
    expect(frameOf(await join(a, 'later'))).toMatchObject({ type: 'joined', members: 1 });
    // Take the metadata item away behind the environment's back: a second join no longer reads it.
    await chat.dynamo.doc.send(new DeleteCommand({ TableName: TABLES.messages, Key: { room: 'later', sk: '#room' } }));
    expect(frameOf(await join(b, 'later'))).toMatchObject({ type: 'joined', members: 2 });
    expect(frameOf(await join(c, 'never-created'))).toMatchObject({ code: 'NO_SUCH_ROOM' });
  });

  it('counts the members after the join and is idempotent', async () => {
    const ids = [newConnectionId(), newConnectionId(), newConnectionId()];
    for (const id of ids) await chat.h.connect(connectEvent(id));
    await create(ids[0], 'count-me');
    expect(frameOf(await join(ids[0], 'count-me'))).toEqual({ type: 'joined', room: 'count-me', members: 1 });
    expect(frameOf(await join(ids[1], 'count-me'))).toEqual({ type: 'joined', room: 'count-me', members: 2 });
    expect(frameOf(await join(ids[1], 'count-me'))).toEqual({ type: 'joined', room: 'count-me', members: 2 });
    expect(frameOf(await join(ids[2], 'count-me'))).toEqual({ type: 'joined', room: 'count-me', members: 3 });
    expect(await membersOf(chat.dynamo.doc, 'count-me')).toEqual([...ids].sort());
  });

  it('refuses a bad room name with BAD_REQUEST', async () => {
    expect(frameOf(await join(newConnectionId(), 'no spaces'))).toMatchObject({ code: 'BAD_REQUEST', action: 'joinRoom' });
  });
});

describe('leaveRoom', () => {
  it('answers NOT_A_MEMBER for a room the caller is not in', async () => {
    const id = newConnectionId();
    await create(id, 'leave-test');
    const result = await leave(id, 'leave-test');
    expect(result.statusCode).toBe(400);
    expect(frameOf(result)).toMatchObject({ type: 'error', code: 'NOT_A_MEMBER', action: 'leaveRoom' });
  });

  it('removes the membership, then answers NOT_A_MEMBER the second time', async () => {
    const a = newConnectionId();
    const b = newConnectionId();
    await create(a, 'leave-twice');
    await join(a, 'leave-twice');
    await join(b, 'leave-twice');
    expect(frameOf(await leave(a, 'leave-twice'))).toEqual({ type: 'left', room: 'leave-twice' });
    expect(await membersOf(chat.dynamo.doc, 'leave-twice')).toEqual([b]);
    expect(frameOf(await leave(a, 'leave-twice'))).toMatchObject({ code: 'NOT_A_MEMBER' });
    expect(frameOf(await join(a, 'leave-twice'))).toEqual({ type: 'joined', room: 'leave-twice', members: 2 });
  });
});
