import { seededRandom, shuffle } from '../random.ts';

/**
 * Who is in which room. Room r holds the contiguous client ids roomStart[r] … roomStart[r+1]-1;
 * shards hold contiguous blocks of ids (shardStart), so a room lives on one shard. Within a room, a seeded shuffle gives
 * each member a rank: the senders of a phase are the members whose rank is below that phase's
 * sender count, so sender sets of different phases nest.
 */
export type RoomSizes = { distribution: 'uniform' } | { distribution: 'zipf'; exponent: number };

export interface RoomPlan {
  clients: number;
  rooms: number;
  sizes: Int32Array;
  roomStart: Int32Array;
  roomOf: Int32Array;
  rankInRoom: Int32Array;
}

/** Sizes summing to `clients`, each at least 1; zipf puts the biggest room first. */
export function roomSizes(clients: number, rooms: number, dist: RoomSizes): number[] {
  if (!Number.isInteger(clients) || !Number.isInteger(rooms) || rooms < 1 || clients < rooms) {
    throw new RangeError(`need at least one client per room (clients ${clients}, rooms ${rooms})`);
  }
  const weights = new Array<number>(rooms);
  for (let i = 0; i < rooms; i++) weights[i] = dist.distribution === 'zipf' ? (i + 1) ** -dist.exponent : 1;
  const total = weights.reduce((a, b) => a + b, 0);
  const spare = clients - rooms;
  // Largest-remainder apportionment of the spare clients after one per room.
  const exact = weights.map((w) => (w / total) * spare);
  const sizes = exact.map((x) => 1 + Math.floor(x));
  let left = clients - sizes.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, frac: x - Math.floor(x) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % rooms, left--) sizes[order[k].i]++;
  return sizes;
}

export function planRooms(clients: number, rooms: number, dist: RoomSizes, seed: number): RoomPlan {
  const plan = roomsInOrder(roomSizes(clients, rooms, dist));
  const random = seededRandom(seed ^ 0x5eed);
  for (let r = 0; r < rooms; r++) {
    const ranks = shuffle(Int32Array.from({ length: plan.sizes[r] }, (_, i) => i), random);
    for (let j = 0; j < plan.sizes[r]; j++) plan.rankInRoom[plan.roomStart[r] + j] = ranks[j];
  }
  return plan;
}

/** Rooms of these sizes, each member ranked by its place in its room (no shuffle). */
export function roomsInOrder(roomSizes: readonly number[]): RoomPlan {
  const rooms = roomSizes.length;
  const sizes = Int32Array.from(roomSizes);
  const roomStart = new Int32Array(rooms + 1);
  for (let r = 0; r < rooms; r++) roomStart[r + 1] = roomStart[r] + sizes[r];
  const clients = roomStart[rooms];
  const roomOf = new Int32Array(clients);
  const rankInRoom = new Int32Array(clients);
  for (let r = 0; r < rooms; r++) {
    for (let j = 0; j < sizes[r]; j++) {
      roomOf[roomStart[r] + j] = r;
      rankInRoom[roomStart[r] + j] = j;
    }
  }
  return { clients, rooms, sizes, roomStart, roomOf, rankInRoom };
}

export interface SenderChoice {
  /** senders per room (capped at the room's size) */
  perRoom?: number;
  /** share of each room's members, at least one */
  share?: number;
}

/** Senders per room for one phase: a room of size s gets min(s, perRoom) or max(1, round(share·s)). */
export function sendersPerRoom(plan: RoomPlan, choice: SenderChoice): Int32Array {
  const out = new Int32Array(plan.rooms);
  for (let r = 0; r < plan.rooms; r++) {
    const s = plan.sizes[r];
    out[r] = choice.share !== undefined ? Math.min(s, Math.max(1, Math.round(choice.share * s))) : Math.min(s, choice.perRoom ?? 1);
  }
  return out;
}

export function isSender(plan: RoomPlan, client: number, perRoom: ArrayLike<number>): boolean {
  return plan.rankInRoom[client] < perRoom[plan.roomOf[client]];
}

/**
 * Where shard `shard` of `shards` begins: it holds the client ids shardStart(shard) …
 * shardStart(shard + 1) - 1, an even share. A room's members are contiguous ids, so a room lives
 * on one shard (a room straddling a block's edge spans two, one bigger than a block several) and a
 * message wakes one shard, which reads its whole burst of deliveries in one go. Dealt round-robin,
 * every room spanned every shard and each woke for its share of every burst: 1.41× the CPU per
 * delivery at 6 shards against 1 (bench/RESULTS.md, "Launch scale").
 */
export function shardStart(clients: number, shards: number, shard: number): number {
  return Math.floor((shard * clients) / shards);
}

/** The shard holding client `client` (the block shardStart places it in). */
export function shardOf(client: number, clients: number, shards: number): number {
  let s = Math.floor((client * shards) / clients);
  while (s + 1 < shards && shardStart(clients, shards, s + 1) <= client) s++;
  while (s > 0 && shardStart(clients, shards, s) > client) s--;
  return s;
}
