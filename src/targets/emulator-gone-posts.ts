import { GoneConnections } from '../../common/gone-connections.ts';
import type { StalePostsView } from '../metrics/measurement/stale-report.ts';
import { readEmulatorRecord } from './emulator-record.ts';

/**
 * Posts to dropped clients' connections as the local emulator saw them: its gateway's record of
 * connections that went and the @connections posts to each after (common/gone-connections.ts),
 * read by URL as the ready line names it. A dropped client's socket ends without a close frame, so
 * those connections are the ones that went that way during the run; every post to them was
 * answered 410, however the stack went on to treat it. The emulator sees every post: none is zero.
 */
export async function emulatorGonePosts(endpoint: string, run: { startMs: number; endMs: number }): Promise<StalePostsView> {
  const record = await readEmulatorRecord(endpoint, run, GoneConnections);
  const dropped = record.connections.filter((c) => c.cause === 'no-close-frame' && c.goneAt <= run.endMs);
  let posts = 0;
  let lastPostAt: number | null = null;
  for (const c of dropped) {
    posts += c.posts;
    if (c.lastPostAt !== null) lastPostAt = Math.max(lastPostAt ?? c.lastPostAt, c.lastPostAt);
  }
  const forgotten = record.evicted > 0 ? `; the record forgot ${record.evicted} connections for its cap of ${record.cap}, so posts to any of them are not counted` : '';
  return {
    posts,
    lastPostAt,
    source: `the emulator's gateway: ${posts} @connections post${posts === 1 ? '' : 's'} answered 410 to the ${dropped.length} connection${dropped.length === 1 ? '' : 's'} that ended without a close frame during the run (GET ${new URL(endpoint).pathname})${forgotten}`,
  };
}
