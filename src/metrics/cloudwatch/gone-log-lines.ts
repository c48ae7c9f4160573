import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchTarget } from '../../aws/cloudwatch-source.ts';
import type { StalePostsView } from '../measurement/stale-report.ts';
import { DEFAULT_REPORT_LIMITS } from './init-durations.ts';
import { filterLogEvents, type LogPullLimits } from './log-events.ts';
import { functionLogGroup, type FunctionLogGroups } from './function-log-group.ts';

/**
 * Posts to gone connections as a deployed stack's functions logged them: FilterLogEvents for
 * `GoneException` on each function's log group over the run. The name is in every form a 410
 * takes in a log (the SDK's exception class and its stack, a structured logger's `name`,
 * botocore's "An error occurred (GoneException)"), and in no REPORT, START or END line. Each
 * event is taken for one post. A function that handles a 410 without logging it leaves nothing
 * here, so none found is not observable, never zero. The same calls answer on AWS and on the
 * emulator's CloudWatch Logs.
 */
export const GONE_FILTER_PATTERN = 'GoneException';

export async function goneLogLines(
  target: CloudWatchTarget,
  functions: readonly string[],
  run: { startMs: number; endMs: number },
  limits: LogPullLimits = DEFAULT_REPORT_LIMITS,
  /** the functions whose log group is not `/aws/lambda/<name>` */
  logGroups?: FunctionLogGroups,
): Promise<StalePostsView> {
  const logs = new CloudWatchLogsClient(target.clients.logs);
  const groups = functions.map((fn) => functionLogGroup(fn, logGroups));
  let posts = 0;
  let lastPostAt: number | null = null;
  let truncated = false;
  // until now, not the run's end: the functions' last posts may follow the fleet's close
  const endTime = Math.ceil(Math.max(run.endMs, Date.now()));
  try {
    // one group at a time: FilterLogEvents has a low per-account request rate on AWS
    for (const group of groups) {
      const read = await filterLogEvents(logs, { logGroupName: group, filterPattern: GONE_FILTER_PATTERN, startMs: run.startMs, endMs: endTime }, limits, (e) => {
        posts++;
        if (e.timestamp !== undefined) lastPostAt = Math.max(lastPostAt ?? e.timestamp, e.timestamp);
      });
      if (read.truncated) truncated = true;
    }
  } finally {
    logs.destroy();
  }
  const where = `${GONE_FILTER_PATTERN} in ${groups.join(', ')} during the run (FilterLogEvents)`;
  if (posts === 0) {
    return { unseen: `not observable: the functions' logs name no ${where}, and a function that handles a 410 without logging it leaves no trace` };
  }
  return {
    posts,
    lastPostAt,
    source: `the functions' logs: ${posts} log event${posts === 1 ? '' : 's'} naming ${where}, each taken for one post to a gone connection (a 410 a function does not log is not counted)${truncated ? '; stopped at the page limit, a lower bound' : ''}`,
  };
}
