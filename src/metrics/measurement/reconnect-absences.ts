/**
 * When each reconnecting client was away, by room: the parent's account of the windows the shards
 * report (a client the server closed, from its close until it is a member again). The delivery
 * ledger asks it, for a message with deliveries missing, how many members of its room were away
 * while it went out: those deliveries could not be received, and are counted as missed during
 * reconnect rather than lost.
 */

/** Away windows in ShardReport.away, 4 numbers each: [client, room, from ms, to ms (0: still away)]. */
export const AWAY_RECORD_WIDTH = 4;

interface Window {
  client: number;
  from: number;
  /** Infinity while the client is still away */
  to: number;
}

export class ReconnectAbsences {
  private readonly byRoom = new Map<number, Window[]>();
  /** every connection receives every message (membership `all`): any room's absence counts */
  everyRoom = false;
  /** windows reported so far (each close a client came back from, or is still away after) */
  windows = 0;

  /** One shard report's away records. */
  add(records: Float64Array): void {
    for (let i = 0; i + AWAY_RECORD_WIDTH <= records.length; i += AWAY_RECORD_WIDTH) {
      const client = records[i]!;
      const room = records[i + 1]!;
      const from = records[i + 2]!;
      const to = records[i + 3]! || Infinity;
      let list = this.byRoom.get(room);
      if (!list) this.byRoom.set(room, (list = []));
      const open = list.find((w) => w.client === client && w.from === from);
      if (open) open.to = to;
      else {
        list.push({ client, from, to });
        this.windows++;
      }
    }
  }

  /**
   * Members of `room` away at some time in [from, to]: a message sent at `from` and acknowledged
   * at `to` could not reach them. `slackMs` widens each window at its start: the server may close
   * a connection a moment before its client reads the close.
   */
  awayDuring(room: number, from: number, to: number, slackMs: number): number {
    const lists = this.everyRoom ? [...this.byRoom.values()] : [this.byRoom.get(room) ?? []];
    const clients = new Set<number>();
    for (const list of lists) for (const w of list) if (w.from - slackMs <= to && w.to >= from) clients.add(w.client);
    return clients.size;
  }

  /** Forgets windows that ended before `before` (epoch ms): no message still to settle can fall in them. */
  prune(before: number): void {
    for (const [room, list] of this.byRoom) {
      const kept = list.filter((w) => w.to >= before);
      if (kept.length === 0) this.byRoom.delete(room);
      else if (kept.length !== list.length) this.byRoom.set(room, kept);
    }
  }
}
