import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LOCAL_HOST_WAIT_LOG_GROUP, type HostWaitLine } from '../../../common/local-host-metrics.ts';
import { filterLogEvents, type LogPullLimits } from './log-events.ts';

/**
 * The local emulator's own log of invocations its host held back (common/local-host-metrics.ts):
 * one JSON line per invocation that waited for a host slot, read over the run's window. Only ever
 * asked of the emulator (the group is its own, never an AWS one); an invocation without a line
 * waited for nothing, and a group that does not exist means nothing was held back.
 */
export const HOST_WAIT_LIMITS: LogPullLimits = { maxPages: 2_000, deadlineMs: 60_000 };

export async function pullHostWaits(
  logs: CloudWatchLogsClient,
  window: { startMs: number; endMs: number },
  onWait: (line: HostWaitLine) => void,
  limits: LogPullLimits = HOST_WAIT_LIMITS,
): Promise<{ lines: number; unreadable: number; truncated: boolean }> {
  let lines = 0;
  let unreadable = 0;
  const read = await filterLogEvents(logs, { logGroupName: LOCAL_HOST_WAIT_LOG_GROUP, ...window }, limits, (event) => {
    const line = hostWaitLine(event.message ?? '');
    if (!line) {
      unreadable++;
      return;
    }
    lines++;
    onWait(line);
  });
  return { lines, unreadable, truncated: read.truncated };
}

export function hostWaitLine(message: string): HostWaitLine | null {
  let v: unknown;
  try {
    v = JSON.parse(message);
  } catch {
    return null;
  }
  const l = v as Partial<HostWaitLine> | null;
  if (l === null || typeof l !== 'object' || typeof l.requestId !== 'string' || typeof l.hostWaitMs !== 'number' || !Number.isFinite(l.hostWaitMs)) return null;
  return { requestId: l.requestId, functionName: typeof l.functionName === 'string' ? l.functionName : '', hostWaitMs: l.hostWaitMs };
}
