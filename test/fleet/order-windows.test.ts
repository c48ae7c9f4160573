import { describe, expect, it } from 'vitest';
import { newReceiverOrder, observe, SEEN_DUPLICATE, SEEN_NEW } from '../../src/metrics/measurement/order-tracker.ts';
import { OrderWindows } from '../../src/fleet/order-windows.ts';

describe('order windows in one pool', () => {
  it('are laid out as newReceiverOrder makes them, each on its own, kept as the pool grows', () => {
    const w = new OrderWindows();
    const window = (base: number, senders: number) => w.pool.subarray(base, base + 2 * senders);
    const first = w.take(3);
    expect(observe(w.pool, first, 3, 1, 5)).toBe(SEEN_NEW);
    // 3,000 more windows of 3 senders (6 numbers) outgrow the first pool of 4,096
    const all = Array.from({ length: 3_000 }, () => w.take(3));
    for (const base of all) expect(window(base, 3)).toEqual(newReceiverOrder(3));
    // the first receiver's delivery survived the copy; one receiver's deliveries leave every other's window as it was
    expect(observe(w.pool, first, 3, 1, 5)).toBe(SEEN_DUPLICATE);
    expect(observe(w.pool, all[0], 3, 1, 5)).toBe(SEEN_NEW);
    expect(window(all[1], 3)).toEqual(newReceiverOrder(3));
    expect(window(all[2999], 3)).toEqual(newReceiverOrder(3));
    const big = w.take(10_000);
    expect(window(big, 10_000)).toEqual(newReceiverOrder(10_000));
  });
});
