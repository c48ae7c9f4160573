import type { AsyncInvocations } from '../lambda/async-invocation.ts';
import { functionLogGroup } from '../lambda/options.ts';
import type { LambdaRuntime, ThrottleReason } from '../lambda/types.ts';
import type { LogStore } from '../cloudwatch/log-store.ts';
import { LambdaApiError, requestTooLarge, serializationError, tooManyRequests, validationError } from './errors.ts';

/**
 * Lambda's Invoke (POST /2015-03-31/functions/{name}/invocations) over the emulator's runtime, by
 * `X-Amz-Invocation-Type`: RequestResponse runs the function (with the ClientContext it was sent,
 * decoded into its context) and answers its result (a function
 * error: 200 with `X-Amz-Function-Error: Unhandled` and the error's JSON; a throttle: 429
 * TooManyRequestsException with Lambda's Reason); Event hands the payload to the asynchronous
 * invocations (202 at once); DryRun only checks (204). Payload limits as Lambda's quotas: 6 MB
 * synchronous, 1 MB asynchronous, each way.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */

export const INVOKE_LIMITS = {
  /** request and response payload of a synchronous invocation */
  syncBytes: 6_291_456,
  /** request payload of an asynchronous one (1 MB since October 2025) */
  asyncBytes: 1_048_576,
  /** LogType Tail: the last 4 KB of the invocation's log */
  tailBytes: 4_096,
} as const;

/**
 * X-Amz-Client-Context decoded, or Lambda's refusal of any invocation type when it is not base64
 * of JSON (the words AWS answers; the AWS SDK for Rust's own test of the header asserts them).
 * Its documented 3,583-byte limit is not enforced: what Lambda answers past it is not published.
 */
function decodeClientContext(sent: string): string {
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(sent) && sent.length % 4 === 0) {
    const text = Buffer.from(sent, 'base64').toString('utf8');
    try {
      JSON.parse(text);
      return text;
    } catch {
      // not JSON: refused below
    }
  }
  throw serializationError('Client context must be a valid Base64-encoded JSON object.');
}

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';
const INVOCATION_TYPES: readonly InvocationType[] = ['Event', 'RequestResponse', 'DryRun'];

export interface InvokeRequest {
  /** resolved: a function of the runtime */
  functionName: string;
  /** the alias or version named (Qualifier, or the name's), resolved: one the function has */
  qualifier?: string;
  /** the version that runs (X-Amz-Executed-Version): `$LATEST`, or the version's number */
  executedVersion?: string;
  /** X-Amz-Invocation-Type as sent (absent: RequestResponse) */
  invocationType?: string;
  /** X-Amz-Log-Type as sent (None or Tail) */
  logType?: string;
  /** X-Amz-Client-Context as sent: base64 of the JSON the function's context gets (synchronous invocations only) */
  clientContext?: string;
  /** the body as sent (empty where it was over the synchronous limit) */
  payload: Buffer;
  /** how many bytes were sent */
  bytes: number;
}

export interface InvokeAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface FunctionInvokerOptions {
  runtime: LambdaRuntime;
  /** the stack's asynchronous invocations (absent: an Event invocation is a ServiceException) */
  asyncInvocations?: AsyncInvocations;
  /** where the runtime writes the functions' logs: LogType Tail reads the invocation's lines there */
  logs?: LogStore;
}

/** Lambda's Reason for each throttle the runtime reports. */
const THROTTLE_REASONS: Record<ThrottleReason, string> = {
  'reserved-concurrency': 'ReservedFunctionConcurrentInvocationLimitExceeded',
  'account-concurrency': 'ConcurrentInvocationLimitExceeded',
  'scaling-rate': 'FunctionInvocationRateLimitExceeded',
  forced: 'ConcurrentInvocationLimitExceeded',
};

export class FunctionInvoker {
  constructor(private readonly options: FunctionInvokerOptions) {}

  /** The invocation type an Invoke asks for, or Lambda's ValidationException. */
  static invocationType(sent: string | undefined): InvocationType {
    if (sent === undefined || sent === '') return 'RequestResponse';
    if ((INVOCATION_TYPES as readonly string[]).includes(sent)) return sent as InvocationType;
    throw validationError(`1 validation error detected: Value '${sent}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${INVOCATION_TYPES.join(', ')}]`);
  }

  async invoke(request: InvokeRequest): Promise<InvokeAnswer> {
    const type = FunctionInvoker.invocationType(request.invocationType);
    if (request.logType !== undefined && request.logType !== 'None' && request.logType !== 'Tail') {
      throw validationError(`1 validation error detected: Value '${request.logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]`);
    }
    const clientContext = request.clientContext ? decodeClientContext(request.clientContext) : undefined;
    const limit = type === 'Event' ? INVOKE_LIMITS.asyncBytes : INVOKE_LIMITS.syncBytes;
    if (request.bytes > limit) throw requestTooLarge(limit);
    if (type === 'DryRun') return { status: 204, headers: {}, body: '' };
    const text = request.payload.toString('utf8');
    const event = parsePayload(text);
    if (type === 'Event') return this.enqueue(request.functionName, text, request.qualifier);
    // Lambda passes ClientContext to synchronous invocations only, decoded: the runtime's Lambda-Runtime-Client-Context
    return this.run(request, event, request.logType === 'Tail', clientContext);
  }

  private enqueue(functionName: string, payload: string, qualifier: string | undefined): InvokeAnswer {
    const async = this.options.asyncInvocations;
    if (!async) throw new LambdaApiError('ServiceException', 500, 'The local Lambda API has no asynchronous invocations attached', 'Message', 'Service');
    // its refusals (AwsApiError) are answered in Lambda's protocol by the server
    const { requestId } = async.enqueue(functionName, payload.trim() === '' ? '{}' : payload, undefined, qualifier);
    return { status: 202, headers: { 'x-amzn-requestid': requestId }, body: '' };
  }

  private async run(request: InvokeRequest, event: unknown, tail: boolean, clientContext: string | undefined): Promise<InvokeAnswer> {
    const { functionName, qualifier } = request;
    const startedAt = Date.now();
    const outcome = await this.options.runtime.invoke(functionName, event, { ...(clientContext === undefined ? {} : { clientContext }), ...(qualifier === undefined ? {} : { qualifier }) });
    if (outcome.kind === 'throttled') throw tooManyRequests(THROTTLE_REASONS[outcome.reason]);
    const headers: Record<string, string> = { 'x-amzn-requestid': outcome.requestId, 'x-amz-executed-version': request.executedVersion ?? '$LATEST' };
    if (tail) headers['x-amz-log-result'] = this.logTail(functionName, outcome.requestId, startedAt);
    if (outcome.kind === 'error') {
      return { status: 200, headers: { ...headers, 'x-amz-function-error': 'Unhandled' }, body: JSON.stringify({ errorType: outcome.errorType, errorMessage: outcome.errorMessage }) };
    }
    const body = JSON.stringify(outcome.result ?? null);
    if (Buffer.byteLength(body, 'utf8') > INVOKE_LIMITS.syncBytes) {
      // the function ran; its answer is too large to return (Lambda's wording and limit)
      const error = { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${INVOKE_LIMITS.syncBytes} bytes).` };
      return { status: 200, headers: { ...headers, 'x-amz-function-error': 'Unhandled' }, body: JSON.stringify(error) };
    }
    return { status: 200, headers, body };
  }

  /**
   * X-Amz-Log-Result: base64 of the last 4 KB of the invocation's lines, START to REPORT, in its
   * environment's log stream. A Node.js environment's lines are in the log store before its
   * result comes back (they travel the same channel, in order); a process's own output may
   * still be on its way, and is then left out.
   */
  private logTail(functionName: string, requestId: string, since: number): string {
    const logs = this.options.logs;
    const config = this.options.runtime.functionConfig(functionName);
    if (!logs || !config) return '';
    const group = functionLogGroup(config);
    const lines: string[] = [];
    let stream: string | undefined;
    let after: number | undefined;
    // the events since the invocation started: its own are in one stream, between the first and last naming it
    let first = -1;
    let last = -1;
    for (;;) {
      const page = logs.filter({ logGroupName: group, startTime: since, ...(stream ? { logStreamNames: [stream] } : {}), ...(after !== undefined ? { after } : {}) });
      if (!page) return '';
      for (const e of page.events) {
        if (stream === undefined) {
          if (!e.message.includes(requestId)) continue;
          stream = e.logStreamName;
        }
        if (e.logStreamName !== stream) continue;
        lines.push(e.message);
        if (e.message.includes(requestId)) {
          if (first < 0) first = lines.length - 1;
          last = lines.length - 1;
        }
      }
      if (page.next === undefined) break;
      after = page.next;
    }
    if (first < 0) return '';
    const text = lines.slice(first, last + 1).map((l) => `${l}\n`).join('');
    const bytes = Buffer.from(text, 'utf8');
    return bytes.subarray(Math.max(0, bytes.length - INVOKE_LIMITS.tailBytes)).toString('base64');
  }
}

/** The event as the function gets it: the payload's JSON, `{}` for none. */
function parsePayload(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw serializationError(`Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`);
  }
}
