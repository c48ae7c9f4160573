import type { MissingDeliveries } from '../../contracts/missing-deliveries-schema.ts';
import { fmtInt } from '../../number-format.ts';
import { escapeHtml as h } from '../shared/escape.ts';
import { section, table } from '../shared/html-parts.ts';

/** Rows each table of the section shows (results.json keeps more). */
const ROWS = 20;

export const MISSING_INTRO =
  'The lost deliveries traced to the members that did not receive them (a member: open and joined when its send phase began). Client ids are the harness\'s: a message\'s text carries its sender\'s as "fb1|<origin>|<slot>|<sender>|<seq>|…"; times are UTC.';

/** The run report's "Where deliveries went missing": the shapes, then by room, recipient and message. Empty without a loss. */
export function missingSection(m: MissingDeliveries | undefined): string {
  if (!m) return '';
  const shapes = `<ul class="warnings">${m.shapes.map((s) => `<li><strong>${h(s.kind)}</strong> (${fmtInt(s.deliveries)}): ${h(s.line)}</li>`).join('')}</ul>`;
  const traced = m.tracedWhy ? `<p class="note">Recipients not all named: ${h(m.tracedWhy)}.</p>` : '';
  const rooms = table(
    ['room', 'messages with a loss', 'deliveries lost'],
    m.byRoom.slice(0, ROWS).map((r) => [h(r.room), fmtInt(r.messages), fmtInt(r.lost)]),
    'num second-text',
  );
  const recipients = table(
    ['client', 'room', 'missed', 'of', 'received in the run', 'last delivery', 'state', 'closed at'],
    m.byRecipient.slice(0, ROWS).map((r) => [fmtInt(r.client), h(r.room), fmtInt(r.missed), fmtInt(r.expected), fmtInt(r.received), h(time(r.lastAt)), `<code>${h(r.state)}</code>`, h(time(r.closedAt))]),
    'num second-text',
  );
  const messages = table(
    ['sent at', 'phase', 'room', 'sender', 'seq', 'expected', 'received', 'missed by'],
    m.byMessage.slice(0, ROWS).map((x) => [h(time(x.at)), h(x.phase), h(x.room), fmtInt(x.sender), fmtInt(x.seq), fmtInt(x.expected), fmtInt(x.received), h((x.missedBy ?? []).join(', '))]),
    'num second-text',
  );
  return section(
    'Where deliveries went missing',
    MISSING_INTRO,
    `${shapes}${traced}<h3>By room (${fmtInt(m.rooms)})</h3>${rooms}<h3>By recipient (${fmtInt(m.recipients)})</h3>${recipients}<h3>By message (${fmtInt(m.messages)}, the first ${fmtInt(m.listed)} traced)</h3>${messages}`,
  );
}

/** "08:01:02.310Z" from an ISO time; "–" without one. */
function time(iso: string | undefined): string {
  return iso ? iso.slice(11) : '–';
}
