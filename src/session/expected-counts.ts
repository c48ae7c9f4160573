import type { ExpectedCounts } from '../metrics/cloudwatch/await-published.ts';
import { runEmfSources, runFunctions } from '../metrics/cost/run-functions.ts';
import { REFERENCE_EMF } from '../contracts/reference-functions.ts';
import type { Results } from '../contracts/results-schema.ts';

/**
 * What the harness's own tallies say CloudWatch must show for the run, at least: every message
 * acknowledged ran the sendMessage function once (a publish, acknowledged by its AWS API, ran none), every connection opened passed $connect (one
 * ConnectCount, one invocation of its function), every join acknowledged ran joinRoom, and every
 * delivery a client received was a post that succeeded (FanoutDeliveries, which the reference
 * stack's sendMessage publishes in its namespace: expected of chat-v1 runs whose functions publish
 * there, as another stack's publish no such metric). CloudWatch may show more (attempts that failed after invoking, a previous run's
 * tail); never less once published.
 */
export function expectedCounts(results: Results): ExpectedCounts {
  const invocations: Record<string, number> = {};
  // Another protocol's joins and sends run routes of its own (membership connect/all has no join at all):
  // only chat-v1's are known to invoke joinRoom and sendMessage. Every stack's connects pass $connect.
  const chatV1 = results.protocol === undefined;
  // the acknowledged sends count the publishes the AWS APIs accepted too: those ran no route
  const published = (results.publish ?? []).reduce((n, p) => n + p.calls.acked, 0);
  const fromRoute: Record<string, number | undefined> = {
    sendMessage: chatV1 ? results.sends.acked - published : undefined,
    $connect: results.connections?.opened,
    joinRoom: chatV1 ? results.connections?.joined : undefined,
  };
  for (const fn of runFunctions(results)) {
    const n = fn.authorizer ? undefined : fromRoute[fn.route];
    if (n !== undefined && n > 0) invocations[fn.name] = n;
  }
  const opened = results.connections?.opened;
  const publishesPosts = runEmfSources(results).some((e) => e.namespace === REFERENCE_EMF.namespace);
  return {
    invocations,
    ...(opened ? { connectCount: opened } : {}),
    ...(chatV1 && publishesPosts && results.deliveries.received > 0 ? { fanoutDeliveries: results.deliveries.received } : {}),
  };
}
