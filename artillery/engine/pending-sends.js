// @ts-check
/**
 * One sender's messages waiting for their `sent` ack, matched as the harness matches them
 * (src/fleet/pending-sends.ts). The ack names the server's messageId, not our slot, so it is
 * matched through the sender's own copy of the message (the sender is a member of its room and
 * its copy carries both); an ack whose copy has not been seen is matched directly when only one
 * send is unidentified, otherwise first-in-first-out after ORPHAN_WAIT_MS.
 *
 * @typedef {{ slot: number, intended: number, sentAt: number, messageId: string | undefined }} PendingSend
 * @typedef {{ messageId: string, recipients: number, gone: number, at: number }} AckInfo
 * @typedef {{ send: PendingSend, ack: AckInfo }} Matched
 */
export const ORPHAN_WAIT_MS = 1000;

export class PendingSends {
  constructor() {
    /** @type {PendingSend[]} */
    this.sends = [];
    /** @type {AckInfo[]} */
    this.orphans = [];
  }

  get size() {
    return this.sends.length;
  }

  /**
   * @param {number} slot
   * @param {number} intended
   * @param {number} sentAt
   */
  add(slot, intended, sentAt) {
    this.sends.push({ slot, intended, sentAt, messageId: undefined });
  }

  /**
   * The sender's own copy of `slot` arrived carrying `messageId`.
   * @param {number} slot
   * @param {string} messageId
   * @returns {Matched | undefined}
   */
  onOwnCopy(slot, messageId) {
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

  /**
   * @param {AckInfo} ack
   * @returns {Matched | undefined}
   */
  onAck(ack) {
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
  failOldest() {
    return this.sends.shift();
  }

  /**
   * Matches acks that waited too long FIFO, then removes sends past the ack timeout.
   * @param {number} now
   * @param {number} ackTimeoutMs
   * @returns {{ matched: Matched[], expired: PendingSend[] }}
   */
  sweep(now, ackTimeoutMs) {
    /** @type {Matched[]} */
    const matched = [];
    while (this.orphans.length > 0 && now - this.orphans[0].at >= ORPHAN_WAIT_MS) {
      const ack = /** @type {AckInfo} */ (this.orphans.shift());
      const k = this.sends.findIndex((s) => s.messageId === undefined);
      if (k < 0) continue; // an ack for a send already given up on
      const [send] = this.sends.splice(k, 1);
      matched.push({ send, ack });
    }
    /** @type {PendingSend[]} */
    const expired = [];
    while (this.sends.length > 0 && now - this.sends[0].sentAt > ackTimeoutMs) expired.push(/** @type {PendingSend} */ (this.sends.shift()));
    return { matched, expired };
  }

  /** Everything still pending (the client is gone). */
  clear() {
    this.orphans = [];
    return this.sends.splice(0);
  }
}
