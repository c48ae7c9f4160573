import { type CloudWatchLogsClient, type FilteredLogEvent, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';

/** How far one log group is read: FilterLogEvents pages (each up to 10,000 events) and a wall-clock budget. */
export interface LogPullLimits {
  maxPages: number;
  deadlineMs: number;
}

/**
 * Every event of one log group that matches a filter pattern over a window, page after page
 * within the limits, each handed to `onEvent`. The same calls answer on AWS and on the emulator's
 * CloudWatch Logs. A group that does not exist (a function never invoked, a stage without
 * execution logging) had nothing logged to it: `missing`, not an error; `truncated` when the limits
 * stopped the pages before the end.
 */
export async function filterLogEvents(
  logs: CloudWatchLogsClient,
  query: { logGroupName: string; filterPattern?: string; startMs: number; endMs: number },
  limits: LogPullLimits,
  onEvent: (event: FilteredLogEvent) => void,
): Promise<{ missing: boolean; truncated: boolean }> {
  const deadline = Date.now() + limits.deadlineMs;
  let nextToken: string | undefined;
  let pages = 0;
  try {
    do {
      const out = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: query.logGroupName,
          // no pattern: every event (an access log's lines are all the run's to read)
          ...(query.filterPattern ? { filterPattern: query.filterPattern } : {}),
          startTime: Math.floor(query.startMs),
          endTime: Math.ceil(query.endMs),
          nextToken,
        }),
      );
      for (const event of out.events ?? []) onEvent(event);
      nextToken = out.nextToken;
      pages++;
    } while (nextToken && pages < limits.maxPages && Date.now() < deadline);
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return { missing: true, truncated: false };
    throw error;
  }
  return { missing: false, truncated: nextToken !== undefined };
}
