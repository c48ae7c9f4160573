import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { IntegrationFailure, InvokePermissionFailure } from '../../contracts/cloudwatch-schema.ts';
import { filterLogEvents, type LogPullLimits } from './log-events.ts';

/**
 * What API Gateway failed, from the stage's execution log (`API-Gateway-Execution-Logs_{apiId}/
 * {stage}`). Each line is led by its request's id, so the lines are joined by it:
 * - a function it may not invoke: `Execution failed due to configuration error: Invalid
 *   permissions on Lambda function`, the request's `WebSocket Request Route: [<route>]…` its route,
 *   `Endpoint request URI: …/functions/<function ARN>/invocations` its function, an `Authorizer
 *   error` after it the $connect authorizer's;
 * - an `AWS` integration's request: the service's answer (`Received response. Status: 400…`,
 *   `Endpoint response body before transformations: <its error>`) or API Gateway's own failure
 *   (`Execution failed due to a timeout error`, `… an error calling the endpoint: …`), beside
 *   `Endpoint request body after transformations: …`, the request the route's template built.
 * Every form is asked in one FilterLogEvents pattern. On AWS the group exists only where the stage
 * has execution logging on (at INFO every request's route line comes too, read up to the page
 * limit); a missing group says nothing: undefined.
 */
export const INVALID_PERMISSIONS = 'Invalid permissions on Lambda function';
export const EXECUTION_LOG_PATTERN = [
  INVALID_PERMISSIONS,
  'WebSocket Request Route',
  'Endpoint request URI',
  'Authorizer error',
  'Execution failed due to',
  'Received response. Status',
  'Endpoint response body before transformations',
  'Endpoint request body after transformations',
]
  .map((t) => `?"${t}"`)
  .join(' ');

export function executionLogGroup(api: { apiId: string; stage: string }): string {
  return `API-Gateway-Execution-Logs_${api.apiId}/${api.stage}`;
}

export type LogEvent = { message?: string; timestamp?: number };

/** One request's lines, as far as they say what failed. */
interface RequestLines {
  /** its earliest line's time */
  at: number;
  permissionFailedAt?: number;
  route?: string;
  functionArn?: string;
  authorizer?: boolean;
  /** an AWS integration's: the service's host, its answer, API Gateway's own failure, what was sent */
  serviceHost?: string;
  status?: number;
  responseBody?: string;
  executionFailed?: string;
  requestBody?: string;
}

const LINE = /^\(([^)]+)\) (.*)$/s;
const ROUTE = /^WebSocket Request Route: \[([^\]]*)\]/;
const FUNCTION_URI = /^Endpoint request URI: \S*\/functions\/(arn:[^/]+)\/invocations/;
const SERVICE_URI = /^Endpoint request URI: https?:\/\/([^/\s]+)/;
const STATUS = /^Received response\. Status: (\d+)/;
const RESPONSE_BODY = 'Endpoint response body before transformations: ';
const REQUEST_BODY = 'Endpoint request body after transformations: ';
const EXECUTION_FAILED = 'Execution failed due to ';

/** The log's lines joined by request id (any order). */
function requestsOf(events: readonly LogEvent[]): RequestLines[] {
  const byRequest = new Map<string, RequestLines>();
  for (const e of events) {
    const m = LINE.exec(e.message?.trim() ?? '');
    if (!m) continue;
    const at = e.timestamp ?? 0;
    const lines = byRequest.get(m[1]!) ?? { at };
    byRequest.set(m[1]!, lines);
    lines.at = Math.min(lines.at, at);
    const text = m[2]!;
    const route = ROUTE.exec(text);
    const fn = FUNCTION_URI.exec(text);
    const service = SERVICE_URI.exec(text);
    const status = STATUS.exec(text);
    if (route) lines.route = route[1]!;
    else if (fn) lines.functionArn = fn[1]!;
    else if (service) lines.serviceHost = service[1]!;
    else if (status) lines.status = Number(status[1]);
    else if (text.startsWith(RESPONSE_BODY)) lines.responseBody = text.slice(RESPONSE_BODY.length);
    else if (text.startsWith(REQUEST_BODY)) lines.requestBody = text.slice(REQUEST_BODY.length);
    else if (text.includes(INVALID_PERMISSIONS)) lines.permissionFailedAt = Math.min(lines.permissionFailedAt ?? Infinity, at);
    else if (text.includes('Authorizer error')) lines.authorizer = true;
    else if (text.startsWith(EXECUTION_FAILED)) lines.executionFailed = text;
  }
  return [...byRequest.values()];
}

/**
 * Failures counted by what they are (`key`'s fields), each with its count, its first time and the
 * first one's `example` (whatever order the log's pages came in), most first.
 */
function tally<K extends object, E extends object>(failures: readonly { key: K; at: number; example: E }[]): Array<K & E & { count: number; firstAt: number }> {
  const byKey = new Map<string, K & E & { count: number; firstAt: number }>();
  for (const f of failures) {
    const id = JSON.stringify(f.key);
    const seen = byKey.get(id);
    const count = (seen?.count ?? 0) + 1;
    if (seen && f.at >= seen.firstAt) seen.count = count;
    else byKey.set(id, { ...f.key, ...f.example, count, firstAt: f.at });
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count || a.firstAt - b.firstAt);
}

/** Failures per route and function, most first. */
function permissionFailuresOf(requests: readonly RequestLines[]): InvokePermissionFailure[] {
  return tally(
    requests.flatMap((r) =>
      r.permissionFailedAt === undefined ? [] : [{ key: { route: r.route ?? null, functionArn: r.functionArn ?? null, authorizer: r.authorizer ?? false }, at: r.permissionFailedAt, example: {} }],
    ),
  );
}

export function invokePermissionFailures(events: readonly LogEvent[]): InvokePermissionFailure[] {
  return permissionFailuresOf(requestsOf(events));
}

/**
 * An AWS integration's failed requests per route, service, status and error code, most first: the
 * service's error code from its answer (the Query protocol's XML `<Code>`, a JSON protocol's
 * `__type`), else its status; or API Gateway's own failure line. The message and the request body
 * are the first failed request's: a message that names the refused value differs per request, and
 * one example says what they all are.
 */
function integrationFailuresOf(requests: readonly RequestLines[]): IntegrationFailure[] {
  return tally(
    requests.flatMap((r) => {
      if (r.serviceHost === undefined) return [];
      const answered = r.status !== undefined && r.status >= 300;
      if (!answered && r.executionFailed === undefined) return [];
      const { code, message } = answered ? serviceError(r.status!, r.responseBody ?? '') : { code: r.executionFailed!, message: '' };
      const key = { route: r.route ?? null, service: r.serviceHost.split('.')[0]!, status: answered ? r.status! : null, code };
      return [{ key, at: r.at, example: { message, ...(r.requestBody !== undefined ? { requestBody: r.requestBody } : {}) } }];
    }),
  );
}

export function integrationFailures(events: readonly LogEvent[]): IntegrationFailure[] {
  return integrationFailuresOf(requestsOf(events));
}

const XML_CODE = /<Code>([^<]*)<\/Code>/;
const XML_MESSAGE = /<Message>([^<]*)<\/Message>/;
const XML_ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&amp;': '&' };

/** A service's error answer read for its code and message: the Query protocol's XML (SQS, SNS), or a JSON protocol's body. */
function serviceError(status: number, body: string): { code: string; message: string } {
  const xmlCode = XML_CODE.exec(body);
  if (xmlCode) return { code: xmlCode[1]!, message: (XML_MESSAGE.exec(body)?.[1] ?? '').replace(/&(lt|gt|quot|apos|amp);/g, (e) => XML_ENTITIES[e]!) };
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const type = j.__type ?? j.code ?? j.Code;
    if (typeof type === 'string') return { code: type.replace(/^.*#/, ''), message: String(j.message ?? j.Message ?? '') };
  } catch {
    // not JSON: its status alone
  }
  return { code: `HTTP ${status}`, message: body.slice(0, 200) };
}

/** What the stage's execution log says API Gateway failed: a function it may not invoke, an AWS integration's request. */
export interface ExecutionLogFailures {
  invokePermission: InvokePermissionFailure[];
  integration: IntegrationFailure[];
}

/** The stage's execution log over the window, read into failures; undefined where the stage has none. */
export async function pullExecutionLogFailures(
  logs: CloudWatchLogsClient,
  api: { apiId: string; stage: string },
  window: { startMs: number; endMs: number },
  limits: LogPullLimits,
): Promise<ExecutionLogFailures | undefined> {
  const events: LogEvent[] = [];
  const read = await filterLogEvents(logs, { logGroupName: executionLogGroup(api), filterPattern: EXECUTION_LOG_PATTERN, ...window }, limits, (e) => events.push(e));
  // no execution logging on the stage: nothing to say
  if (read.missing) return undefined;
  const requests = requestsOf(events);
  return { invokePermission: permissionFailuresOf(requests), integration: integrationFailuresOf(requests) };
}
