import { describe, expect, it } from 'vitest';
import { planCost, plannedTraffic } from '../../src/analyses/plan/monthly-cost.ts';
import { plannedRestores } from '../../src/analyses/plan/cold-starts.ts';
import type { WorkModel } from '../../src/analyses/plan/plan-schema.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { handFunction, handModel } from './plan-models.ts';

/**
 * A month's SnapStart charges, worked by hand: a function the runs saw restored (its REPORT lines'
 * Restore Duration) has its cold starts counted as any function's are (the peak's environments,
 * Little's law), each a restore billed its memory in GB restored, and its version's snapshot
 * cached all month.
 */
const model: WorkModel = handModel([
  handFunction('fanout-connect', '$connect', 'connect', 10, { p99Ms: 50 }),
  handFunction('fanout-send-message', 'sendMessage', 'message', 2, { p99Ms: 40, restores: 3 }),
]);
// 50,000 connections in rooms of 200, 250 messages/s: send 250/s × 0.04 s × (200 ÷ 10) = 200 concurrent
const traffic = plannedTraffic(model, { connections: 50_000, roomSize: 200, messagesPerS: 250, sessionSec: 1800 });

describe("a plan's SnapStart lines", () => {
  it('counts the restored function\'s restores as its cold starts, and prices them and its cache over the month', () => {
    expect(plannedRestores(model, traffic)).toEqual([expect.objectContaining({ name: 'fanout-send-message', memoryMB: 256, restores: 200 })]);
    const cost = planCost(model, traffic, { prices: DEFAULT_PRICES, architecture: 'x86_64', connectionSource: 'assumption' });
    const line = (item: string) => cost.lines.find((l) => l.item.startsWith(item))!;
    // 200 restores × 0.25 GB = 50 GB restored × $0.0001397998
    expect(line('SnapStart restores: fanout-send-message (200 × 256 MB)')).toMatchObject({ quantity: 50, unit: 'GB restored' });
    expect(line('SnapStart restores: fanout-send-message').cost).toBeCloseTo(50 * 0.0001397998, 12);
    // 0.25 GB × 2,592,000 s = 648,000 GB-s cached × $0.0000015046; not a compute GB-s (no volume tier)
    const cache = line("SnapStart cache: fanout-send-message (256 MB, the plan's period)");
    expect(cache).toMatchObject({ quantity: 648_000, unit: 'GB-s cached' });
    expect(cache.cost).toBeCloseTo(648_000 * 0.0000015046, 9);
    expect(cost.lines.some((l) => l.item.includes('SnapStart') && l.item.includes('fanout-connect'))).toBe(false);
    expect(cost.notes).toContainEqual(expect.stringMatching(/^SnapStart: each restore bills the function's memory in GB restored/));
  });
});
