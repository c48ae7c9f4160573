import { describe, expect, it } from 'vitest';
import { dropPlan } from '../../src/fleet/drop-plan.ts';
import { isSender, planRooms, roomSizes, sendersPerRoom, shardOf, shardStart } from '../../src/fleet/room-plan.ts';
import { sourceAddressFor, clientsPerSourceAddress } from '../../src/fleet/source-address.ts';

describe('room sizes', () => {
  it('uniform: equal sizes within one, summing to the clients', () => {
    const s = roomSizes(103, 10, { distribution: 'uniform' });
    expect(s.reduce((a, b) => a + b, 0)).toBe(103);
    expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
  });

  it('zipf: non-increasing sizes ∝ 1/(i+1)^s, each room at least one member', () => {
    const s = roomSizes(1_000, 20, { distribution: 'zipf', exponent: 1 });
    expect(s.reduce((a, b) => a + b, 0)).toBe(1_000);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
    expect(Math.min(...s)).toBeGreaterThanOrEqual(1);
    // H(20) ≈ 3.598: the biggest room gets about 1000/3.598 ≈ 278 (+1 baseline, rounding)
    expect(s[0]).toBeGreaterThan(260);
    expect(s[0]).toBeLessThan(290);
    expect(s[0] / s[9]).toBeGreaterThan(8);
  });

  it('zipf with a steeper exponent concentrates more', () => {
    const a = roomSizes(1_000, 20, { distribution: 'zipf', exponent: 1 });
    const b = roomSizes(1_000, 20, { distribution: 'zipf', exponent: 2 });
    expect(b[0]).toBeGreaterThan(a[0]);
  });

  it('refuses more rooms than clients', () => {
    expect(() => roomSizes(5, 10, { distribution: 'uniform' })).toThrow(/at least one client per room/);
  });
});

describe('room plan', () => {
  const plan = planRooms(200, 20, { distribution: 'zipf', exponent: 1 }, 42);

  it('puts contiguous client ids in each room', () => {
    for (let r = 0; r < plan.rooms; r++) {
      for (let c = plan.roomStart[r]; c < plan.roomStart[r + 1]; c++) expect(plan.roomOf[c]).toBe(r);
      expect(plan.roomStart[r + 1] - plan.roomStart[r]).toBe(plan.sizes[r]);
    }
    expect(plan.roomStart[plan.rooms]).toBe(200);
  });

  it('ranks each room\'s members as a permutation, the same for the same seed', () => {
    for (let r = 0; r < plan.rooms; r++) {
      const ranks = Array.from(plan.rankInRoom.subarray(plan.roomStart[r], plan.roomStart[r + 1])).sort((a, b) => a - b);
      expect(ranks).toEqual([...Array(plan.sizes[r]).keys()]);
    }
    expect(planRooms(200, 20, { distribution: 'zipf', exponent: 1 }, 42).rankInRoom).toEqual(plan.rankInRoom);
    expect(planRooms(200, 20, { distribution: 'zipf', exponent: 1 }, 43).rankInRoom).not.toEqual(plan.rankInRoom);
  });

  it('chooses senders per room by count or share, nested across phases', () => {
    const one = sendersPerRoom(plan, { perRoom: 1 });
    const tenth = sendersPerRoom(plan, { share: 0.1 });
    for (let r = 0; r < plan.rooms; r++) {
      expect(one[r]).toBe(1);
      expect(tenth[r]).toBe(Math.max(1, Math.round(plan.sizes[r] * 0.1)));
    }
    const count = (perRoom: Int32Array) => [...Array(200).keys()].filter((c) => isSender(plan, c, perRoom)).length;
    expect(count(one)).toBe(20);
    for (let c = 0; c < 200; c++) if (isSender(plan, c, one)) expect(isSender(plan, c, tenth)).toBe(true);
    expect(sendersPerRoom(plan, { perRoom: 1_000 })[0]).toBe(plan.sizes[0]);
  });

  it('drops non-senders first, deterministically', () => {
    const maxSenders = sendersPerRoom(plan, { perRoom: 1 });
    const drop = dropPlan(plan, 0.2, maxSenders, 7);
    expect(drop.length).toBe(40);
    expect(new Set(drop).size).toBe(40);
    for (const c of drop) expect(isSender(plan, c, maxSenders)).toBe(false);
    expect(dropPlan(plan, 0.2, maxSenders, 7)).toEqual(drop);
    const all = dropPlan(plan, 1, maxSenders, 7);
    expect(all.length).toBe(200);
    expect([...all.slice(180)].every((c) => isSender(plan, c, maxSenders))).toBe(true);
  });
});

describe('shard placement', () => {
  it('gives each shard an even, contiguous block of ids, and shardOf agrees with the blocks', () => {
    for (const [clients, shards] of [[100_000, 6], [1_003, 7], [5, 5], [2_000, 1]]) {
      const sizes: number[] = [];
      for (let s = 0; s < shards; s++) {
        const first = shardStart(clients, shards, s);
        const end = shardStart(clients, shards, s + 1);
        sizes.push(end - first);
        for (let c = first; c < end; c++) expect(shardOf(c, clients, shards)).toBe(s);
      }
      expect(shardStart(clients, shards, 0)).toBe(0);
      expect(shardStart(clients, shards, shards)).toBe(clients);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('keeps a room on one shard: at 100,000 clients in rooms of 100 on 6 shards, only the rooms cut by a block edge span two', () => {
    const plan = planRooms(100_000, 1_000, { distribution: 'uniform' }, 52);
    const spans = new Map<number, Set<number>>();
    for (let c = 0; c < plan.clients; c++) {
      const r = plan.roomOf[c];
      if (!spans.has(r)) spans.set(r, new Set());
      spans.get(r)!.add(shardOf(c, plan.clients, 6));
    }
    const split = [...spans.values()].filter((s) => s.size > 1);
    // edges at 16,666, 33,333, 50,000 (a room's start: no cut), 66,666 and 83,333
    expect(split.length).toBe(4);
    expect(split.every((s) => s.size === 2)).toBe(true);
  });
});

describe('source addresses', () => {
  it('spreads only big runs against a loopback IPv4 target', () => {
    expect(clientsPerSourceAddress('127.0.0.1', 40_000)).toBe(5_000);
    expect(clientsPerSourceAddress('127.0.0.1', 5_000)).toBe(0);
    expect(clientsPerSourceAddress('abc.execute-api.us-east-1.amazonaws.com', 40_000)).toBe(0);
    expect(clientsPerSourceAddress(undefined, 40_000)).toBe(0);
    expect(sourceAddressFor(0, 10_000)).toBe('127.0.0.1');
    expect(sourceAddressFor(25_000, 10_000)).toBe('127.0.0.3');
    expect(sourceAddressFor(25_000, 0)).toBeUndefined();
  });
});
