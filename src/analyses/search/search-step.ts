import type { Results } from '../../contracts/results-schema.ts';
import { sloMet } from '../../verdict/slo-met.ts';
import { checkFailed, type Verdict } from '../../contracts/verdict-schema.ts';
import { fmtInt } from '../../number-format.ts';
import { limitEvidence } from '../../diagnosis/limit-evidence.ts';
import type { SearchStep, StepRole } from './search-schema.ts';
import { errorTotal, lookupMetric, namedFigure, type Metric } from '../../contracts/metric-catalogue.ts';

/**
 * One step of a search as search.json keeps it, read from the step's judged results: whether it
 * met every SLO (the thresholds of its verdict) and the built-in checks, its figures (offered
 * against delivered load over the hold, latencies) and the evidence of what limited it.
 */

/**
 * A step whose connects or sends failed this much measured a target refusing nearly everything,
 * not a load level: the search stops at once rather than push harder. (A throttle refusing part
 * of the load is a limit to find, so the bar is high.)
 */
export const MASS_ERROR_SHARE = 0.9;

export function searchStep(
  results: Results & { verdict: Verdict },
  at: { index: number; load: number; role: StepRole; dir: string },
): SearchStep {
  const v = results.verdict;
  const sendPhases = (results.phases ?? []).filter((p) => p.kind === 'send');
  const holdMs = sendPhases.length > 0 ? sendPhases.reduce((n, p) => n + p.durationMs, 0) : results.durationMs;
  const perSec = (n: number) => (holdMs > 0 ? n / (holdMs / 1000) : 0);
  const d = results.deliveries;
  // each message is offered to its room's members: as many as the harness counted per acked message
  const membersPerMessage = results.sends.acked > 0 ? d.expected / results.sends.acked : results.config.clients / Math.max(1, results.config.rooms);
  const mass = massErrors(results);
  const latencyFigure = namedFigure(FIGURES.broadcastP99, [results]);
  return {
    index: at.index,
    load: at.load,
    role: at.role,
    runId: results.runId,
    dir: at.dir,
    status: results.status,
    passed: sloMet(v),
    slos: v.thresholds.map((t) => {
      const figure = figureOfName(t.metric, results);
      return { expression: t.expression, metric: t.metric, unit: t.unit, observed: t.observed, limit: t.limit, outcome: t.outcome, ...(figure ? { figure } : {}) };
    }),
    failedChecks: v.checks.filter(checkFailed).map((c) => `${c.name}: ${c.detail}`),
    figures: {
      holdMs,
      offeredMessagesPerSec: perSec(results.sends.intended),
      offeredDeliveriesPerSec: perSec(results.sends.intended * membersPerMessage),
      deliveredPerSec: perSec(d.received),
      broadcastP50Ms: valueOf(FIGURES.broadcastP50, results),
      broadcastP99Ms: valueOf(FIGURES.broadcastP99, results),
      fanoutCompletionP99Ms: valueOf(FIGURES.fanoutCompletionP99, results),
      ...(latencyFigure ? { latencyFigure } : {}),
      lost: d.lost,
      errors: errorTotal(results.errors),
    },
    evidence: limitEvidence(results),
    ...(mass ? { massErrors: mass } : {}),
  };
}

/** The step's latencies as the metric catalogue reads them: the stack's where the step has them, so the knee is the stack's. */
const FIGURES = {
  broadcastP50: lookupMetric('broadcast.p50') as Metric,
  broadcastP99: lookupMetric('broadcast.p99') as Metric,
  fanoutCompletionP99: lookupMetric('fanoutCompletion.p99') as Metric,
};

function valueOf(m: Metric, r: Results): number | null {
  const x = m.read(r);
  return 'value' in x ? x.value : null;
}

/** Whose figure a threshold's metric judged in this step (the verdict read it through the catalogue the same way). */
function figureOfName(name: string, r: Results): 'stack' | 'client' | undefined {
  const m = lookupMetric(name);
  return 'problem' in m ? undefined : namedFigure(m, [r]);
}

/** Why a step's errors are too many to go on (the target is down or refusing nearly everything), or undefined. */
export function massErrors(r: Results): string | undefined {
  if (r.status === 'failed') return `the step failed: ${r.statusReason ?? 'the target stopped answering'}`;
  const c = r.connections;
  if (c && c.attempted > 0 && c.failed >= MASS_ERROR_SHARE * c.attempted) {
    return `${fmtInt(c.failed)} of ${fmtInt(c.attempted)} connects failed`;
  }
  const { sent, failed } = r.sends;
  if (sent > 0 && failed >= MASS_ERROR_SHARE * sent) return `${fmtInt(failed)} of ${fmtInt(sent)} sends failed`;
  return undefined;
}
