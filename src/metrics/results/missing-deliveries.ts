import type { MissingDeliveries, MissingShape } from '../../contracts/missing-deliveries-schema.ts';
import { fmtCount, fmtInt } from '../../number-format.ts';
import type { LostDeliveries, TracedMessage } from '../measurement/lost-deliveries.ts';
import { MISSED_BY_NAMED, type MissingRecipient } from '../measurement/shard-report.ts';

/**
 * results.json's `deliveries.missing`: where the lost deliveries went missing, by room, message
 * and recipient, with the shape named. Shapes, each with the lost deliveries it accounts for:
 * - own-copy: messages whose one missing recipient was their sender (the target echoes nothing to
 *   a sender while the protocol says it does);
 * - burst: messages no member received (lost whole), with their window, rooms and senders;
 * - connection: members that missed every traced message of their room while others received
 *   some, with what became of each (open and silent, stopped receiving at a time, closed);
 * - one-per-message: messages that each missed one recipient, different ones;
 * - after-loss-timeout: deliveries that did arrive, past the loss timeout;
 * - untraced: lost deliveries no counted member missed (the target's claim exceeded the harness's
 *   members), or messages past the traced ones;
 * - scattered: what is left.
 */
const ROOMS_LISTED = 20;
const MESSAGES_LISTED = 50;
const RECIPIENTS_LISTED = 50;
const NAMED_IN_LINE = 5;
const CLIENTS_IN_SHAPE = 10;

export interface MissingNames {
  phase(index: number): string;
  room(index: number): string;
  /** deliveries that arrived after their message was counted lost (the ledger's totals) */
  afterLossTimeout: number;
  lossTimeoutMs: number;
  /** lost deliveries in all */
  lost: number;
}

export function missingDeliveries(book: LostDeliveries, n: MissingNames): MissingDeliveries | undefined {
  if (book.messages === 0) return undefined;
  const traced = [...book.traced].sort((a, b) => a.intended - b.intended);
  const rooms = [...book.byRoom].sort((a, b) => b[1].lost - a[1].lost || a[0] - b[0]);
  const out: MissingDeliveries = {
    messages: book.messages,
    listed: traced.length,
    rooms: rooms.length,
    byRoom: rooms.slice(0, ROOMS_LISTED).map(([r, x]) => ({ room: n.room(r), messages: x.messages, lost: x.lost })),
    byMessage: traced.slice(0, MESSAGES_LISTED).map((m) => ({
      phase: n.phase(m.phase),
      room: n.room(m.room),
      sender: m.sender,
      seq: m.seq,
      at: iso(m.intended),
      expected: m.expected,
      received: m.received,
      ...(m.missedBy.length > 0 ? { missedBy: m.missedBy.slice(0, MISSED_BY_NAMED) } : {}),
    })),
    recipients: book.recipientCount,
    byRecipient: book.recipients.slice(0, RECIPIENTS_LISTED).map((r) => ({
      client: r.client,
      room: n.room(r.room),
      expected: r.expected,
      missed: r.missed,
      received: r.received,
      ...(r.lastAt > 0 ? { lastAt: iso(r.lastAt) } : {}),
      state: r.state,
      ...(r.closedAt > 0 ? { closedAt: iso(r.closedAt) } : {}),
    })),
    shapes: shapes(book, traced, n),
  };
  const why = book.tracedByShards ? book.untracedWhy : 'the load shards could not be asked which members missed them';
  if (why) out.tracedWhy = why;
  return out;
}

function shapes(book: LostDeliveries, traced: TracedMessage[], n: MissingNames): MissingShape[] {
  const out: MissingShape[] = [];
  const lostOf = (m: TracedMessage) => m.expected - m.received;
  let accounted = 0;

  // burst: messages no member received (traced: not even after the loss timeout)
  const whole = traced.filter((m) => (book.tracedByShards ? m.members >= 2 && m.missing === m.members : m.received === 0 && m.expected >= 2));
  const wholeInRoom = new Map<number, number>();
  for (const m of whole) wholeInRoom.set(m.room, (wholeInRoom.get(m.room) ?? 0) + 1);
  if (whole.length > 0) {
    const d = whole.reduce((s, m) => s + lostOf(m), 0);
    accounted += d;
    const roomList = listOf([...new Set(whole.map((m) => n.room(m.room)))]);
    const senders = listOf([...new Set(whole.map((m) => `client ${m.sender}`))]);
    const span = whole.length === 1 ? `at ${time(whole[0].intended)}` : `from ${time(whole[0].intended)} to ${time(whole.at(-1)!.intended)}`;
    out.push({
      kind: 'burst',
      deliveries: d,
      line: `${fmtCount(whole.length, 'message')} lost whole, no member received ${whole.length === 1 ? 'it' : 'them'} (${fmtCount(d, 'delivery', 'deliveries')}): sent ${span} in ${roomList} by ${senders}`,
    });
  }
  if (!book.tracedByShards) return finish(out, book, traced, n, accounted);

  // own-copy: each missed by its sender alone; those senders are not counted as silent members below
  const own = traced.filter((m) => m.missing === 1 && m.missedBy[0] === m.sender);
  const ownBySender = new Map<number, number>();
  for (const m of own) ownBySender.set(m.sender, (ownBySender.get(m.sender) ?? 0) + 1);
  if (own.length > 0) {
    accounted += own.length;
    const senders = [...ownBySender.keys()].sort((a, b) => a - b);
    out.push({
      kind: 'own-copy',
      deliveries: own.length,
      line: `${fmtCount(own.length, 'message')} missed only ${own.length === 1 ? 'its' : 'their'} own sender (${listOf(senders.map((c) => `client ${c}`))}): the target does not send a sender its own message; if that is its protocol, say so (protocol recipients: others) and those are not lost`,
      clients: senders.slice(0, CLIENTS_IN_SHAPE),
    });
  }

  // connection: members that missed every traced message of their room, messages others received included
  const ownOf = (c: number) => ownBySender.get(c) ?? 0;
  const silent = book.recipients.filter((r) => r.missed === r.expected && r.missed > (wholeInRoom.get(r.room) ?? 0) + ownOf(r.client));
  if (silent.length > 0) {
    const d = silent.reduce((s, r) => s + r.missed - (wholeInRoom.get(r.room) ?? 0) - ownOf(r.client), 0);
    accounted += d;
    const head =
      silent.length === 1
        ? `client ${silent[0].client} (${n.room(silent[0].room)}) missed all ${fmtCount(silent[0].expected, 'lost message')} of its room while a member: ${fate(silent[0])}`
        : `${fmtCount(silent.length, 'connection')} missed every lost message of their rooms while members: ${silent
            .slice(0, NAMED_IN_LINE)
            .map((r) => `client ${r.client} (${n.room(r.room)}, ${r.missed} missed; ${fate(r)})`)
            .join('; ')}${silent.length > NAMED_IN_LINE ? `; and ${silent.length - NAMED_IN_LINE} more` : ''}`;
    out.push({ kind: 'connection', deliveries: d, line: head, clients: silent.slice(0, CLIENTS_IN_SHAPE).map((r) => r.client) });
  }

  // one-per-message: messages that each missed one recipient, not all the same one
  const silentIds = new Set(silent.map((r) => r.client));
  const single = traced.filter((m) => m.missing === 1 && m.missedBy.length === 1 && m.missedBy[0] !== m.sender && !silentIds.has(m.missedBy[0]));
  const who = new Map<number, number>();
  for (const m of single) who.set(m.missedBy[0], (who.get(m.missedBy[0]) ?? 0) + 1);
  if (single.length >= 2 && who.size >= 2) {
    accounted += single.length;
    const most = [...who].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    out.push({
      kind: 'one-per-message',
      deliveries: single.length,
      line: `${fmtCount(single.length, 'message')} each missed one recipient, ${fmtInt(who.size)} different ones (${most
        .slice(0, NAMED_IN_LINE)
        .map(([c, k]) => `client ${c} ×${k}`)
        .join(', ')}${most.length > NAMED_IN_LINE ? ', …' : ''}): no one connection missed them all`,
      clients: most.slice(0, CLIENTS_IN_SHAPE).map(([c]) => c),
    });
  }
  return finish(out, book, traced, n, accounted);
}

/** The shapes of what the specific ones above leave: late arrivals, untraced, scattered. */
function finish(out: MissingShape[], book: LostDeliveries, traced: TracedMessage[], n: MissingNames, accounted: number): MissingShape[] {
  let left = n.lost - accounted;
  if (n.afterLossTimeout > 0 && left > 0) {
    const d = Math.min(left, n.afterLossTimeout);
    left -= d;
    out.push({
      kind: 'after-loss-timeout',
      deliveries: d,
      line: `${fmtCount(d, 'lost delivery', 'lost deliveries')} arrived after all, later than the loss timeout (${fmtInt(n.lossTimeoutMs / 1000)} s) after their ack: slow, not gone (timeouts.loss sets how long to wait)`,
    });
  }
  const tracedLost = traced.reduce((s, m) => s + m.expected - m.received, 0);
  const untracedMessages = book.messages - traced.length;
  if (book.tracedByShards) {
    const missed = traced.reduce((s, m) => s + m.missing + m.unknown, 0);
    // missed by no member the harness counted: the target's claim (recipients − gone) was above the harness's own count
    const beyond = Math.max(0, Math.min(left, tracedLost - missed - n.afterLossTimeout));
    const past = untracedMessages > 0 ? Math.max(0, n.lost - tracedLost) : 0;
    if (beyond + past > 0) {
      left -= Math.min(left, beyond + past);
      const parts: string[] = [];
      if (beyond > 0) parts.push(`${fmtCount(beyond, 'delivery', 'deliveries')} that the target counted to recipients beyond the harness's own members`);
      if (past > 0) parts.push(`${fmtCount(untracedMessages, 'lost message')} after the first ${fmtInt(traced.length)} traced (${fmtCount(past, 'delivery', 'deliveries')})`);
      out.push({ kind: 'untraced', deliveries: beyond + past, line: `not traced to a member: ${parts.join('; ')}` });
    }
    if (left > 0) {
      const scattered = book.recipients.filter((r) => !out.some((s) => s.kind === 'connection' && s.clients?.includes(r.client)));
      out.push({
        kind: 'scattered',
        deliveries: left,
        line: `${fmtCount(left, 'delivery', 'deliveries')} missed by ${fmtCount(Math.max(scattered.length, 1), 'recipient')} across ${fmtCount(traced.filter((m) => m.missing > 0).length, 'message')}, in no simpler shape`,
        clients: scattered.slice(0, CLIENTS_IN_SHAPE).map((r) => r.client),
      });
    }
  } else if (left > 0) {
    out.push({ kind: 'untraced', deliveries: left, line: `${fmtCount(left, 'lost delivery', 'lost deliveries')} not traced to a recipient` });
  }
  return out.sort((a, b) => b.deliveries - a.deliveries);
}

/** What became of a member that missed its room's messages. */
function fate(r: MissingRecipient): string {
  const got = r.received === 0 ? 'received nothing in the run' : `received ${fmtCount(r.received, 'delivery', 'deliveries')}, the last at ${time(r.lastAt)}`;
  if (r.state === 'open') return `open to the end, ${got}`;
  if (r.closedAt > 0) return `its socket closed (${r.state}) at ${time(r.closedAt)}; it ${got}`;
  return `${r.state}; it ${got}`;
}

function listOf(items: string[]): string {
  return items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** "08:01:02.310Z": the time of day, to find in the target's logs */
function time(ms: number): string {
  return new Date(ms).toISOString().slice(11);
}
