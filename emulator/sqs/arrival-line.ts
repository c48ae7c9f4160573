import type { StoredMessage } from './stored-message.ts';

/**
 * A queue's messages in the order they arrived, the gone ones dropped from the front as they
 * surface: the oldest message still in the queue (ApproximateAgeOfOldestMessage) in O(1) amortized.
 */
export class ArrivalLine {
  private items: StoredMessage[] = [];
  private head = 0;

  push(m: StoredMessage): void {
    this.items.push(m);
  }

  oldest(): StoredMessage | undefined {
    while (this.head < this.items.length && this.items[this.head]!.state === 'gone') this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return this.items[this.head];
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
