import type { Search } from '../../analyses/search/search-schema.ts';
import { fmtMs } from '../../number-format.ts';
import { loadText, sloValues, stepOutcome } from './text.ts';

/** What `fanout-bench search` prints on stdout at the end: one line per step, then the answer and its evidence. Pure. */
export function renderSearchConsole(s: Search): string[] {
  const lines = s.steps.map(
    (st) => `  step ${st.index} ${st.role.padEnd(7)} ${loadText(s, st.load).padEnd(22)} ${stepOutcome(st).padEnd(8)} broadcast p99${st.figures.latencyFigure === 'stack' ? ' (stack)' : ''} ${fmtMs(st.figures.broadcastP99Ms)}${st.slos.length ? ` · ${sloValues(st)}` : ''}`,
  );
  const a = s.answer;
  lines.push(`search: ${a.summary}`);
  if (a.maxPassing !== null) lines.push(`  highest load that met every SLO: ${loadText(s, a.maxPassing)}`);
  if (a.firstFailing !== null) lines.push(`  first load that did not:         ${loadText(s, a.firstFailing)}`);
  for (const e of a.evidence) lines.push(`  evidence: ${e.line}`);
  for (const n of a.noise) lines.push(`  noise: ${n}`);
  if (s.statusReason) lines.push(`  ${s.statusReason}`);
  if (s.expect) lines.push(`expect: ${s.expect.detail}`);
  return lines;
}
