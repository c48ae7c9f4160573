/**
 * CloudWatch counts Lambda, API Gateway and DynamoDB per period: on AWS per minute, in the
 * emulator's default mode per second. A measurement's query window reaches `marginSec` before its
 * start, then back to the period's boundary (AWS rounds StartTime down to the minute): two
 * measurements against one target whose windows overlap would each count the other's traffic,
 * including the previous one's $disconnects after its fleet closed, and a warm-up's. A
 * measurement that follows another therefore starts late enough that its window begins at or
 * after the first period boundary following the previous one's end (plus a second of slack): on
 * AWS up to a minute later, on the emulator's per-second metrics `marginSec` + 1 s later.
 */
export function freshWindowStart(previousEndMs: number, window: { periodSec: number; marginSec: number }): number {
  const periodMs = window.periodSec * 1000;
  return Math.ceil(previousEndMs / periodMs) * periodMs + (window.marginSec + 1) * 1000;
}

/** Waits until `freshWindowStart`; resolves early if `signal` aborts. */
export async function waitForFreshWindow(
  previousEndMs: number,
  window: { periodSec: number; marginSec: number },
  signal: AbortSignal | undefined,
  say: (m: string) => void,
): Promise<void> {
  const waitMs = freshWindowStart(previousEndMs, window) - Date.now();
  if (waitMs <= 0 || signal?.aborted) return;
  const what = window.periodSec >= 60 ? "CloudWatch's one-minute totals do not" : "the target's CloudWatch window does not";
  say(`waiting ${Math.ceil(waitMs / 1000)} s, so ${what} mix this measurement with the previous one`);
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
