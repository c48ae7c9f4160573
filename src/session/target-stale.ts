import type { Results } from '../contracts/results-schema.ts';
import { staleFromTarget } from '../metrics/measurement/stale-report.ts';
import type { SystemFacts } from '../metrics/results/system-facts.ts';
import type { Target } from '../targets/target.ts';

/**
 * Stale-connection cleanup for a protocol whose answers do not count 410s (results.protocol marks
 * the figures not observable): asked of the target's own view of posts to the dropped clients'
 * connections (Target.stalePosts: the emulator's gateway, the functions' logs), once the system
 * has settled. The finding says where the figures come from (results.stale.source, and the
 * protocol's notObservable entries turn into "from …"); a target without a view leaves them not
 * observable, one whose view saw nothing it can vouch for says why. chat-v1's figures, from its
 * acks, are never touched (undefined). Never throws: a view that cannot be read is a warning.
 */
export async function targetStale(results: Results, target: Target, o: { lastSentAfterDrop: number | undefined; onWarning?: (message: string) => void }): Promise<SystemFacts['stale']> {
  const stale = results.stale;
  const drop = results.phases?.find((p) => p.kind === 'drop');
  if (!stale || !results.protocol?.notObservable['stale.gone410'] || !drop || !target.stalePosts) return undefined;
  let view;
  try {
    view = await target.stalePosts({ startMs: Date.parse(results.startedAt), endMs: Date.parse(results.endedAt) });
  } catch (err) {
    const why = `the target's view of posts to dropped clients' connections could not be read (${(err as Error).message})`;
    o.onWarning?.(why);
    return { source: `not observable: ${why}` };
  }
  if ('unseen' in view) return { source: view.unseen };
  return {
    stale: { ...staleFromTarget(view, { dropped: stale.dropped, dropAt: drop.startedAt, lastSentAt: o.lastSentAfterDrop }), source: view.source },
    source: `from ${view.source}`,
  };
}
