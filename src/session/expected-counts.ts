import type { ExpectedCounts } from '../metrics/cloudwatch/await-published.ts';
import { runFunctions } from '../metrics/cost/run-functions.ts';
import type { Results } from '../contracts/results-schema.ts';

/**
 * What the harness's own tallies say CloudWatch must show for the run, at least: every message
 * acknowledged ran the sendMessage function once, every connection opened passed $connect (one
 * ConnectCount, one invocation of its function), every join acknowledged ran joinRoom, and every
 * delivery a client received was a post that succeeded (FanoutDeliveries). CloudWatch may show
 * more (attempts that failed after invoking, a previous run's tail); never less once published.
 */
export function expectedCounts(results: Results): ExpectedCounts {
  const invocations: Record<string, number> = {};
  const fromRoute: Record<string, number | undefined> = {
    sendMessage: results.sends.acked,
    $connect: results.connections?.opened,
    joinRoom: results.connections?.joined,
  };
  for (const fn of runFunctions(results)) {
    const n = fn.authorizer ? undefined : fromRoute[fn.route];
    if (n !== undefined && n > 0) invocations[fn.name] = n;
  }
  const opened = results.connections?.opened;
  return {
    invocations,
    ...(opened ? { connectCount: opened } : {}),
    ...(results.deliveries.received > 0 ? { fanoutDeliveries: results.deliveries.received } : {}),
  };
}
