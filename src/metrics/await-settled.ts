import { GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { QueryWindow } from './cloudwatch-queries.ts';

/**
 * A run's last Lambda work (the $disconnects of its closing clients, their REPORT lines) reaches
 * CloudWatch a little after the fleet has closed. Pulled at once, a run would count some of it
 * and not the rest, and its work counts would move between identical runs. So, where CloudWatch
 * answers at once (the emulator), wait until the functions' invocation count stops changing:
 * unchanged for `stableMs`, at most `maxMs`. Counted: finished invocations (Duration's samples). (On AWS metrics arrive minutes late anyway; the
 * puller says so instead.)
 */
export interface SettleOptions {
  stableMs: number;
  maxMs: number;
  pollMs: number;
}

export const LOCAL_SETTLE: SettleOptions = { stableMs: 1_500, maxMs: 15_000, pollMs: 500 };

export async function awaitInvocationsSettled(
  cloudwatch: CloudWatchClient,
  functions: readonly string[],
  window: QueryWindow,
  o: SettleOptions = LOCAL_SETTLE,
): Promise<{ settled: boolean; waitedMs: number; finished: number }> {
  const started = Date.now();
  const count = async (): Promise<number> => {
    const out = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(window.startMs),
        EndTime: new Date(window.endMs),
        MetricDataQueries: functions.map((fn, i) => ({
          Id: `i${i}`,
          MetricStat: {
            // Duration is published when an invocation ends (Invocations when it starts): its
            // count settles only once the last invocation, and the DynamoDB work in it, is done
            Metric: { Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: [{ Name: 'FunctionName', Value: fn }] },
            Period: window.totalsPeriodSec,
            Stat: 'SampleCount',
          },
        })),
      }),
    );
    return (out.MetricDataResults ?? []).reduce((n, r) => n + (r.Values ?? []).reduce((a, b) => a + b, 0), 0);
  };
  let last = await count();
  let stableSince = Date.now();
  while (Date.now() - started < o.maxMs) {
    await new Promise((r) => setTimeout(r, o.pollMs));
    const now = await count();
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= o.stableMs) {
      return { settled: true, waitedMs: Date.now() - started, finished: now };
    }
  }
  return { settled: false, waitedMs: Date.now() - started, finished: last };
}
