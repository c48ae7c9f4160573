import { notEmulatedPathText, type NotEmulatedPath } from '../../common/not-emulated-paths.ts';
import { functionsOnPath } from './path-evidence.ts';
import { serviceName, unservedCallText } from '../../common/unserved-calls.ts';
import type { Results } from '../contracts/results-schema.ts';
import { fmtInt } from '../number-format.ts';

/**
 * A loss whose deliveries would travel a path the emulator does not run (results.config.target
 * .notEmulated): the function that posts to @connections is invoked on AWS by an SNS topic, a
 * queue, a rule or a stream, and here by nothing, so none of its posts are made. Named only for a
 * loss, and only for a path whose function runs here by no route: with the template saying that
 * function fans out (its role grants execute-api:ManageConnections, or it is given the API), the
 * whole loss (share 1); without, only where no function that ran here posted at all (no share).
 * Before those: the calls a function made to an AWS endpoint the emulator does not serve.
 */
export interface NotEmulatedFinding {
  line: string;
  share?: number;
  remedy: string;
}

const POST_ACTION = 'execute-api:ManageConnections';

export function notEmulatedEvidence(r: Results, lossAsked: boolean, errorsAsked = false): NotEmulatedFinding[] {
  return [...unservedCallFindings(r, lossAsked, errorsAsked), ...notEmulatedPathFindings(r, lossAsked)];
}

/**
 * Calls a function made to an AWS endpoint the emulator does not serve (results.unservedCalls,
 * the emulator's record): each was refused, so whatever it was for did not happen here. The first
 * cause of a loss or of errors the run met (share 1: nothing else can be judged past it), one line
 * per kind of call, most first, where the calling function bears on the symptom: for a loss, a
 * function on the lost messages' path (results.hopLatency's stamps name the functions they reached;
 * without stamps, any); for errors, one that failed or logged an error, or whose failure a client
 * meets as one (an authorizer, `$connect`'s). Otherwise the line carries no share, so what bears
 * ranks first.
 */
function unservedCallFindings(r: Results, lossAsked: boolean, errorsAsked: boolean): NotEmulatedFinding[] {
  const calls = r.unservedCalls ?? [];
  const lossMet = lossAsked && r.deliveries.lost > 0;
  const errorsMet = errorsAsked && Object.keys(r.errors).length > 0;
  if (calls.length === 0 || (!lossMet && !errorsMet)) return [];
  const broke = [...(lossMet ? [`${fmtInt(r.deliveries.lost)} of ${fmtInt(r.deliveries.expected)} deliveries lost`] : []), ...(errorsMet ? ['the errors the clients met'] : [])];
  const onPath = functionsOnPath(r);
  const bears = (fn: string) => (errorsMet && failedOrRefused(r, fn)) || (lossMet && (onPath.size === 0 || onPath.has(fn)));
  return calls.map((c) => ({
    line: `${unservedCallText(c)}; what the call was for did not happen here (${broke.join('; ')})`,
    ...(bears(c.function) ? { share: 1 } : {}),
    remedy: `measure this stack on AWS (--target aws:<stack>), where ${serviceName(c.service)} answers; locally, ${c.function} gets no answer from it`,
  }));
}

/** Whether a function's failure reached the clients: it errored or logged an error, or it is an authorizer or `$connect`'s. */
function failedOrRefused(r: Results, fn: string): boolean {
  const cw = r.cloudwatch;
  if ((cw?.lambda[fn]?.errors ?? 0) > 0 || (cw?.functionErrors?.[fn]?.length ?? 0) > 0 || (cw?.loggedErrors?.[fn]?.length ?? 0) > 0) return true;
  const f = r.config.target.functions?.functions.find((x) => x.name === fn);
  return f !== undefined && (f.authorizer === true || f.route === '$connect');
}

function notEmulatedPathFindings(r: Results, lossAsked: boolean): NotEmulatedFinding[] {
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
