import type { FunctionError } from '../contracts/cloudwatch-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import { notJudged, type Check } from '../contracts/verdict-schema.ts';
import { fmtCount, fmtInt, fmtMs, fmtNum } from '../number-format.ts';

/** The built-in check a scenario that drops clients gets (scenarios/builtin/stale-cleanup.ts is one). */
export const STALE_CHECK = 'stale connections cleaned';

/**
 * A scenario that drops clients (their $disconnect lost, as a vanished client's is): the stack
 * must delete their connections on the 410 its posts to them are answered, within the run. It
 * fails where posts to them went on until the run's last message after the drop; its why is what
 * the stack's code did with its 410s where the run can see it (goneHandling). Not judged where the
 * drop dropped nobody, nothing went out after it, or the target has no view of the posts.
 * Absent from a scenario with no drop.
 */
export function staleCleaned(results: Results): Check | undefined {
  const stale = results.stale;
  const drop = results.phases?.find((p) => p.kind === 'drop');
  if (!stale || !drop) return undefined;
  if (stale.dropped === 0) return notJudged(STALE_CHECK, 'the drop phase dropped no client');
  // "from …": the target's own view stood in for the acks (session/target-stale.ts)
  const unseen = results.protocol?.notObservable?.['stale.gone410'];
  if (unseen !== undefined && !unseen.startsWith('from ')) {
    return notJudged(STALE_CHECK, `the posts to the dropped clients' connections are not observable (${unseen.replace(/^not observable: /, '')})`);
  }
  const later = (results.phases ?? []).filter((p) => p.index > drop.index);
  if (later.every((p) => p.sends.sent === 0)) return notJudged(STALE_CHECK, 'no message was sent after the drop, so no post could meet a stale connection');
  // from the acks (chat-v1's `sent`): only an acknowledged message says whether it met one
  if (unseen === undefined && later.every((p) => p.sends.acked === 0)) return notJudged(STALE_CHECK, 'no message after the drop was acknowledged, so no answer said whether its posts met a stale connection');
  const theirs = stale.dropped === 1 ? "the dropped client's connection" : `the ${fmtInt(stale.dropped)} dropped clients' connections`;
  const posts = `${fmtCount(stale.gone410, 'post')} answered 410 to ${theirs}`;
  if (stale.timeToCleanMs !== null) {
    return {
      name: STALE_CHECK,
      passed: true,
      detail: stale.gone410 === 0 ? `no post went to ${theirs}` : `${posts}; time to clean ${fmtMs(stale.timeToCleanMs)}`,
    };
  }
  // what the code did with them is the check's why (explanations.ts staleWhy), said once
  return { name: STALE_CHECK, passed: false, detail: `never cleaned: ${posts}, the last of them at the run's last message; ${fmtInt(stale.wastedPosts)} wasted posts` };
}

/** The remedy for a stack that never cleans up: what a 410 is in the SDK's own terms. */
export const STALE_REMEDY =
  "on a post answered 410 delete the connection's row and go on: in the AWS SDK v3 the error is a GoneException (`err.name === 'GoneException'`, its status in `err.$metadata.httpStatusCode`; it has no `statusCode`, which was v2's), in boto3 a ClientError whose `response['Error']['Code']` is 'GoneException'";

export interface GoneHandling {
  factor: 'function-errors' | 'logged-errors';
  line: string;
  /** 1: this one way of handling the 410s is how every one was treated */
  share?: number;
}

/**
 * What the stack's code did with its 410s, where the run can see it: a function that threw
 * GoneException, one that caught and logged it, none that named it (caught and ignored); and
 * dropped connections posted to after their first 410 (their rows never deleted).
 */
export function goneHandling(results: Results): GoneHandling[] {
  const stale = results.stale;
  if (!stale) return [];
  const seen = (errors: Record<string, readonly FunctionError[]> | undefined, how: string) =>
    Object.entries(errors ?? {}).flatMap(([fn, kinds]) =>
      kinds.filter((k) => k.kind === 'GoneException').map((k) => `${fn} ${how} GoneException ×${fmtInt(k.count)}${k.firstFrame ? ` (at ${k.firstFrame})` : ''}`),
    );
  const cw = results.cloudwatch;
  const thrown = seen(cw?.functionErrors, 'threw').map((line) => ({ factor: 'function-errors' as const, line }));
  const logged = seen(cw?.loggedErrors, 'caught and logged').map((line) => ({ factor: 'logged-errors' as const, line }));
  // the functions' errors come from the same read of their logs as their REPORT lines: no REPORT, no read
  const read = Object.keys(cw?.reports ?? {}).length > 0;
  const ignored =
    thrown.length + logged.length === 0 && read && stale.gone410 > 0 ? [{ factor: 'logged-errors' as const, line: "no function's log names a GoneException: its code caught the 410s and ignored them" }] : [];
  const again =
    stale.dropped > 0 && stale.gone410 > stale.dropped
      ? `the dropped connections were posted to again after their first 410 (${fmtNum(stale.gone410 / stale.dropped)} posts per dropped connection): their rows were never deleted`
      : undefined;
  const handled: GoneHandling[] = [...thrown, ...logged, ...ignored];
  // one way of handling them seen: how every 410 was treated, the whole of the symptom, and what kept the rows
  if (handled.length === 1) return [{ ...handled[0]!, line: again ? `${handled[0]!.line}; so ${again}` : handled[0]!.line, share: 1 }];
  return [...handled, ...(again ? [{ factor: 'logged-errors' as const, line: again }] : [])];
}
