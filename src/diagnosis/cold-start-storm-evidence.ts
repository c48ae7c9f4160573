import { fmtInt } from '../number-format.ts';
import { ms, sum, type Detector } from './limit-detector.ts';

/** INIT this large a share of the step's Lambda time is a cold-start storm. */
export const COLD_START_STORM_SHARE = 0.2;

/**
 * A cold-start storm: INIT (and SnapStart restores, the cold start of a SnapStart function) a large
 * share of the step's Lambda time (REPORT lines), for a latency.
 */
export const coldStartStormEvidence: Detector = (r, symptoms) => {
  if (!symptoms.has('latency')) return undefined;
  const reports = Object.values(r.cloudwatch?.reports ?? {});
  const restoreMs = sum(reports.map((x) => x.restoreDurationMsTotal ?? 0));
  const init = sum(reports.map((x) => x.initDurationMsTotal)) + restoreMs;
  const run = sum(reports.map((x) => x.durationMsTotal));
  if (init === 0 || init / (init + run) < COLD_START_STORM_SHARE) return undefined;
  const restores = sum(reports.map((x) => x.restores ?? 0));
  const cold = sum(reports.map((x) => x.coldStarts)) + restores;
  const invocations = sum(reports.map((x) => x.invocations));
  const what = restores > 0 ? `INIT and SnapStart restores were` : 'INIT was';
  const of = restores > 0 ? `${ms(init - restoreMs)} of INIT, ${ms(restoreMs)} of restores (${fmtInt(restores)})` : `${ms(init)} of INIT`;
  return `a cold-start storm: ${what} ${Math.round((init / (init + run)) * 100)} % of the step's Lambda time (${fmtInt(cold)} cold starts in ${fmtInt(invocations)} invocations, ${of})`;
};
