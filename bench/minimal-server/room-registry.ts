/**
 * Which rooms exist, how many members each has, and which server processes hold those members.
 * One registry per server: in the process itself, or in the cluster primary for several workers.
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, { members: number; nodes: Map<number, number> }>();

  create(room: string): void {
    if (!this.rooms.has(room)) this.rooms.set(room, { members: 0, nodes: new Map() });
  }

  exists(room: string): boolean {
    return this.rooms.has(room);
  }

  members(room: string): number {
    return this.rooms.get(room)?.members ?? 0;
  }

  /** Adds a member held by `node`; returns the room's member count after the join. */
  join(room: string, node: number): number {
    const r = this.rooms.get(room)!;
    r.members++;
    r.nodes.set(node, (r.nodes.get(node) ?? 0) + 1);
    return r.members;
  }

  leave(room: string, node: number, count = 1): void {
    const r = this.rooms.get(room);
    if (!r || count <= 0) return;
    r.members = Math.max(0, r.members - count);
    const left = (r.nodes.get(node) ?? 0) - count;
    if (left > 0) r.nodes.set(node, left);
    else r.nodes.delete(node);
  }

  /** The processes holding members of `room`. */
  nodes(room: string): number[] {
    return [...(this.rooms.get(room)?.nodes.keys() ?? [])];
  }
}
