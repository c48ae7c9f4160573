import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A tiny chat-protocol-v1 peer on 127.0.0.1 for harness tests that need a target misbehaving in
 * one specific way (skipping a member, dying mid-run) or counting what the harness asked of it.
 * Rooms must be created before they are joined, as on the reference stack.
 */
export interface Script {
  /** the room members a sendMessage from `sender` reaches, in join order (default: all of them) */
  deliverTo?: (members: readonly WebSocket[], sender: WebSocket) => readonly WebSocket[];
  /** called on every sendMessage before it is answered */
  onSend?: () => void;
  /** answer `sent` at once and post the message to the members this much later (an asynchronous fan-out) */
  deliverAfterMs?: number;
  /**
   * members the server closes (1001, as API Gateway closes a connection at its lifetime) before
   * it posts the message, so they cannot receive it; their clients may reconnect and re-join. The
   * message is posted and answered once each close is complete (the client has read it and
   * answered), so the clients know of the close before they read the answer, however busy the host.
   */
  closeOnSend?: (members: readonly WebSocket[], sender: WebSocket) => readonly WebSocket[];
  /** the HTTP status that refuses the n-th handshake (0-based, in arrival order), or undefined to accept it */
  refuseHandshake?: (n: number) => number | undefined;
}

export interface ScriptedChatServer {
  url: string;
  /** createRoom requests per room */
  creates: Map<string, number>;
  /** joinRoom requests answered `joined`, re-joins after a reconnect included */
  joins(): number;
  /** connections closed by `closeOnSend` */
  closedOnSend(): number;
  /** joinRoom requests refused because their room did not exist yet */
  earlyJoins(): number;
  /** drops every socket and stops listening (idempotent) */
  kill(): void;
  killed(): boolean;
  close(): Promise<void>;
}

export async function startScriptedChatServer(script: Script = {}): Promise<ScriptedChatServer> {
  let handshakes = 0;
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (_info, done) => {
      const status = script.refuseHandshake?.(handshakes++);
      if (status === undefined) done(true);
      else done(false, status);
    },
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const creates = new Map<string, number>();
  const rooms = new Map<string, WebSocket[]>();
  let early = 0;
  let joins = 0;
  let closedOnSend = 0;
  let dead = false;
  let inOrder = Promise.resolve();
  const closed = new Promise<void>((resolve) => wss.once('close', () => resolve()));
  const timers = new Set<NodeJS.Timeout>();
  const kill = () => {
    if (dead) return;
    dead = true;
    for (const t of timers) clearTimeout(t);
    for (const c of wss.clients) c.terminate();
    wss.close();
  };

  wss.on('connection', (ws) => {
    // a closed connection leaves its rooms, as the stack deletes it on $disconnect
    ws.on('close', () => {
      for (const members of rooms.values()) if (members.includes(ws)) members.splice(members.indexOf(ws), 1);
    });
    // frames are handled one after another, in arrival order, even where one waits for a close
    ws.on('message', (data: Buffer) => {
      inOrder = inOrder.then(() => handle(ws, data)).catch(() => ws.terminate());
    });
  });

  const handle = async (ws: WebSocket, data: Buffer): Promise<void> => {
    const req = JSON.parse(data.toString('utf8')) as { action: string; room: string; payload?: unknown };
    const members = rooms.get(req.room);
    if (req.action === 'createRoom') {
      creates.set(req.room, (creates.get(req.room) ?? 0) + 1);
      if (!members) rooms.set(req.room, []);
      ws.send(JSON.stringify({ type: 'roomCreated', room: req.room }));
    } else if (!members) {
      if (req.action === 'joinRoom') early++;
      ws.send(JSON.stringify({ type: 'error', code: 'NO_SUCH_ROOM', message: 'createRoom first', action: req.action }));
    } else if (req.action === 'joinRoom') {
      if (!members.includes(ws)) members.push(ws);
      joins++;
      ws.send(JSON.stringify({ type: 'joined', room: req.room, members: members.length }));
    } else if (req.action === 'sendMessage') {
      script.onSend?.();
      const closing = (script.closeOnSend?.(members, ws) ?? []).filter((m) => m.readyState === m.OPEN);
      for (const m of closing) {
        m.close(1001, 'Going away');
        closedOnSend++;
      }
      await Promise.all(closing.map((m) => new Promise((resolve) => (m.readyState === m.CLOSED ? resolve(undefined) : m.once('close', resolve)))));
      if (dead) return;
      const messageId = randomUUID();
      const frame = JSON.stringify({ type: 'message', room: req.room, messageId, cold: false, payload: req.payload });
      const posted = script.deliverTo ? script.deliverTo(members, ws) : [...members];
      // a member closed and not yet gone from the room is posted to in vain, as @connections answers 410
      const gone = posted.filter((m) => m.readyState !== m.OPEN).length;
      const post = () => {
        for (const m of posted) if (m.readyState === m.OPEN) m.send(frame);
      };
      if (script.deliverAfterMs === undefined) post();
      else {
        const t = setTimeout(() => {
          timers.delete(t);
          post();
        }, script.deliverAfterMs);
        timers.add(t);
      }
      ws.send(JSON.stringify({ type: 'sent', room: req.room, messageId, recipients: posted.length, gone }));
    }
  };

  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    creates,
    earlyJoins: () => early,
    joins: () => joins,
    closedOnSend: () => closedOnSend,
    kill,
    killed: () => dead,
    close: async () => {
      kill();
      await closed;
    },
  };
}
