import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Hub } from './hub.ts';
import type { Member } from './local-rooms.ts';

/**
 * One process's WebSocket endpoint speaking the chat protocol v1 (docs/design.md): createRoom, joinRoom,
 * leaveRoom, setName, whoami, sendMessage → a message frame to every member (the sender too) and
 * a `sent` ack with recipients and gone. No Lambda, no DynamoDB: a floor to compare stacks with,
 * and a target for the harness's own tests.
 */
export interface ChatNodeOptions {
  /** share of closed sockets whose membership is kept, as if $disconnect were lost (0..1) */
  lostDisconnectShare?: number;
  /** joinRoom creates a room that does not exist (a protocol without createRoom: bench/harness-capacity --protocol described) */
  createOnJoin?: boolean;
  /** prefix of connection ids, unique per process */
  idPrefix?: string;
}

const ROOM = /^[A-Za-z0-9_.:-]{1,128}$/;

interface Conn extends Member {
  name: string;
}

export function attachChatNode(wss: WebSocketServer, hub: Hub, opts: ChatNodeOptions = {}): void {
  let seq = 0;
  const prefix = opts.idPrefix ?? 'c';
  wss.on('connection', (ws: WebSocket) => {
    const conn: Conn = { id: `${prefix}${(seq++).toString(36)}`, ws, rooms: new Set(), name: 'anonymous' };
    ws.on('message', (data: Buffer) => void onMessage(conn, data.toString('utf8')).catch(() => {}));
    ws.on('error', () => {});
    ws.on('close', () => {
      const lost = Math.random() < (opts.lostDisconnectShare ?? 0);
      if (lost) {
        conn.ws = null; // stays listed: the next fan-out finds it gone
        return;
      }
      for (const room of [...conn.rooms]) {
        hub.rooms.remove(room, conn);
        hub.leave(room);
      }
    });
  });

  const reply = (conn: Conn, body: unknown) => conn.ws?.send(JSON.stringify(body));
  const fail = (conn: Conn, code: string, message: string, action?: string) =>
    reply(conn, action ? { type: 'error', code, message, action } : { type: 'error', code, message });

  async function onMessage(conn: Conn, text: string): Promise<void> {
    let req: Record<string, unknown>;
    try {
      req = JSON.parse(text);
      if (typeof req !== 'object' || req === null) throw new Error('not an object');
    } catch {
      return fail(conn, 'UNKNOWN_ACTION', 'not JSON');
    }
    const action = String(req.action ?? '');
    const room = typeof req.room === 'string' ? req.room : '';
    const needRoom = () => {
      if (ROOM.test(room)) return true;
      fail(conn, 'BAD_REQUEST', 'room: must be 1-128 characters of A-Z a-z 0-9 _ . : -', action);
      return false;
    };
    switch (action) {
      case 'setName':
        conn.name = String(req.name ?? 'anonymous').slice(0, 64);
        return reply(conn, { type: 'name', name: conn.name });
      case 'whoami':
        return reply(conn, { type: 'whoami', connectionId: conn.id });
      case 'createRoom':
        if (!needRoom()) return;
        await hub.createRoom(room);
        return reply(conn, { type: 'roomCreated', room });
      case 'joinRoom': {
        if (!needRoom()) return;
        if (conn.rooms.has(room)) return reply(conn, { type: 'joined', room, members: await hub.members(room) });
        if (opts.createOnJoin) await hub.createRoom(room);
        hub.rooms.add(room, conn);
        const members = await hub.join(room);
        if (members < 0) {
          hub.rooms.remove(room, conn);
          return fail(conn, 'NO_SUCH_ROOM', `room "${room}" does not exist; createRoom first`, action);
        }
        return reply(conn, { type: 'joined', room, members });
      }
      case 'leaveRoom':
        if (!needRoom()) return;
        if (conn.rooms.has(room)) {
          hub.rooms.remove(room, conn);
          hub.leave(room);
        }
        return reply(conn, { type: 'left', room });
      case 'sendMessage': {
        if (!needRoom()) return;
        if (!conn.rooms.has(room)) return fail(conn, 'NOT_A_MEMBER', `not a member of room "${room}"; joinRoom first`, action);
        if (req.payload === undefined) return fail(conn, 'BAD_REQUEST', 'payload: is required (any JSON value)', action);
        const messageId = randomUUID();
        const frame = JSON.stringify({
          type: 'message',
          room,
          from: conn.id,
          name: conn.name,
          messageId,
          serverTime: Date.now(),
          cold: false,
          payload: req.payload,
        });
        const { recipients, gone } = await hub.fanOut(room, frame);
        return reply(conn, { type: 'sent', room, messageId, recipients, gone });
      }
      default:
        return fail(conn, 'UNKNOWN_ACTION', `unknown action "${action}"`);
    }
  }
}
