import { MinHeap } from './min-heap.ts';
import type { StoredMessage } from './stored-message.ts';

/**
 * A queue's visible messages and the order a receive takes them in. A message taken leaves the
 * set and is in flight until the queue says it `returned` (visibility timeout, visibility 0) or
 * `settled` (deleted, expired, redriven). A visible message deleted with its last receipt handle
 * is `removed` (lazily: skipped when it surfaces). Every operation is O(log n).
 */
export interface VisibleMessages {
  /** visible messages (ApproximateNumberOfMessages) */
  readonly size: number;
  /** a message becomes visible: sent, or its delay ended */
  add(m: StoredMessage): void;
  /** the next message to hand out in the receive under way; undefined when none may be */
  take(): StoredMessage | undefined;
  /** the receive is done */
  endReceive(): void;
  /** a message in flight is visible again */
  returned(m: StoredMessage): void;
  /** a message in flight is gone */
  settled(m: StoredMessage): void;
  /** a visible message was deleted (its state already `gone`) */
  removed(m: StoredMessage): void;
  /** whether take() would hand out a message now */
  hasAvailable(): boolean;
  clear(): void;
}

const byArrival = (a: StoredMessage, b: StoredMessage): boolean => a.arrival < b.arrival;

/** A standard queue: oldest first (SQS promises no order; this is the order it mostly keeps). */
export class StandardVisibleMessages implements VisibleMessages {
  private readonly heap = new MinHeap<StoredMessage>(byArrival);
  size = 0;

  add(m: StoredMessage): void {
    this.heap.push(m);
    this.size++;
  }

  take(): StoredMessage | undefined {
    for (let m = this.heap.pop(); m; m = this.heap.pop()) {
      if (m.state === 'gone') continue;
      this.size--;
      return m;
    }
    return undefined;
  }

  endReceive(): void {}

  returned(m: StoredMessage): void {
    this.add(m);
  }

  settled(): void {}

  removed(): void {
    this.size--;
  }

  hasAvailable(): boolean {
    return this.size > 0;
  }

  clear(): void {
    this.heap.clear();
    this.size = 0;
  }
}

interface Group {
  id: string;
  visible: MinHeap<StoredMessage>;
  visibleCount: number;
  inFlight: number;
  /** the key of its live entry in the available heap (its first message's arrival), if any */
  availableKey?: number;
}

/**
 * A FIFO queue: messages of one group in order, and no message of a group handed out while another
 * of it is in flight. A receive takes as many messages of one group as it can before the next
 * group (as SQS does); groups are offered in the order of their first visible message.
 */
export class FifoVisibleMessages implements VisibleMessages {
  private readonly groups = new Map<string, Group>();
  private readonly available = new MinHeap<{ group: Group; key: number }>((a, b) => a.key < b.key);
  /** the group the receive under way is taking from */
  private current: Group | undefined;
  size = 0;

  add(m: StoredMessage): void {
    const g = this.group(m.groupId ?? '');
    g.visible.push(m);
    g.visibleCount++;
    this.size++;
    this.offer(g);
  }

  take(): StoredMessage | undefined {
    if (!this.current || this.current.visibleCount === 0) {
      const done = this.current;
      this.current = this.nextAvailable();
      if (done) this.offer(done);
      if (!this.current) return undefined;
      this.current.availableKey = undefined;
    }
    const g = this.current;
    const m = this.firstLive(g);
    if (!m) return undefined;
    g.visible.pop();
    g.visibleCount--;
    g.inFlight++;
    this.size--;
    return m;
  }

  endReceive(): void {
    const g = this.current;
    this.current = undefined;
    if (g) this.offer(g);
  }

  returned(m: StoredMessage): void {
    const g = this.group(m.groupId ?? '');
    g.inFlight--;
    this.add(m);
  }

  settled(m: StoredMessage): void {
    const g = this.groups.get(m.groupId ?? '');
    if (!g) return;
    g.inFlight--;
    this.offer(g);
  }

  removed(m: StoredMessage): void {
    const g = this.groups.get(m.groupId ?? '');
    if (!g) return;
    g.visibleCount--;
    this.size--;
    this.offer(g);
  }

  hasAvailable(): boolean {
    if (this.current && this.current.visibleCount > 0) return true;
    for (let e = this.available.peek(); e; e = this.available.peek()) {
      if (this.isLive(e)) return true;
      this.available.pop();
    }
    return false;
  }

  clear(): void {
    this.groups.clear();
    this.available.clear();
    this.current = undefined;
    this.size = 0;
  }

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (!g) {
      g = { id, visible: new MinHeap(byArrival), visibleCount: 0, inFlight: 0 };
      this.groups.set(id, g);
    }
    return g;
  }

  /** Offers a group to receives when none of it is in flight; forgets an empty one. */
  private offer(g: Group): void {
    if (g === this.current) return;
    if (g.inFlight > 0) return;
    const first = this.firstLive(g);
    if (!first) {
      if (g.visibleCount <= 0) this.groups.delete(g.id);
      return;
    }
    if (g.availableKey === first.arrival) return;
    g.availableKey = first.arrival;
    this.available.push({ group: g, key: first.arrival });
  }

  private firstLive(g: Group): StoredMessage | undefined {
    for (let m = g.visible.peek(); m; m = g.visible.peek()) {
      if (m.state !== 'gone') return m;
      g.visible.pop();
    }
    return undefined;
  }

  private isLive(e: { group: Group; key: number }): boolean {
    const g = e.group;
    return this.groups.get(g.id) === g && g.availableKey === e.key && g.inFlight === 0 && g.visibleCount > 0;
  }

  private nextAvailable(): Group | undefined {
    for (let e = this.available.pop(); e; e = this.available.pop()) {
      if (this.isLive(e)) return e.group;
    }
    return undefined;
  }
}
