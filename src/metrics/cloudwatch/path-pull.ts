import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { StackPath } from '../../contracts/path-schema.ts';
import { toMetricDataQuery, type QueryWindow } from './cloudwatch-queries.ts';
import { getMetricData } from './metric-data-fetch.ts';
import { pathHops } from './path-hops.ts';
import { pathRequests, type PathResources } from './path-queries.ts';
import { describeProblem } from './pull-problem.ts';

/**
 * The path's metrics over the run's CloudWatch window (the one the rest of the pull used, at its
 * period: results.cloudwatch.window), asked the same way of AWS and of the emulator. Never throws:
 * a failed pull leaves the hops with zero counts and says why in the path's notes.
 */
export async function pullPath(cloudwatch: CloudWatchClient, resources: PathResources, window: { startMs: number; endMs: number; periodSec: number }): Promise<StackPath> {
  const requests = pathRequests(resources);
  const w = wholeWindow(window);
  try {
    const data = await getMetricData(
      cloudwatch,
      requests.map((r, i) => toMetricDataQuery(`q${i}`, r, w)),
      w,
    );
    return pathHops(resources, requests, data, window.periodSec);
  } catch (error) {
    const p = describeProblem('GetMetricData (the path)', error);
    const path = pathHops({ ...resources, notes: [...resources.notes, `the path's metrics could not be pulled: ${p.errorName} ${p.message}`] }, requests, new Map(), window.periodSec);
    return path;
  }
}

/** The window with its whole-window period, as queryWindow makes it (a multiple of a minute covering the window); the hops' reach is asked the same way (hop-reach-pull.ts). */
export function wholeWindow(window: { startMs: number; endMs: number; periodSec: number }): QueryWindow {
  const unitSec = window.periodSec % 60 === 0 ? window.periodSec : 60;
  const totalsPeriodSec = Math.max(unitSec, Math.ceil((window.endMs - window.startMs) / (unitSec * 1000)) * unitSec);
  return { ...window, totalsPeriodSec };
}
