/**
 * CloudWatch counts Lambda, API Gateway and DynamoDB in whole minutes (on AWS and in the
 * emulator), so two measurements against one target that share a minute would each count the
 * other's traffic, including the previous one's $disconnects after its fleet closed. A
 * measurement that follows another therefore starts in a minute of its own: one second past the
 * first minute boundary after the previous one ended. Resolves early if `signal` aborts.
 */
export const FRESH_MINUTE_MARGIN_MS = 1_000;

export function freshMinuteStart(previousEndMs: number): number {
  return Math.ceil(previousEndMs / 60_000) * 60_000 + FRESH_MINUTE_MARGIN_MS;
}

export async function waitForFreshMinute(previousEndMs: number, signal: AbortSignal | undefined, say: (m: string) => void): Promise<void> {
  const waitMs = freshMinuteStart(previousEndMs) - Date.now();
  if (waitMs <= 0 || signal?.aborted) return;
  say(`waiting ${Math.ceil(waitMs / 1000)} s for a fresh minute, so CloudWatch's one-minute totals do not mix this measurement with the previous one`);
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    signal?.addEventListener('abort', done);
  });
}
