import type { ChangePoint, Level, Trend, TrendRun } from '../../analyses/trend/trend-schema.ts';
import type { MetricUnit } from '../../contracts/verdict-schema.ts';
import { fmtNum, fmtValue } from '../../number-format.ts';
import { fmtChangePercent } from '../shared/percent-change.ts';

/** How the trend pages write values, steps and commit ranges (the HTML and summary.md alike); a value as every report writes it (number-format's fmtValue). */

/** `412 ms (398–430)`: the median and the middle half of the runs, or the value alone for one run. */
export function levelText(l: Level, unit: MetricUnit): string {
  const spread = l.runs > 1 && l.high > l.low ? ` (${fmtValue(l.low, unit)}–${fmtValue(l.high, unit)})` : '';
  return `${fmtValue(l.median, unit)}${spread}`;
}

export function stepText(c: ChangePoint): string {
  return `${levelText(c.before, c.unit)} → ${levelText(c.after, c.unit)}`;
}

export function changePctText(c: ChangePoint): string {
  if (c.changePct === null) return c.after.median > c.before.median ? 'up from 0' : '–';
  return fmtChangePercent(c.changePct);
}

export const shortCommit = (commit: string | undefined) => (commit ? commit.slice(0, 12) : 'unknown');

/** The commits between the last run before and the first run after: git's `from..to`. */
export function commitRange(c: ChangePoint): string {
  if (!c.lastBeforeCommit && !c.commit) return 'commits not recorded';
  if (c.lastBeforeCommit && c.lastBeforeCommit === c.commit) return `${shortCommit(c.commit)} (the same commit)`;
  return `${shortCommit(c.lastBeforeCommit)}..${shortCommit(c.commit)}`;
}

export const runDate = (r: Pick<TrendRun, 'startedAt'>) => r.startedAt.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');

/** What the trend says where it found no change point: within the noise only among runs of one configuration. */
export function noChangeText(t: Pick<Trend, 'configChanges'>): string {
  if (!t.configChanges?.length) return 'No change point: every metric stayed at its level within the noise, and no work count changed.';
  return 'No change point within any stretch of one configuration: there every metric stayed at its level within the noise, and no work count changed.';
}

/**
 * Each change of configuration, as the pages say it: the runs are not comparable on the noisy
 * metrics across it ("fanout-send-message 256 → 512 MB from run X: …").
 */
export function configChangeLines(t: Pick<Trend, 'configChanges'>): string[] {
  return (t.configChanges ?? []).map(
    (c) => `${c.what.join(', ')} from run ${c.runId} (after ${c.lastBeforeRunId}): latencies, Duration, cost and CPU are not comparable across it, so no noise rule judged the step there`,
  );
}

export function methodText(c: ChangePoint): string {
  return c.method === 'exact' ? 'exact (work count)' : `E-Divisive, p = ${c.pValue !== undefined ? fmtNum(c.pValue) : '–'}`;
}
