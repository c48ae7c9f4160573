/**
 * CloudWatch counts Lambda, API Gateway and DynamoDB in whole minutes (on AWS and in the
 * emulator), and a measurement's query window reaches `marginSec` before its start, then back to
 * the minute: two measurements against one target whose windows share a minute would each count
 * the other's traffic, including the previous one's $disconnects after its fleet closed. A
 * measurement that follows another therefore starts late enough that its window begins at or
 * after the first minute boundary following the previous one's end (plus a second of slack).
 * Resolves early if `signal` aborts.
 */
export function freshMinuteStart(previousEndMs: number, marginSec: number): number {
  return Math.ceil(previousEndMs / 60_000) * 60_000 + (marginSec + 1) * 1000;
}

export async function waitForFreshMinute(previousEndMs: number, marginSec: number, signal: AbortSignal | undefined, say: (m: string) => void): Promise<void> {
  const waitMs = freshMinuteStart(previousEndMs, marginSec) - Date.now();
  if (waitMs <= 0 || signal?.aborted) return;
  say(`waiting ${Math.ceil(waitMs / 1000)} s, so CloudWatch's one-minute totals do not mix this measurement with the previous one`);
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
