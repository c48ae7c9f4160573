/**
 * One sender's messages waiting for their `sent` ack. The ack names the server's messageId, not
 * the harness's slot, so acks are matched through the sender's own copy of the message (it is a
 * member of the room and its copy carries both): the copy arrives first on a Lambda stack, which
 * posts to every member before it answers. An ack whose copy has not been seen is matched
 * directly when only one send is unidentified, and otherwise first-in-first-out after a wait.
 *
 * An error frame names no message either (API Gateway's "Too Many Requests", "Internal server
 * error"): it fails the oldest send the target has not shown it accepted (no own copy yet). Answers
 * come out of order when invocations run side by side (a throttled one answers at once, an earlier
 * slow one later), so that guess can be wrong: when the own copy of a send failed so arrives
 * after all, the target accepted it. It is taken back (its ack, when it comes, is matched to it)
 * and the error fails another send instead: the oldest still unidentified. Without this, the
 * accepted message was counted failed (its deliveries `unacknowledged`) and the refused one
 * acknowledged, its deliveries lost: a loss the target never caused.
 */
export interface PendingSend {
  slot: number;
  intended: number;
  sentAt: number;
  messageId: string | undefined;
  /** its sender's connection and its frame's number there (the trace's; frame 0: not traced, or traced already) */
  connection: number;
  frame: number;
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
/** How many sends failed by an error frame are kept to be taken back (the most recent). */
const FAILED_KEPT = 64;

/** What a sender's own copy settles: an ack matched, or an error's failure moved to another send. */
export interface OwnCopyOutcome {
  matched?: Matched;
  /** the error frame that failed this copy's send fails this one instead */
  failInstead?: PendingSend;
}

export class PendingSends {
  readonly sends: PendingSend[] = [];
  private orphans: AckInfo[] = [];
  /** sends failed by an error frame naming no message, most recent last */
  private failedByError: PendingSend[] = [];

  get size(): number {
    return this.sends.length;
  }

  add(slot: number, intended: number, sentAt: number, connection = 0, frame = 0): void {
    this.sends.push({ slot, intended, sentAt, messageId: undefined, connection, frame });
  }

  /** The sender's own copy of `slot` arrived carrying `messageId`. */
  onOwnCopy(slot: number, messageId: string): OwnCopyOutcome {
    let i = this.sends.findIndex((s) => s.slot === slot);
    const out: OwnCopyOutcome = {};
    if (i < 0) {
      // accepted after all: an error frame failed it by a guess (see the top of this file)
      const f = this.failedByError.findIndex((s) => s.slot === slot);
      if (f < 0) return out;
      const [revived] = this.failedByError.splice(f, 1);
      const instead = this.sends.findIndex((s) => s.messageId === undefined);
      if (instead >= 0) {
        out.failInstead = this.sends.splice(instead, 1)[0];
        this.failedByError.push(out.failInstead);
      }
      i = this.sends.findIndex((s) => s.slot > slot);
      if (i < 0) i = this.sends.length;
      this.sends.splice(i, 0, revived);
    }
    const send = this.sends[i];
    send.messageId = messageId;
    const o = this.orphans.findIndex((a) => a.messageId === messageId);
    if (o < 0) return out;
    const [ack] = this.orphans.splice(o, 1);
    this.sends.splice(i, 1);
    out.matched = { send, ack };
    return out;
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

  /** The oldest send, for an answer that names no message and is no error (an ack without counts). */
  takeOldest(): PendingSend | undefined {
    return this.sends.shift();
  }

  /**
   * For an error frame that names no message: the oldest send the target has not shown it
   * accepted (no own copy), else the oldest; kept to be taken back if its own copy comes.
   */
  failOldest(): PendingSend | undefined {
    let i = this.sends.findIndex((s) => s.messageId === undefined);
    if (i < 0) i = 0;
    if (i >= this.sends.length) return undefined;
    const [send] = this.sends.splice(i, 1);
    this.failedByError.push(send);
    if (this.failedByError.length > FAILED_KEPT) this.failedByError.shift();
    return send;
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
    this.failedByError = [];
    return this.sends.splice(0);
  }
}
