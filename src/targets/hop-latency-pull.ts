import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { HopLatency } from '../contracts/hop-latency-schema.ts';
import type { LatencySummary } from '../contracts/latency-summary-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import { ownSettings } from '../aws/sdk-settings.ts';
import { pullHopLatency } from '../metrics/cloudwatch/hop-reach-pull.ts';
import type { Target } from './target.ts';

/**
 * results.hopLatency for a local target whose CloudWatch is the emulator's (the only one that
 * stamps probe reach: common/probe-reach-metric.ts), over the window the CloudWatch pull used.
 * undefined on AWS (an `aws:` target, a wss:// URL), without a pull, or where no hop was stamped.
 */
export async function hopLatencyOf(target: Target, results: Pick<Results, 'cloudwatch' | 'metrics' | 'publish'>): Promise<HopLatency | undefined> {
  const window = results.cloudwatch?.window;
  if (!window || !target.local || target.cloudWatch?.source !== 'local' || results.cloudwatch?.status === 'unavailable') return undefined;
  const cloudwatch = new CloudWatchClient(ownSettings(target.cloudWatch.clients.cloudwatch));
  try {
    return await pullHopLatency(cloudwatch, window, deliveredLatency(results));
  } finally {
    cloudwatch.destroy();
  }
}

/** The run's delivery latency: its clients' messages', else its publish phase's with the most deliveries. */
export function deliveredLatency(results: Pick<Results, 'metrics' | 'publish'>): LatencySummary | undefined {
  if (results.metrics.broadcast.count > 0) return results.metrics.broadcast;
  const published = (results.publish ?? []).flatMap((p) => (p.delivery && p.delivery.count > 0 ? [p.delivery] : []));
  return published.sort((a, b) => b.count - a.count)[0];
}
