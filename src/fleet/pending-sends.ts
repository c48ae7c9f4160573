/**
 * One sender's messages waiting for their `sent` ack. The ack names the server's messageId, not
 * the harness's slot, so acks are matched through the sender's own copy of the message (it is a
 * member of the room and its copy carries both): the copy arrives first on a Lambda stack, which
 * posts to every member before it answers. An ack whose copy has not been seen is matched
 * directly when only one send is unidentified, and otherwise first-in-first-out after a wait.
 */
export interface PendingSend {
  slot: number;
  intended: number;
  sentAt: number;
  messageId: string | undefined;
}

export interface AckInfo {
  messageId: string;
  recipients: number;
  gone: number;
  at: number;
}

export interface Matched {
  send: PendingSend;
  ack: AckInfo;
}

/** How long an unidentified ack waits for the sender's copy before FIFO matching. */
export const ORPHAN_WAIT_MS = 1000;

export class PendingSends {
  readonly sends: PendingSend[] = [];
  private orphans: AckInfo[] = [];

  get size(): number {
    return this.sends.length;
  }

  add(slot: number, intended: number, sentAt: number): void {
    this.sends.push({ slot, intended, sentAt, messageId: undefined });
  }

  /** The sender's own copy of `slot` arrived carrying `messageId`. */
  onOwnCopy(slot: number, messageId: string): Matched | undefined {
    const i = this.sends.findIndex((s) => s.slot === slot);
    if (i < 0) return undefined;
    const send = this.sends[i];
    send.messageId = messageId;
    const o = this.orphans.findIndex((a) => a.messageId === messageId);
    if (o < 0) return undefined;
    const [ack] = this.orphans.splice(o, 1);
    this.sends.splice(i, 1);
    return { send, ack };
  }

  onAck(ack: AckInfo): Matched | undefined {
    let i = this.sends.findIndex((s) => s.messageId === ack.messageId);
    if (i < 0) {
      let unidentified = -1;
      let count = 0;
      for (let k = 0; k < this.sends.length; k++) {
        if (this.sends[k].messageId === undefined) {
          if (count === 0) unidentified = k;
          count++;
        }
      }
      if (count === 1 && this.orphans.length === 0) i = unidentified;
    }
    if (i < 0) {
      this.orphans.push(ack);
      return undefined;
    }
    const [send] = this.sends.splice(i, 1);
    return { send, ack };
  }

  /** The oldest send, for an error frame that names no message. */
  failOldest(): PendingSend | undefined {
    return this.sends.shift();
  }

  /** Matches acks that waited too long FIFO, then removes sends past the ack timeout. */
  sweep(now: number, ackTimeoutMs: number): { matched: Matched[]; expired: PendingSend[] } {
    const matched: Matched[] = [];
    while (this.orphans.length > 0 && now - this.orphans[0].at >= ORPHAN_WAIT_MS) {
      const k = this.sends.findIndex((s) => s.messageId === undefined);
      const ack = this.orphans.shift()!;
      if (k < 0) continue; // an ack for a send already given up on
      const [send] = this.sends.splice(k, 1);
      matched.push({ send, ack });
    }
    const expired: PendingSend[] = [];
    while (this.sends.length > 0 && now - this.sends[0].sentAt > ackTimeoutMs) expired.push(this.sends.shift()!);
    return { matched, expired };
  }

  /** Everything still pending (the client is gone). */
  clear(): PendingSend[] {
    this.orphans = [];
    return this.sends.splice(0);
  }
}
