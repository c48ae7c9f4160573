import { LocalRooms, type LocalFanout } from './local-rooms.ts';
import { RoomRegistry } from './room-registry.ts';

/**
 * What a server process needs from "the rest of the server": room existence, member counts and
 * fan-out to every process holding members. In one process it is a direct call (LocalHub); in a
 * cluster it goes through the primary (cluster.ts).
 */
export interface Hub {
  readonly rooms: LocalRooms;
  createRoom(room: string): Promise<void>;
  /** the member is already in `rooms`; returns the room's members after the join, or -1 if no such room */
  join(room: string): Promise<number>;
  /** the room's member count (0 if no such room) */
  members(room: string): Promise<number>;
  leave(room: string, count?: number): void;
  fanOut(room: string, frame: string): Promise<LocalFanout>;
}

export class LocalHub implements Hub {
  readonly rooms = new LocalRooms();
  private readonly registry = new RoomRegistry();

  async createRoom(room: string): Promise<void> {
    this.registry.create(room);
  }

  async join(room: string): Promise<number> {
    return this.registry.exists(room) ? this.registry.join(room, 0) : -1;
  }

  async members(room: string): Promise<number> {
    return this.registry.members(room);
  }

  leave(room: string, count = 1): void {
    this.registry.leave(room, 0, count);
  }

  async fanOut(room: string, frame: string): Promise<LocalFanout> {
    const out = this.rooms.deliver(room, frame);
    if (out.gone > 0) this.registry.leave(room, 0, out.gone);
    return out;
  }
}
