import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GoneCause, GoneConnection, GoneConnections } from '../../common/gone-connections.ts';
import type { Connection } from './connection.ts';
import { answerRecord, BAD_SINCE, sinceOf } from './emulator-record-http.ts';

/**
 * The connections that went away and the @connections POSTs made to each afterwards (every one
 * answered 410): how a stack finds, and stops posting to, a client that vanished. AWS offers no
 * API that says this; the emulator sees every post, so it keeps the record and answers it, as its
 * own, at `GET /@emulator/gone-connections` (common/gone-connections.ts).
 *
 * Bounded: at most `cap` connections (default 100,000, about 15 MB), the oldest forgotten first
 * and counted (`evicted`). A POST to an id not in the record is counted apart (`unrecordedPosts`).
 * A POST that finds its connection open costs nothing here: only the 410 path looks it up.
 */
export const DEFAULT_GONE_CAP = 100_000;

export class GoneConnectionRecord {
  /** insertion order = the order connections went: the first key is the oldest */
  private readonly byId = new Map<string, GoneConnection>();
  private evicted = 0;
  private unrecordedPosts = 0;

  constructor(readonly cap: number = DEFAULT_GONE_CAP) {}

  /** `conn` went at `at`, by `cause`, reported to $disconnect with `closeCode`. */
  went(conn: Pick<Connection, 'connectionId' | 'connectedAt'>, cause: GoneCause, closeCode: number, at: number): void {
    if (this.byId.has(conn.connectionId)) return;
    if (this.byId.size >= this.cap) {
      const oldest = this.byId.keys().next().value as string;
      this.byId.delete(oldest);
      this.evicted++;
    }
    this.byId.set(conn.connectionId, { connectionId: conn.connectionId, connectedAt: conn.connectedAt, goneAt: at, cause, closeCode, posts: 0, firstPostAt: null, lastPostAt: null });
  }

  /** A POST to `id` was answered 410 at `at`. */
  posted(id: string, at: number): void {
    const gone = this.byId.get(id);
    if (!gone) {
      this.unrecordedPosts++;
      return;
    }
    gone.posts++;
    gone.firstPostAt ??= at;
    gone.lastPostAt = at;
  }

  /** The record, connections gone at or after `since` (epoch ms) when given. */
  snapshot(since?: number): GoneConnections {
    const connections: GoneConnection[] = [];
    for (const g of this.byId.values()) if (since === undefined || g.goneAt >= since) connections.push({ ...g });
    return { cap: this.cap, evicted: this.evicted, unrecordedPosts: this.unrecordedPosts, connections };
  }
}

/** `GET /@emulator/gone-connections[?since=<epoch ms>]`: the record as JSON; anything else is 400/405. */
export function handleGoneConnections(record: GoneConnectionRecord, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET') return answerRecord(res, 405, { message: 'only GET' });
  const since = sinceOf(req);
  if (since === null) return answerRecord(res, 400, BAD_SINCE);
  answerRecord(res, 200, record.snapshot(since));
}
