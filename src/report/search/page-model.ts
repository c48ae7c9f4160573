import type { Search, SearchStep } from '../../analyses/search/search-schema.ts';
import { fmtInt, fmtMs, fmtPercent } from '../../number-format.ts';
import { buildSearchCharts, type SearchCharts } from './chart-data.ts';
import { figureMark, loadText, outcomeTitle, sloValues, stepOutcome, whyNotMet } from './text.ts';

/**
 * A capacity search's page facts, computed once from search.json: the console, summary.md and
 * index.html render this model, so the answer, a step's outcome or a load cannot read one way
 * on one and another way on the next. The answer and each step's outcome are search.json's,
 * never decided here; this only words them. Plain text, each renderer escapes.
 */

export interface SearchStepRow {
  index: number;
  /** "64 messages/s" */
  load: string;
  /** grow, bisect, confirm */
  role: string;
  /** "met", "not met", or the step's status when it did not complete */
  outcome: string;
  passed: boolean;
  /** the SLO values it observed: "broadcast.p99 412 ms" */
  slos: string;
  /** " (stack)" where this step's latencies are the stack's */
  figure: string;
  broadcastP50: string;
  broadcastP99: string;
  offeredPerSec: string;
  deliveredPerSec: string;
  /** why it did not meet the SLOs: crossed SLOs and failed checks (empty when it met them) */
  whyNotMet: string[];
  /** the step's own evidence lines */
  evidence: string[];
  /** its run directory, relative to the search's */
  dir: string;
}

export interface SearchPageModel {
  scenario: string;
  /** "limit found: 32 messages/s" */
  title: string;
  /** the answer found a limit or none up to --to (a pass), else a failure */
  ok: boolean;
  vary: string;
  unit: string;
  from: string;
  to: string;
  resolution: string;
  hold: string;
  warmUp: string;
  slos: string[];
  target: string;
  startedAt: string;
  /** the answer in one sentence */
  summary: string;
  /** why the search stopped early, when it did */
  stopped?: string;
  expect?: { expression: string; detail: string; held: boolean };
  /** the highest load that met every SLO (absent: none did) */
  maxPassing?: string;
  /** the first load that did not (absent: none failed) */
  firstFailing?: string;
  limitingFactor?: string;
  /** the answer's evidence at the first failing load */
  evidence: Array<{ factor: string; line: string }>;
  /** the noise at the boundary */
  noise: string[];
  /** what the search put back on the stack */
  restored: string[];
  /** " (stack)" after a latency's name where the search's latencies are the stack's */
  figureMark: string;
  steps: SearchStepRow[];
  charts: SearchCharts;
}

function stepRow(s: Search, st: SearchStep): SearchStepRow {
  const f = st.figures;
  return {
    index: st.index,
    load: loadText(s, st.load),
    role: st.role,
    outcome: stepOutcome(st),
    passed: st.passed,
    slos: sloValues(st),
    figure: f.latencyFigure === 'stack' ? ' (stack)' : '',
    broadcastP50: fmtMs(f.broadcastP50Ms),
    broadcastP99: fmtMs(f.broadcastP99Ms),
    offeredPerSec: fmtInt(Math.round(f.offeredDeliveriesPerSec)),
    deliveredPerSec: fmtInt(Math.round(f.deliveredPerSec)),
    whyNotMet: st.passed ? [] : whyNotMet(st),
    evidence: st.evidence.map((e) => e.line),
    dir: st.dir,
  };
}

export function searchPageModel(s: Search): SearchPageModel {
  const a = s.answer;
  return {
    scenario: s.scenario.name,
    title: outcomeTitle(s),
    ok: a.kind === 'limit-found' || a.kind === 'to-passed',
    vary: s.vary,
    unit: s.unit,
    from: loadText(s, s.from),
    to: loadText(s, s.to),
    resolution: fmtPercent(s.resolution * 100),
    hold: fmtMs(s.holdMs),
    warmUp: fmtMs(s.warmUpMs),
    slos: s.slos,
    target: s.target,
    startedAt: s.startedAt,
    summary: a.summary,
    ...(s.statusReason ? { stopped: s.statusReason } : {}),
    ...(s.expect ? { expect: { expression: s.expect.expression, detail: s.expect.detail, held: s.expect.held } } : {}),
    ...(a.maxPassing !== null ? { maxPassing: loadText(s, a.maxPassing) } : {}),
    ...(a.firstFailing !== null ? { firstFailing: loadText(s, a.firstFailing) } : {}),
    ...(a.limitingFactor ? { limitingFactor: a.limitingFactor } : {}),
    evidence: a.evidence.map((e) => ({ factor: e.factor, line: e.line })),
    noise: a.noise,
    restored: s.restored,
    figureMark: figureMark(s),
    steps: s.steps.map((st) => stepRow(s, st)),
    charts: buildSearchCharts(s),
  };
}
