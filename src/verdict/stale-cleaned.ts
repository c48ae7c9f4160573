import type { Results } from '../contracts/results-schema.ts';
import { notJudged, type Check } from '../contracts/verdict-schema.ts';
import { fmtCount, fmtInt, fmtMs } from '../number-format.ts';
import { STALE_CHECK } from '../diagnosis/stale-handling.ts';

/**
 * A scenario that drops clients (their $disconnect lost, as a vanished client's is): the stack
 * must delete their connections on the 410 its posts to them are answered, within the run. It
 * fails where posts to them went on until the run's last message after the drop; its why is what
 * the stack's code did with its 410s where the run can see it (diagnosis/stale-handling.ts). Not judged where the
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
