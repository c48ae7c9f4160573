import { fmtInt } from '../number-format.ts';
import { ms, sum, type Detector } from './limit-detector.ts';

/** INIT this large a share of the step's Lambda time is a cold-start storm. */
export const COLD_START_STORM_SHARE = 0.2;

/**
 * A cold-start storm: INIT a large share of the step's Lambda time (REPORT lines), for a latency.
 */
export const coldStartStormEvidence: Detector = (r, symptoms) => {
  if (!symptoms.has('latency')) return undefined;
  const reports = Object.values(r.cloudwatch?.reports ?? {});
  const init = sum(reports.map((x) => x.initDurationMsTotal));
  const run = sum(reports.map((x) => x.durationMsTotal));
  if (init === 0 || init / (init + run) < COLD_START_STORM_SHARE) return undefined;
  const cold = sum(reports.map((x) => x.coldStarts));
  const invocations = sum(reports.map((x) => x.invocations));
  return `a cold-start storm: INIT was ${Math.round((init / (init + run)) * 100)} % of the step's Lambda time (${fmtInt(cold)} cold starts in ${fmtInt(invocations)} invocations, ${ms(init)} of INIT)`;
};
