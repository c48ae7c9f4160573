import { describe, expect, it } from 'vitest';
import { newReceiverOrder, observe, SEEN_DUPLICATE, SEEN_NEW } from '../../src/metrics/measurement/order-tracker.ts';
import { OrderWindows } from '../../src/fleet/order-windows.ts';

describe('order windows from shared slabs', () => {
  it('are laid out as newReceiverOrder makes them, each on its own, across slabs', () => {
    const w = new OrderWindows();
    // 3,000 windows of 3 senders (6 numbers) fill more than one slab of 16,384
    const all = Array.from({ length: 3_000 }, () => w.take(3));
    for (const o of all) expect(o).toEqual(newReceiverOrder(3));
    expect(new Set(all.map((o) => o.buffer)).size).toBeGreaterThan(1);
    // one receiver's deliveries leave every other's window as it was
    expect(observe(all[0], 1, 5)).toBe(SEEN_NEW);
    expect(observe(all[0], 1, 5)).toBe(SEEN_DUPLICATE);
    expect(observe(all[1], 1, 5)).toBe(SEEN_NEW);
    expect(all[2]).toEqual(newReceiverOrder(3));
    expect(all[2729]).toEqual(newReceiverOrder(3));
    expect(w.take(10_000)).toEqual(newReceiverOrder(10_000));
  });
});
