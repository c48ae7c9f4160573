import type { WireProtocol } from './protocols/wire-protocol.ts';

/**
 * Per room, the deliveries each message sent into it expects, from the harness's own membership
 * (open, joined clients per room when the send phase began) and the protocol's model: with
 * membership `all` every connection receives every message, so each room expects every member
 * of every room; with recipients `others` the sender receives no copy. This is what a message
 * expects whether or not the target says whom it posted to (without an ack it cannot say).
 */
export function expectedMembers(members: Int32Array, wire: Pick<WireProtocol, 'membership' | 'recipients'>): Int32Array {
  const out = Int32Array.from(members);
  if (wire.membership === 'all') {
    let total = 0;
    for (const n of members) total += n;
    out.fill(total);
  }
  if (wire.recipients === 'others') for (let r = 0; r < out.length; r++) out[r] = Math.max(0, out[r] - 1);
  return out;
}
