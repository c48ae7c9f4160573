import type { JudgedResults } from '../../verdict/judged.ts';
import { checkFailed, checkJudged, failsVerdict } from '../../contracts/verdict-schema.ts';
import { escapeXml as x } from '../shared/escape.ts';
import { fmtMs } from '../../number-format.ts';
import { OUTCOME_TEXT } from './verdict-text.ts';
import { runPageModel } from './page-model.ts';

/**
 * junit.xml: one testcase per built-in check (run completed, sends went out, no lost deliveries,
 * harness not saturated, no unexpected errors) and one per threshold (named by its expression; a
 * crossed threshold or one without data is a failure, one within noise passes and says so), so any
 * CI shows a failed run as failed tests. Pure: it shows the stored verdict.
 */
export function renderJunit(results: JudgedResults): string {
  const { checks, thresholds } = results.verdict;
  const tests = checks.length + thresholds.length;
  const failures = checks.filter(checkFailed).length + thresholds.filter((t) => failsVerdict(t.outcome)).length;
  const seconds = (results.durationMs / 1000).toFixed(3);
  const suite = `fanout-bench.${results.scenario.name}`;
  const timestamp = results.startedAt.replace(/(\.\d+)?Z$/, '');
  // the page's facts (page-model.ts): the headline as the page gives it, the stack's figure where the
  // local host held anything back, the client's under client.*; whose durations the cost rests on
  const page = runPageModel(results);
  const headline = page.attribution.headline;
  const properties = [
    ['runId', results.runId],
    ['status', results.status],
    ['target', `${results.config.target.kind} ${results.config.target.url}`],
    ...headline.map((f) => [`${f.key}.p99`, fmtMs((f.stack ?? f.client).p99)]),
    ...headline.flatMap((f) => (f.stack ? [[`client.${f.key}.p99`, fmtMs(f.client.p99)]] : [])),
    ['deliveries.lost', String(results.deliveries.lost)],
    ...(results.cost ? [['cost.totalUsd', String(results.cost.totals.total)]] : []),
    ...(page.thisHost ? [['measuredOn', page.thisHost]] : []),
    ...(page.host ? [['localHost.heldBack', String(page.host.heldTotal)]] : []),
    ['verdict', results.verdict.outcome],
    ...(results.verdict.baseline ? [['baseline', results.verdict.baseline.runId]] : []),
  ];
  const skipped = checks.filter((c) => !checkJudged(c)).length;
  const testcase = (classname: string, name: string, passed: boolean | 'skipped', detail: string, type: string) => {
    const open = `    <testcase classname="${x(classname)}" name="${x(name)}" time="0">`;
    // a check with nothing to judge neither passed nor failed: JUnit's skipped
    if (passed === 'skipped') return `${open}\n      <skipped message="${x(detail)}"/>\n    </testcase>`;
    if (passed) return `${open}\n      <system-out>${x(detail)}</system-out>\n    </testcase>`;
    return `${open}\n      <failure message="${x(detail)}" type="${x(type)}">${x(detail)}</failure>\n    </testcase>`;
  };
  const cases = [
    ...checks.map((c) => testcase(suite, c.name, checkJudged(c) ? c.passed : 'skipped', c.detail, c.name)),
    ...thresholds.map((t) =>
      testcase(`${suite}.thresholds`, t.expression, !failsVerdict(t.outcome), `${OUTCOME_TEXT[t.outcome]}: ${t.detail} [${t.source}]`, `threshold ${OUTCOME_TEXT[t.outcome]}`),
    ),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="fanout-bench" tests="${tests}" failures="${failures}" errors="0" time="${seconds}">
  <testsuite name="${x(suite)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds}" timestamp="${x(timestamp)}">
    <properties>
${properties.map(([k, v]) => `      <property name="${x(k)}" value="${x(v)}"/>`).join('\n')}
    </properties>
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}
