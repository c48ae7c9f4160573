import type { QuotaLimit, Quotas } from '../contracts/quotas-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import { connectAttempts, connectThrottleOf, messageThrottleOf, THROTTLE_NEAR } from '../metrics/results/quota-attribution.ts';
import { quotaValueText } from '../metrics/results/quota-value-text.ts';
import { fmtInt, fmtNum } from '../number-format.ts';
import { onlyLoss, shareOf, sum, unexpectedCount, type Detector } from './limit-detector.ts';

/**
 * API Gateway's 429s as the fleet counted them (`throttle:*` answers, `handshake:429`): the
 * stage's throttle or the account's, by the step's rates; with none, the step's messages and
 * posts at the account's throttle while API Gateway counted client errors (throttled posts).
 */
export const apiGateway429Evidence: Detector = (r, symptoms) => {
  const messages = sum(Object.entries(r.errors).filter(([k]) => k.startsWith('throttle:')).map(([, n]) => n));
  // a connect refused with 429 is a failed connect, owed no delivery: no cause of a loss alone
  const connects = onlyLoss(symptoms) ? 0 : (r.errors['handshake:429'] ?? 0);
  const q = r.quotas?.limits;
  if (messages + connects === 0) return throttledPosts(r);
  const parts: string[] = [];
  if (messages > 0) {
    // the stage's throttle (messages) or the account's (messages and posts), by the step's rates
    const which = r.quotas ? messageThrottleOf({ sends: r.sends, deliveries: r.deliveries, durationMs: holdMsOf(r) }, r.quotas) : undefined;
    parts.push(`API Gateway answered ${fmtInt(messages)} of ${fmtInt(r.sends.sent)} messages with 429 (Too Many Requests)${throttleText(which, q)}`);
  }
  if (connects > 0) {
    // the new-connection quota or the stage's throttle ($connect is one of its routes), by the connect phases' rate
    const connecting = (r.phases ?? []).filter((p) => p.kind === 'connect');
    const rates = connecting.length > 0 ? { attempts: sum(connecting.map(connectAttempts)), durationMs: sum(connecting.map((p) => p.durationMs)) } : undefined;
    const which = r.quotas ? connectThrottleOf(rates, r.quotas) : undefined;
    parts.push(`${fmtInt(connects)} connects refused with 429 at handshake${throttleText(which, q)}`);
  }
  return { line: parts.join('; '), share: symptoms.has('errors') ? shareOf(messages + connects, unexpectedCount(r)) : undefined };
};

/** A limit as a 429's evidence names it, a throttle with its burst: ": the stage's throttle of 10 requests/s (the emulator's config), burst 5". */
function throttleText(which: QuotaLimit | undefined, q: Quotas['limits'] | undefined): string {
  const v = which && q?.[which];
  if (!v) return '';
  const burst = which === 'requestsPerSecond' ? q.requestBurst : which === 'accountRequestsPerSecond' ? q.accountRequestBurst : undefined;
  return `: ${quotaValueText(which, v)}${burst ? `, burst ${fmtInt(burst.value)}` : ''}`;
}

/** The step's send phases' length, ms. */
function holdMsOf(r: Results): number {
  return sum((r.phases ?? []).filter((p) => p.kind === 'send').map((p) => p.durationMs));
}

/**
 * The account's throttle counts @connections posts as well as messages in (the stage's counts
 * messages only), and the functions retry a post answered 429 until it goes through: a step can
 * be throttled with no client ever told so. Its evidence then is its own request rate at the
 * account's throttle (messages sent plus the posts they meant, over the hold) while API Gateway
 * counted client errors (its 4XX, 429s among them).
 */
function throttledPosts(r: Results): string | undefined {
  const limit = r.quotas?.limits.accountRequestsPerSecond;
  const clientErrors = r.cloudwatch?.apiGatewayTotals?.clientError ?? 0;
  const holdMs = holdMsOf(r);
  if (!limit || clientErrors === 0 || holdMs <= 0) return undefined;
  const posts = r.deliveries.expected;
  const perSec = (r.sends.sent + posts) / (holdMs / 1000);
  if (perSec < THROTTLE_NEAR * limit.value) return undefined;
  return `the step's requests reached the account's throttle: ${fmtInt(perSec)} requests/s (${fmtInt(r.sends.sent)} messages in and ${fmtInt(posts)} @connections posts over ${fmtNum(holdMs / 1000)} s) against ${quotaValueText('accountRequestsPerSecond', limit)}; API Gateway counted ${fmtInt(clientErrors)} client errors (4XX), its 429s to throttled posts among them`;
}
