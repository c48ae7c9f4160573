import type { Results } from '../metrics/results-schema.ts';
import { runChecks } from './checks.ts';
import { escapeXml as x } from './escape.ts';
import { fmtMs } from './format.ts';

/**
 * junit.xml: one testcase per check (run completed, no lost deliveries, harness not saturated,
 * no unexpected errors), failures described, so any CI shows a failed run as failed tests. Pure.
 */
export function renderJunit(results: Results): string {
  const checks = runChecks(results);
  const failures = checks.filter((c) => !c.passed).length;
  const seconds = (results.durationMs / 1000).toFixed(3);
  const suite = `fanout-bench.${results.scenario.name}`;
  const timestamp = results.startedAt.replace(/(\.\d+)?Z$/, '');
  const m = results.metrics;
  const properties = [
    ['runId', results.runId],
    ['status', results.status],
    ['target', `${results.config.target.kind} ${results.config.target.url}`],
    ['connect.p99', fmtMs(m.connect.p99)],
    ['broadcast.p99', fmtMs(m.broadcast.p99)],
    ['fanoutCompletion.p99', fmtMs(m.fanoutCompletion.p99)],
    ['deliveries.lost', String(results.deliveries.lost)],
    ...(results.cost ? [['cost.totalUsd', String(results.cost.totals.total)]] : []),
  ];
  const cases = checks.map((c) => {
    const open = `    <testcase classname="${x(suite)}" name="${x(c.name)}" time="0">`;
    if (c.passed) return `${open}\n      <system-out>${x(c.detail)}</system-out>\n    </testcase>`;
    return `${open}\n      <failure message="${x(c.detail)}" type="${x(c.name)}">${x(c.detail)}</failure>\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="fanout-bench" tests="${checks.length}" failures="${failures}" errors="0" time="${seconds}">
  <testsuite name="${x(suite)}" tests="${checks.length}" failures="${failures}" errors="0" skipped="0" time="${seconds}" timestamp="${x(timestamp)}">
    <properties>
${properties.map(([k, v]) => `      <property name="${x(k)}" value="${x(v)}"/>`).join('\n')}
    </properties>
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}
