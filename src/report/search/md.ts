import type { Search } from '../../analyses/search/search-schema.ts';
import { fmtInt, fmtMs, fmtPercent } from '../../number-format.ts';
import { escapeMarkdown } from '../shared/escape.ts';
import { figureMark, loadText, outcomeTitle, sloValues, stepOutcome } from './text.ts';

/**
 * summary.md of a capacity search (fits a CI job summary): the answer, the limiting factor's
 * evidence, the noise at the boundary, and one table row per step. Pure.
 */
// eslint-disable-next-line no-control-regex
const md = (v: unknown) => escapeMarkdown(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

export function renderSearchMarkdown(s: Search): string {
  const a = s.answer;
  const out: string[] = [];
  out.push(`## fanout-bench search: ${md(s.scenario.name)} — ${md(outcomeTitle(s))}`, '');
  out.push(`${md(s.vary)} from ${md(loadText(s, s.from))} to ${md(loadText(s, s.to))}, resolution ${fmtPercent(s.resolution * 100)}, hold ${md(fmtMs(s.holdMs))} · SLOs: ${s.slos.map((x) => `\`${x.replace(/`/g, "'")}\``).join(', ')} · target ${md(s.target)}`, '');
  out.push(`**${md(a.summary)}**`, '');
  if (s.statusReason) out.push(`> ${md(s.statusReason)}`, '');
  if (s.expect) out.push(`- --expect \`${s.expect.expression}\`: ${md(s.expect.detail)}`);
  for (const e of a.evidence) out.push(`- evidence (${md(e.factor)}): ${md(e.line)}`);
  for (const n of a.noise) out.push(`- noise: ${md(n)}`);
  for (const r of s.restored) out.push(`- restored: ${md(r)}`);
  out.push('', `| # | load | why | SLOs | broadcast p50 / p99${figureMark(s)} | offered / delivered per s | outcome | evidence |`, '|---|---|---|---|---|---|---|---|');
  for (const st of s.steps) {
    const f = st.figures;
    out.push(
      `| ${st.index} | ${md(loadText(s, st.load))} | ${st.role} | ${md(sloValues(st))} | ${md(fmtMs(f.broadcastP50Ms))} / ${md(fmtMs(f.broadcastP99Ms))} | ${fmtInt(Math.round(f.offeredDeliveriesPerSec))} / ${fmtInt(Math.round(f.deliveredPerSec))} | ${stepOutcome(st)} | ${md(st.evidence.map((e) => e.line).join('; ') || '–')} |`,
    );
  }
  return `${out.join('\n')}\n`;
}
