import type { Search } from '../../analyses/search/search-schema.ts';
import { sectionLines } from '../shared/console-sections.ts';
import type { SummaryLength } from '../shared/summary-length.ts';
import { searchPageModel, type SearchPageModel } from './page-model.ts';

/** Steps a brief console shows: the last ones, which bracket the answer. */
const STEPS_SHOWN = 10;

/**
 * What `fanout-bench search` prints on stdout at the end: one line per step, then the answer and
 * its evidence, and what the search put back on the stack; brief (the command's default) shows the
 * last steps and the first evidence, the rest counted in one line. Pure; a rendering of the page's model
 * (page-model.ts), as summary.md and index.html are.
 */
export function renderSearchConsole(s: Search, m: SearchPageModel = searchPageModel(s), length: SummaryLength = 'full'): string[] {
  const steps = m.steps.map(
    (st) => `  step ${st.index} ${st.role.padEnd(7)} ${st.load.padEnd(22)} ${st.outcome.padEnd(8)} broadcast p99${st.figure} ${st.broadcastP99}${st.slos ? ` · ${st.slos}` : ''}`,
  );
  // the last steps narrow to the answer; the earlier ones of a long search are counted in brief
  const cut = Math.max(0, steps.length - STEPS_SHOWN);
  return sectionLines(
    [
      { lines: steps.slice(0, cut), detail: 'earlier steps' },
      { lines: steps.slice(cut) },
      {
        lines: [
          `search: ${m.summary}`,
          ...(m.maxPassing ? [`  highest load that met every SLO: ${m.maxPassing}`] : []),
          ...(m.firstFailing ? [`  first load that did not:         ${m.firstFailing}`] : []),
        ],
      },
      // the first evidence is the limiting factor's; the rest back it
      { lines: m.evidence.slice(0, 1).map((e) => `  evidence: ${e.line}`) },
      { lines: m.evidence.slice(1).map((e) => `  evidence: ${e.line}`), detail: 'evidence' },
      { lines: m.noise.map((n) => `  noise: ${n}`), detail: 'noise' },
      { lines: m.restored.map((r) => `  restored: ${r}`), detail: 'restored' },
      { lines: m.stopped ? [`  ${m.stopped}`] : [] },
      { lines: m.expect ? [`expect: ${m.expect.detail}`] : [] },
    ],
    length,
  );
}
