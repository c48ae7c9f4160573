import { randomBytes } from 'node:crypto';
import type { LogSink } from '../cloudwatch/types.ts';
import { compileAccessLogFormat, type AccessLogRecord, type AccessLogRenderer, type IntegrationFacts, type StagePlace } from './access-log-format.ts';
import type { IntegrationOutcome } from './integration.ts';

/**
 * The stage's access logging (`AccessLogSettings`): one line per CONNECT, MESSAGE and DISCONNECT
 * event, written once the event completed (what it returned is known), in the stage's format,
 * into the CloudWatch Logs group its DestinationArn names. Set from the template's stage at start
 * and by UpdateStage / DeleteAccessLogSettings (apigatewayv2/server.ts) from the next event on.
 * Off, an event pays one property read.
 */

export interface AccessLogSettings {
  /** `arn:aws:logs:{region}:{account}:log-group:{name}`, with or without a trailing `:*` */
  destinationArn: string;
  format: string;
}

/** The log group an access log destination ARN names; undefined when it is not a CloudWatch Logs log group's ARN. */
export function logGroupOfArn(arn: string): { region: string; accountId: string; name: string } | undefined {
  const m = /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:(.+?)(?::\*)?$/.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, name: m[3]! } : undefined;
}

export class AccessLog {
  private current: { settings: AccessLogSettings; group: string; render: AccessLogRenderer } | undefined;
  /** AWS names an access log's streams by a hex id (assumed); one stream serves this gateway */
  private readonly stream = randomBytes(16).toString('hex');

  constructor(
    private readonly logs: LogSink | undefined,
    private readonly place: StagePlace,
  ) {}

  get settings(): AccessLogSettings | undefined {
    return this.current?.settings;
  }

  get enabled(): boolean {
    return this.current !== undefined;
  }

  /** Turn access logging on with these settings (checked by the caller), or off with undefined. */
  configure(settings: AccessLogSettings | undefined): void {
    if (settings === undefined) {
      this.current = undefined;
      return;
    }
    const group = logGroupOfArn(settings.destinationArn)?.name;
    if (group === undefined) throw new Error(`unreachable: ${settings.destinationArn} was checked to be a log group's ARN`);
    this.current = { settings: { ...settings }, group, render: compileAccessLogFormat(settings.format, this.place) };
  }

  write(record: AccessLogRecord): void {
    const c = this.current;
    if (!c || !this.logs) return;
    this.logs.append(c.group, this.stream, { timestamp: Date.now(), message: c.render(record) });
  }
}

/**
 * What the access log says of an integration call. `integration.status` is what a proxy function
 * returned as statusCode; `integration.integrationStatus` what Lambda's Invoke answered: 200 for
 * a function that ran, its error included (Lambda answers a function error with 200 and
 * X-Amz-Function-Error), 429 when it throttled; nothing when no answer came (the 29 s timeout) or
 * the call was never made. The error texts are assumed (AWS does not document them for WebSocket
 * APIs).
 */
export function integrationFacts(outcome: IntegrationOutcome, latencyMs: number): IntegrationFacts | undefined {
  switch (outcome.kind) {
    case 'ok': {
      const code = (outcome.result as { statusCode?: unknown } | null | undefined)?.statusCode;
      return { latencyMs, integrationStatus: 200, requestId: outcome.requestId, ...(typeof code === 'number' ? { status: code } : {}) };
    }
    case 'error':
      return { latencyMs, integrationStatus: 200, requestId: outcome.requestId, error: outcome.errorMessage || outcome.errorType };
    case 'throttled':
      return { latencyMs, integrationStatus: 429, requestId: outcome.requestId, error: 'Rate Exceeded.' };
    case 'timeout':
      return { latencyMs, error: 'Endpoint request timed out' };
    case 'failed':
      return { latencyMs, error: outcome.message };
    case 'not-permitted':
      return undefined;
  }
}

/**
 * How API Gateway answers an integration that did not return (the handshake's status; the same
 * status in a MESSAGE or DISCONNECT line, assumed): the function threw or Lambda failed it → 502;
 * Lambda throttled the invoke, or API Gateway may not invoke the function → 500 (API Gateway
 * never passes Lambda's 429 through a proxy integration); the 29 s integration timeout → 504.
 */
export function integrationFailure(kind: Exclude<IntegrationOutcome['kind'], 'ok'>): { status: number; error: { message: string; responseType: string } } {
  switch (kind) {
    case 'error':
    case 'failed':
      return { status: 502, error: { message: 'Internal server error', responseType: 'INTEGRATION_FAILURE' } };
    case 'throttled':
    case 'not-permitted':
      return { status: 500, error: { message: 'Internal server error', responseType: 'INTEGRATION_FAILURE' } };
    case 'timeout':
      return { status: 504, error: { message: 'Endpoint request timed out', responseType: 'INTEGRATION_TIMEOUT' } };
  }
}

/** API Gateway's own refusals, as `$context.error.message` and `$context.error.responseType` name them. */
export const GATEWAY_ERRORS = {
  throttled: { message: 'Too Many Requests', responseType: 'THROTTLED' },
  /** no route matched the message (and no $default) */
  noRoute: { message: 'Forbidden', responseType: 'MISSING_AUTHENTICATION_TOKEN' },
  unauthorized: { message: 'Unauthorized', responseType: 'UNAUTHORIZED' },
  accessDenied: { message: 'User is not authorized to access this resource', responseType: 'ACCESS_DENIED' },
  authorizerFailure: { message: 'Internal server error', responseType: 'AUTHORIZER_FAILURE' },
} as const;
