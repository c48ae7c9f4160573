import type { Search } from '../../analyses/search/search-schema.ts';
import { escapeMarkdown } from '../shared/escape.ts';
import { searchPageModel, type SearchPageModel } from './page-model.ts';

/**
 * summary.md of a capacity search (fits a CI job summary): the answer, the limiting factor's
 * evidence, the noise at the boundary, and one table row per step. Pure; a rendering of the
 * page's model (page-model.ts), as the console and index.html are.
 */
// eslint-disable-next-line no-control-regex
const md = (v: unknown) => escapeMarkdown(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

export function renderSearchMarkdown(s: Search, m: SearchPageModel = searchPageModel(s)): string {
  const out: string[] = [];
  out.push(`## fanout-bench search: ${md(m.scenario)} — ${md(m.title)}`, '');
  out.push(`${md(m.vary)} from ${md(m.from)} to ${md(m.to)}, resolution ${m.resolution}, hold ${md(m.hold)} · SLOs: ${m.slos.map((x) => `\`${x.replace(/`/g, "'")}\``).join(', ')} · target ${md(m.target)}`, '');
  out.push(`**${md(m.summary)}**`, '');
  if (m.stopped) out.push(`> ${md(m.stopped)}`, '');
  if (m.expect) out.push(`- --expect \`${m.expect.expression}\`: ${md(m.expect.detail)}`);
  for (const e of m.evidence) out.push(`- evidence (${md(e.factor)}): ${md(e.line)}`);
  for (const n of m.noise) out.push(`- noise: ${md(n)}`);
  for (const r of m.restored) out.push(`- restored: ${md(r)}`);
  out.push('', `| # | load | why | SLOs | broadcast p50 / p99${m.figureMark} | offered / delivered per s | outcome | evidence |`, '|---|---|---|---|---|---|---|---|');
  for (const st of m.steps) {
    out.push(
      `| ${st.index} | ${md(st.load)} | ${st.role} | ${md(st.slos)} | ${md(st.broadcastP50)} / ${md(st.broadcastP99)} | ${st.offeredPerSec} / ${st.deliveredPerSec} | ${st.outcome} | ${md(st.evidence.join('; ') || '–')} |`,
    );
  }
  return `${out.join('\n')}\n`;
}
