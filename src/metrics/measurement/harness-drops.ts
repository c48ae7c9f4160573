/**
 * The clients the harness itself dropped (a scenario's `drop` phase), by room and when. A message
 * already on its way when its room's members were dropped could not reach them: the delivery
 * ledger asks, for a message settling with deliveries missing, how many of its room's members the
 * harness dropped after the message left and before it settled; those deliveries are counted
 * `missedByDrop`, never lost (the target did nothing wrong).
 */
export class HarnessDrops {
  private readonly byRoom = new Map<number, Array<{ client: number; at: number }>>();
  /** every connection receives every message (membership `all`): any room's drop counts */
  everyRoom = false;

  add(room: number, client: number, at: number): void {
    let list = this.byRoom.get(room);
    if (!list) this.byRoom.set(room, (list = []));
    list.push({ client, at });
  }

  /** Members of `room` the harness dropped in (from, to]: after a message left at `from`, before it settled at `to`. */
  droppedDuring(room: number, from: number, to: number): number {
    if (this.byRoom.size === 0) return 0;
    const lists = this.everyRoom ? [...this.byRoom.values()] : [this.byRoom.get(room) ?? []];
    const clients = new Set<number>();
    for (const list of lists) for (const d of list) if (d.at > from && d.at <= to) clients.add(d.client);
    return clients.size;
  }
}
