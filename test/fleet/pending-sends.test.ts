import { describe, expect, it } from 'vitest';
import { ORPHAN_WAIT_MS, PendingSends } from '../../src/fleet/pending-sends.ts';

const ack = (messageId: string, at = 0) => ({ messageId, recipients: 3, gone: 0, at });

describe('matching acks to sends', () => {
  it('matches through the sender\'s own copy, whatever order acks come in', () => {
    const p = new PendingSends();
    p.add(1, 0, 0);
    p.add(2, 10, 10);
    expect(p.onOwnCopy(1, 'a')).toEqual({});
    expect(p.onOwnCopy(2, 'b')).toEqual({});
    expect(p.onAck(ack('b'))?.send.slot).toBe(2);
    expect(p.onAck(ack('a'))?.send.slot).toBe(1);
    expect(p.size).toBe(0);
  });

  it('matches an ack that beat the copy once the copy arrives', () => {
    const p = new PendingSends();
    p.add(1, 0, 0);
    p.add(2, 10, 10);
    expect(p.onAck(ack('b'))).toBeUndefined(); // two unidentified sends: wait for a copy
    expect(p.onOwnCopy(2, 'b').matched?.send.slot).toBe(2);
    expect(p.onAck(ack('a'))?.send.slot).toBe(1); // the only one left
  });

  it('falls back to first-in-first-out when copies never come, then times sends out', () => {
    const p = new PendingSends();
    p.add(1, 0, 0);
    p.add(2, 10, 10);
    p.add(3, 20, 20);
    p.onAck(ack('x', 100));
    const { matched, expired } = p.sweep(100 + ORPHAN_WAIT_MS, 10_000);
    expect(matched.map((m) => m.send.slot)).toEqual([1]);
    expect(expired).toEqual([]);
    expect(p.sweep(30_000, 10_000).expired.map((s) => s.slot)).toEqual([2, 3]);
  });

  it('fails the oldest send for an error frame and clears on close', () => {
    const p = new PendingSends();
    p.add(1, 0, 0);
    p.add(2, 1, 1);
    expect(p.failOldest()?.slot).toBe(1);
    expect(p.clear().map((s) => s.slot)).toEqual([2]);
  });

  it('an error frame fails the oldest send not yet seen accepted (its own copy came)', () => {
    const p = new PendingSends();
    p.add(1, 0, 0);
    p.add(2, 1, 1);
    p.onOwnCopy(1, 'a');
    expect(p.failOldest()?.slot).toBe(2);
    expect(p.onAck(ack('a'))?.send.slot).toBe(1);
  });

  it('takes a failure back when the failed send\'s own copy arrives after all, and fails the other send instead', () => {
    // two sends in flight: the second is throttled and answered at once; the first, slow, is accepted
    const p = new PendingSends();
    p.add(1, 0, 0);
    p.add(2, 1, 1);
    expect(p.failOldest()?.slot).toBe(1); // the throttle's error names no message: a guess
    const { matched, failInstead } = p.onOwnCopy(1, 'a'); // the first was accepted
    expect(matched).toBeUndefined();
    expect(failInstead?.slot).toBe(2);
    expect(p.onAck(ack('a'))?.send.slot).toBe(1);
    expect(p.size).toBe(0);
    // a copy of a send failed long ago, or never sent, changes nothing
    expect(p.onOwnCopy(9, 'z')).toEqual({});
  });

  it('an ack that counts no one answers the oldest send, which no copy takes back', () => {
    const p = new PendingSends();
    p.add(1, 0, 0);
    expect(p.takeOldest()?.slot).toBe(1);
    expect(p.onOwnCopy(1, 'a')).toEqual({});
  });
});
