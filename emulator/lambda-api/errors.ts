import type { AwsApiError } from '../cloudwatch/aws-json.ts';

/**
 * A Lambda API error as Lambda's REST-JSON protocol writes it: the exception's name in the
 * `x-amzn-ErrorType` header (how SDK v3 picks the class to raise), the HTTP status the model
 * gives it, and a body `{"Type":"User","message":"…"}`. Some exceptions spell the field
 * `Message` (ResourceNotFoundException, ServiceException): the SDK reads the model's spelling.
 */
export class LambdaApiError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
    private readonly messageField: 'message' | 'Message' = 'message',
    private readonly kind: 'User' | 'Service' = 'User',
    /** fields some exceptions add to the body (TooManyRequestsException's Reason) */
    private readonly extra: Record<string, string> = {},
    /** headers some exceptions carry (TooManyRequestsException's Retry-After) */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = type;
  }

  body(): Record<string, string> {
    return { Type: this.kind, [this.messageField]: this.message, ...this.extra };
  }
}

/**
 * What the emulator's services throw in AWS's words (AwsApiError: the runtime's refusals, the
 * asynchronous invocations'), as the Lambda API answers it.
 */
export function fromAwsApiError(err: AwsApiError): LambdaApiError {
  return new LambdaApiError(err.type, err.status, err.message, err.type === 'ResourceNotFoundException' ? 'Message' : 'message', err.status >= 500 ? 'Service' : 'User');
}

export function resourceNotFound(what: string, kind: 'Function' | 'Alias' = 'Function'): LambdaApiError {
  return new LambdaApiError('ResourceNotFoundException', 404, `${kind} not found: ${what}`, 'Message');
}

export function invalidParameter(message: string): LambdaApiError {
  return new LambdaApiError('InvalidParameterValueException', 400, message);
}

export function updateInProgress(functionArn: string): LambdaApiError {
  return new LambdaApiError(
    'ResourceConflictException',
    409,
    `The operation cannot be performed at this time. An update is in progress for resource: ${functionArn}`,
  );
}

export function revisionMismatch(): LambdaApiError {
  return new LambdaApiError(
    'PreconditionFailedException',
    412,
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  );
}

export function unknownOperation(method: string, path: string): LambdaApiError {
  return new LambdaApiError('UnknownOperationException', 404, `The local Lambda API does not serve ${method} ${path}`);
}

export function serializationError(message: string): LambdaApiError {
  return new LambdaApiError('InvalidRequestContentException', 400, message);
}

/** Over Invoke's payload limit (6 MB synchronous, 1 MB asynchronous). */
export function requestTooLarge(limitBytes: number): LambdaApiError {
  return new LambdaApiError('RequestTooLargeException', 413, `Request must be smaller than ${limitBytes} bytes for the InvokeFunction operation`);
}

/**
 * Invoke refused for concurrency: 429 TooManyRequestsException with Lambda's Reason
 * (ReservedFunctionConcurrentInvocationLimitExceeded, ConcurrentInvocationLimitExceeded, …).
 */
export function tooManyRequests(reason: string, retryAfterSeconds?: number): LambdaApiError {
  return new LambdaApiError('TooManyRequestsException', 429, 'Rate Exceeded.', 'message', 'User', { Reason: reason }, retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) });
}

/** A field outside its enum or bounds, as Lambda's request validation words it. */
export function validationError(message: string): LambdaApiError {
  return new LambdaApiError('ValidationException', 400, message);
}

/** The Lambda API's listener is up but the stack has not attached its functions yet. */
export function notReady(): LambdaApiError {
  return new LambdaApiError('ServiceException', 503, 'The local Lambda API is starting: its functions are not attached yet', 'Message', 'Service');
}
