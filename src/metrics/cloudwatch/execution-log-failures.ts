import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { InvokePermissionFailure } from '../../contracts/cloudwatch-schema.ts';
import { filterLogEvents, type LogPullLimits } from './log-events.ts';

/**
 * Requests API Gateway failed because it may not invoke a function, from the stage's execution
 * log (`API-Gateway-Execution-Logs_{apiId}/{stage}`): each of its lines is led by the request's id,
 * `(<requestId>) Execution failed due to configuration error: Invalid permissions on Lambda
 * function` the failure, the same request's `WebSocket Request Route: [<route>]…` its route and
 * `Endpoint request URI: …/functions/<function ARN>/invocations` its function; an `Authorizer
 * error` after it says the function was the $connect authorizer's. The three forms are asked in
 * one FilterLogEvents pattern and joined by request id. On AWS the group exists only where the
 * stage has execution logging on (at INFO, every request's route line comes too, read up to the
 * page limit); a missing group says nothing: undefined.
 */
export const INVALID_PERMISSIONS = 'Invalid permissions on Lambda function';
export const EXECUTION_LOG_PATTERN = ['Invalid permissions on Lambda function', 'WebSocket Request Route', 'Endpoint request URI', 'Authorizer error'].map((t) => `?"${t}"`).join(' ');

export function executionLogGroup(api: { apiId: string; stage: string }): string {
  return `API-Gateway-Execution-Logs_${api.apiId}/${api.stage}`;
}

interface RequestLines {
  failedAt?: number;
  route?: string;
  functionArn?: string;
  authorizer?: boolean;
}

const LINE = /^\(([^)]+)\) (.*)$/s;
const ROUTE = /^WebSocket Request Route: \[([^\]]*)\]/;
const URI = /^Endpoint request URI: \S*\/functions\/(arn:[^/]+)\/invocations/;

/** Failures per route and function, most first, from the log's events (any order). */
export function invokePermissionFailures(events: readonly { message?: string; timestamp?: number }[]): InvokePermissionFailure[] {
  const byRequest = new Map<string, RequestLines>();
  for (const e of events) {
    const m = LINE.exec(e.message?.trim() ?? '');
    if (!m) continue;
    const lines = byRequest.get(m[1]!) ?? {};
    byRequest.set(m[1]!, lines);
    const text = m[2]!;
    const route = ROUTE.exec(text);
    const uri = URI.exec(text);
    if (route) lines.route = route[1]!;
    else if (uri) lines.functionArn = uri[1]!;
    else if (text.includes(INVALID_PERMISSIONS)) lines.failedAt = Math.min(lines.failedAt ?? Infinity, e.timestamp ?? 0);
    else if (text.includes('Authorizer error')) lines.authorizer = true;
  }
  const out = new Map<string, InvokePermissionFailure>();
  for (const r of byRequest.values()) {
    if (r.failedAt === undefined) continue;
    const failure = { route: r.route ?? null, functionArn: r.functionArn ?? null, authorizer: r.authorizer ?? false };
    const key = JSON.stringify(failure);
    const seen = out.get(key);
    if (seen) {
      seen.count++;
      seen.firstAt = Math.min(seen.firstAt, r.failedAt);
    } else out.set(key, { ...failure, count: 1, firstAt: r.failedAt });
  }
  return [...out.values()].sort((a, b) => b.count - a.count || a.firstAt - b.firstAt);
}

/** The stage's execution log over the window, read into failures; undefined where the stage has none. */
export async function pullInvokePermissionFailures(
  logs: CloudWatchLogsClient,
  api: { apiId: string; stage: string },
  window: { startMs: number; endMs: number },
  limits: LogPullLimits,
): Promise<InvokePermissionFailure[] | undefined> {
  const events: { message?: string; timestamp?: number }[] = [];
  const read = await filterLogEvents(logs, { logGroupName: executionLogGroup(api), filterPattern: EXECUTION_LOG_PATTERN, ...window }, limits, (e) => events.push(e));
  // no execution logging on the stage: nothing to say
  if (read.missing) return undefined;
  return invokePermissionFailures(events);
}
