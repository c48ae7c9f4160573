import { notEmulatedPathText, type NotEmulatedPath } from '../../common/not-emulated-paths.ts';
import type { Results } from '../contracts/results-schema.ts';
import { fmtInt } from '../number-format.ts';

/**
 * A loss whose deliveries would travel a path the emulator does not run (results.config.target
 * .notEmulated): the function that posts to @connections is invoked on AWS by an SNS topic, a
 * queue, a rule or a stream, and here by nothing, so none of its posts are made. Named only for a
 * loss, and only for a path whose function runs here by no route: with the template saying that
 * function fans out (its role grants execute-api:ManageConnections, or it is given the API), the
 * whole loss (share 1); without, only where no function that ran here posted at all (no share).
 */
export interface NotEmulatedFinding {
  line: string;
  share?: number;
  remedy: string;
}

const POST_ACTION = 'execute-api:ManageConnections';

export function notEmulatedEvidence(r: Results, lossAsked: boolean): NotEmulatedFinding[] {
  if (!lossAsked || r.deliveries.lost === 0) return [];
  const paths = (r.config.target.notEmulated ?? []).filter((p) => p.function !== undefined && p.runsHere !== true);
  if (paths.length === 0) return [];
  const lost = `${fmtInt(r.deliveries.lost)} of ${fmtInt(r.deliveries.expected)} deliveries lost`;
  const out: NotEmulatedFinding[] = [];
  for (const p of paths.filter((x) => x.fansOut)) {
    out.push({
      line: `deliveries would travel ${notEmulatedPathText(p)}, which the emulator does not run: ${nameOf(p)} posts to @connections (its template grants it ${POST_ACTION} or gives it the WebSocket API) and nothing invokes it here, so none of its posts were made (${lost})`,
      share: 1,
      remedy: remedyOf(p),
    });
  }
  if (out.length > 0) return out;
  // no path's function is known to fan out: a cause only where nothing that ran here posted
  if (postedHere(r)) return [];
  return paths.map((p) => ({
    line: `deliveries may travel ${notEmulatedPathText(p)}, which the emulator does not run: no function that ran here posted to @connections (${lost})`,
    remedy: remedyOf(p),
  }));
}

const nameOf = (p: NotEmulatedPath) => p.function ?? p.resource;

function remedyOf(p: NotEmulatedPath): string {
  return `measure this path on AWS (--target aws:<stack>), where the ${p.source} invokes ${nameOf(p)}; or, for a local run, have the route's own function post to @connections`;
}

/** Whether a function that ran posted to @connections: its use of the action, a denied post, a post to another API, or deliveries received. */
function postedHere(r: Results): boolean {
  if (r.deliveries.received > 0) return true;
  const p = r.permissions;
  if (!p) return false;
  if ((p.foreignApiPosts ?? []).length > 0) return true;
  if ((p.denied ?? []).some((d) => d.action === POST_ACTION)) return true;
  return p.functions.some((f) => (f.used ?? []).some((u) => u.action === POST_ACTION));
}
