import { PackedRecords } from './packed-records.ts';

/**
 * A shard's count of unique deliveries per message since its last flush, and the latest receive
 * time of each. Messages are addressed by (origin shard, slot); slots are dense per origin, so a
 * ring of typed arrays indexed by `slot mod RING` holds the counts: nothing is allocated per
 * delivery and memory stays fixed however long the run. Counts are handed over and cleared at
 * every flush (once a second), so two live slots share a ring entry only if they are RING
 * messages apart within one flush; then the older one is handed over early (overflow).
 * `drain()` returns [origin, slot, count, latestMs] records for the parent's delivery ledger.
 */
const RING_BITS = 16;
const RING = 1 << RING_BITS;
const MASK = RING - 1;

interface Ring {
  slots: Int32Array;
  counts: Uint32Array;
  latest: Float64Array;
}

export class ReceiptTally {
  private readonly rings: (Ring | undefined)[] = [];
  private readonly dirty = new PackedRecords(2, 1024);
  private readonly overflow = new PackedRecords(4, 64);

  constructor(private readonly origins: number) {}

  /** false when (origin, slot) cannot name a message of this run (a foreign or garbled probe). */
  add(origin: number, slot: number, at: number): boolean {
    if (origin >= this.origins || slot > 0x7fffffff) return false;
    const r = (this.rings[origin] ??= newRing());
    const i = slot & MASK;
    if (r.counts[i] !== 0 && r.slots[i] !== slot) {
      this.overflow.push4(origin, r.slots[i], r.counts[i], r.latest[i]);
      r.counts[i] = 0;
      r.latest[i] = 0;
    }
    if (r.counts[i] === 0) {
      r.slots[i] = slot;
      this.dirty.push2(origin, slot);
    }
    r.counts[i]++;
    if (at > r.latest[i]) r.latest[i] = at;
    return true;
  }

  drain(): Float64Array {
    const n = this.dirty.length;
    const out = new PackedRecords(4, Math.max(1, n + this.overflow.length));
    for (let k = 0; k < n; k++) {
      const origin = this.dirty.at(k, 0);
      const slot = this.dirty.at(k, 1);
      const r = this.rings[origin]!;
      const i = slot & MASK;
      // Skip entries handed over as overflow, or already emitted (a slot can be listed twice).
      if (r.slots[i] !== slot || r.counts[i] === 0) continue;
      out.push4(origin, slot, r.counts[i], r.latest[i]);
      r.counts[i] = 0;
      r.latest[i] = 0;
    }
    this.dirty.take();
    const over = this.overflow.take();
    for (let k = 0; k < over.length; k += 4) out.push4(over[k], over[k + 1], over[k + 2], over[k + 3]);
    return out.take();
  }
}

function newRing(): Ring {
  return { slots: new Int32Array(RING).fill(-1), counts: new Uint32Array(RING), latest: new Float64Array(RING) };
}
