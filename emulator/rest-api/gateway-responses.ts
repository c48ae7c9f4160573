/**
 * A REST API's own answers, API Gateway's default gateway responses ("Gateway response types for
 * API Gateway": the type, its default status) with the bodies and `x-amzn-ErrorType` AWS sends,
 * as captured from deployed APIs where AWS's pages give only the template
 * (`{"message":$context.error.messageString}`):
 *
 * - MISSING_AUTHENTICATION_TOKEN 403 `{"message":"Missing Authentication Token"}`, MissingAuthenticationTokenException
 *   (no resource or method for the request; an AWS_IAM method called unsigned);
 * - a request outside every stage: 403 `{"message":"Forbidden"}`, ForbiddenException (assumed: what
 *   an unknown stage is answered on the API's own host);
 * - INVALID_API_KEY 403 `{"message":"Forbidden"}`, ForbiddenException;
 * - THROTTLED 429 `{"message":"Too Many Requests"}`, TooManyRequestsException;
 * - QUOTA_EXCEEDED 429 `{"message":"Limit Exceeded"}`, LimitExceededException;
 * - UNAUTHORIZED 401 `{"message":"Unauthorized"}`, UnauthorizedException;
 * - ACCESS_DENIED 403, AccessDeniedException, with the body the authorizer's policy evaluation
 *   gives (../gateway/authorizer.ts: `{"Message":"User is not authorized to access this resource
 *   with an explicit deny"}`, capital M, as captured in 2023; later captures add "in an
 *   identity-based policy");
 * - AUTHORIZER_CONFIGURATION_ERROR / AUTHORIZER_FAILURE 500 `{"message":null}`, AuthorizerConfigurationException;
 * - a Lambda proxy function's error or malformed answer: 502 `{"message": "Internal server error"}`
 *   (with its space), InternalServerErrorException; API Gateway may not invoke the function or the
 *   integration cannot run: the same body with 500;
 * - INTEGRATION_TIMEOUT 504 `{"message": "Endpoint request timed out"}`, InternalServerErrorException;
 * - UNSUPPORTED_MEDIA_TYPE 415 (PassthroughBehavior refuses a body no template takes);
 * - REQUEST_TOO_LARGE 413 (a body over the 10 MB payload quota).
 */

export interface GatewayAnswer {
  status: number;
  body: string;
  /** x-amzn-ErrorType */
  errorType: string;
  /** the gateway response type (`$context.error.responseType` of the access log) */
  responseType: string;
}

export const GATEWAY_ANSWERS = {
  missingAuthenticationToken: { status: 403, body: '{"message":"Missing Authentication Token"}', errorType: 'MissingAuthenticationTokenException', responseType: 'MISSING_AUTHENTICATION_TOKEN' },
  forbidden: { status: 403, body: '{"message":"Forbidden"}', errorType: 'ForbiddenException', responseType: 'DEFAULT_4XX' },
  invalidApiKey: { status: 403, body: '{"message":"Forbidden"}', errorType: 'ForbiddenException', responseType: 'INVALID_API_KEY' },
  throttled: { status: 429, body: '{"message":"Too Many Requests"}', errorType: 'TooManyRequestsException', responseType: 'THROTTLED' },
  quotaExceeded: { status: 429, body: '{"message":"Limit Exceeded"}', errorType: 'LimitExceededException', responseType: 'QUOTA_EXCEEDED' },
  unauthorized: { status: 401, body: '{"message":"Unauthorized"}', errorType: 'UnauthorizedException', responseType: 'UNAUTHORIZED' },
  authorizerFailure: { status: 500, body: '{"message":null}', errorType: 'AuthorizerConfigurationException', responseType: 'AUTHORIZER_FAILURE' },
  badGateway: { status: 502, body: '{"message": "Internal server error"}', errorType: 'InternalServerErrorException', responseType: 'INTEGRATION_FAILURE' },
  internalServerError: { status: 500, body: '{"message": "Internal server error"}', errorType: 'InternalServerErrorException', responseType: 'INTEGRATION_FAILURE' },
  timedOut: { status: 504, body: '{"message": "Endpoint request timed out"}', errorType: 'InternalServerErrorException', responseType: 'INTEGRATION_TIMEOUT' },
  unsupportedMediaType: { status: 415, body: '{"message": "Unsupported Media Type"}', errorType: 'UnsupportedMediaTypeException', responseType: 'UNSUPPORTED_MEDIA_TYPE' },
  requestTooLarge: { status: 413, body: '{"message":"Request Too Long"}', errorType: 'RequestTooLargeException', responseType: 'REQUEST_TOO_LARGE' },
} as const satisfies Record<string, GatewayAnswer>;

/** An authorizer's refusal (401, 403) in the gateway's terms: its status and body, the error type its status names. */
export function accessDenied(status: number, body: string): GatewayAnswer {
  if (status === 401) return GATEWAY_ANSWERS.unauthorized;
  if (status === 403) return { status, body, errorType: 'AccessDeniedException', responseType: 'ACCESS_DENIED' };
  return GATEWAY_ANSWERS.authorizerFailure;
}
