import type { Search } from '../../analyses/search/search-schema.ts';
import { searchPageModel, type SearchPageModel } from './page-model.ts';

/**
 * What `fanout-bench search` prints on stdout at the end: one line per step, then the answer and
 * its evidence, and what the search put back on the stack. Pure; a rendering of the page's model
 * (page-model.ts), as summary.md and index.html are.
 */
export function renderSearchConsole(s: Search, m: SearchPageModel = searchPageModel(s)): string[] {
  const lines = m.steps.map(
    (st) => `  step ${st.index} ${st.role.padEnd(7)} ${st.load.padEnd(22)} ${st.outcome.padEnd(8)} broadcast p99${st.figure} ${st.broadcastP99}${st.slos ? ` · ${st.slos}` : ''}`,
  );
  lines.push(`search: ${m.summary}`);
  if (m.maxPassing) lines.push(`  highest load that met every SLO: ${m.maxPassing}`);
  if (m.firstFailing) lines.push(`  first load that did not:         ${m.firstFailing}`);
  for (const e of m.evidence) lines.push(`  evidence: ${e.line}`);
  for (const n of m.noise) lines.push(`  noise: ${n}`);
  for (const r of m.restored) lines.push(`  restored: ${r}`);
  if (m.stopped) lines.push(`  ${m.stopped}`);
  if (m.expect) lines.push(`expect: ${m.expect.detail}`);
  return lines;
}
