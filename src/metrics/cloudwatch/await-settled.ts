import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { queryWindow } from './cloudwatch-queries.ts';

/**
 * A run's last Lambda work (the $disconnects of its closing clients, their REPORT lines) reaches
 * CloudWatch a little after the fleet has closed. Pulled at once, a run would count some of it
 * and not the rest, and its work counts would move between identical runs. So, where CloudWatch
 * answers at once (the emulator), wait until that work is done. (On AWS metrics arrive minutes
 * late anyway; the puller says so instead.)
 *
 * Done means: every invocation the functions accepted has finished (Invocations is published
 * when an invocation is accepted, Duration when it ends, so their counts meet) and nothing new
 * arrived over one poll (`quietMs`): closing sockets reach $disconnect within milliseconds. An
 * invocation that never runs (its INIT failed) publishes no Duration, so the counts may never
 * meet; then, as before that rule, the counts unchanged for `stableMs` is done (which also ends
 * the wait while a single invocation runs longer than that with nothing else happening). Counted
 * from `sinceMs` up to past the longest wait: a query window that closed while the last
 * $disconnects ran would stop counting and look settled. At most `maxMs` in all.
 */
export interface SettleOptions {
  quietMs: number;
  stableMs: number;
  maxMs: number;
  pollMs: number;
}

export const LOCAL_SETTLE: SettleOptions = { quietMs: 300, stableMs: 1_500, maxMs: 15_000, pollMs: 150 };

export interface Settled {
  settled: boolean;
  /** which rule ended the wait: every accepted invocation finished, or only nothing changed for `stableMs` */
  by?: 'all finished' | 'stable';
  waitedMs: number;
  finished: number;
}

interface Counts {
  started: number;
  finished: number;
}

export async function awaitInvocationsSettled(
  cloudwatch: CloudWatchClient,
  functions: readonly string[],
  sinceMs: number,
  o: SettleOptions = LOCAL_SETTLE,
): Promise<Settled> {
  const started = Date.now();
  const window = queryWindow({ startMs: sinceMs, endMs: started + o.maxMs + 60_000 }, 60, 0, started);
  const query = (id: string, fn: string, metric: 'Invocations' | 'Duration', stat: 'Sum' | 'SampleCount'): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: [{ Name: 'FunctionName', Value: fn }] },
      Period: window.totalsPeriodSec,
      Stat: stat,
    },
  });
  const count = async (): Promise<Counts> => {
    const out = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(window.startMs),
        EndTime: new Date(window.endMs),
        MetricDataQueries: functions.flatMap((fn, i) => [query(`s${i}`, fn, 'Invocations', 'Sum'), query(`f${i}`, fn, 'Duration', 'SampleCount')]),
      }),
    );
    const c: Counts = { started: 0, finished: 0 };
    for (const r of out.MetricDataResults ?? []) {
      const n = (r.Values ?? []).reduce((a, b) => a + b, 0);
      if (r.Id?.startsWith('s')) c.started += n;
      else c.finished += n;
    }
    return c;
  };
  let last = await count();
  let changedAt = Date.now();
  while (Date.now() - started < o.maxMs) {
    await new Promise((r) => setTimeout(r, o.pollMs));
    const now = await count();
    if (now.started !== last.started || now.finished !== last.finished) {
      last = now;
      changedAt = Date.now();
      continue;
    }
    const quietFor = Date.now() - changedAt;
    const by = now.finished === now.started && quietFor >= o.quietMs ? 'all finished' : quietFor >= o.stableMs ? 'stable' : undefined;
    if (by) return { settled: true, by, waitedMs: Date.now() - started, finished: now.finished };
  }
  return { settled: false, waitedMs: Date.now() - started, finished: last.finished };
}
