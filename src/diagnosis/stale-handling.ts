import type { FunctionError } from '../contracts/cloudwatch-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import { fmtInt, fmtNum } from '../number-format.ts';

/** The built-in check a scenario that drops clients gets (verdict/stale-cleaned.ts judges it; scenarios/builtin/stale-cleanup.ts is one such scenario). */
export const STALE_CHECK = 'stale connections cleaned';

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
