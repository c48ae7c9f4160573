import { escapeHtml as h, escapeMarkdown as md } from '../shared/escape.ts';
import { section, table } from '../shared/html-parts.ts';
import type { HopsModel } from './hops-model.ts';

/**
 * The delivery latency split by hop (hops-model.ts) as summary.md's table and the page's "Hops"
 * section: one row per hop by p50 reach, the deliveries last, then what could not be read.
 */
export const HOPS_INTRO =
  "How far the run's messages had come, hop by hop, as the local emulator stamped it wherever a message carrying the harness's probe passed: reach is the time from the message's intended send to that hop (p50 and p99 of its stamps), step the p50's rise from the hop before. The host's waits are inside a lambda: hop's reach (see Local host). A hop where the stack re-encodes the payload (base64, say) is not timed.";

const HEAD = ['hop', 'count', 'p50 reach', 'p99 reach', 'step'];

export function hopsMarkdown(p: HopsModel | undefined): string[] {
  if (!p) return [];
  return [
    '### Hops',
    '',
    md(HOPS_INTRO),
    '',
    `| ${HEAD.join(' | ')} |`,
    '|---|---:|---:|---:|---:|',
    ...p.rows.map((r) => `| ${md(r.hop)} | ${r.count} | ${r.p50} | ${r.p99} | ${r.step} |`),
    '',
    ...p.notes.map((n) => `- ${md(n)}`),
    ...(p.notes.length > 0 ? [''] : []),
  ];
}

export function hopsHtml(p: HopsModel): string {
  const rows = p.rows.map((r) => [`<code>${h(r.hop)}</code>`, h(r.count), h(r.p50), h(r.p99), h(r.step)]);
  const notes = p.notes.length > 0 ? `<ul>${p.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : '';
  return section('Hops', HOPS_INTRO, table(HEAD, rows) + notes);
}
