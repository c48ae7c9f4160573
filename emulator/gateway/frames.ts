/**
 * The frames API Gateway itself sends a client when a message cannot be served. The spacing is
 * AWS's own (a space after "message": only).
 */

export function forbiddenFrame(connectionId: string, requestId: string): string {
  return `{"message": "Forbidden", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;
}

export function internalServerErrorFrame(connectionId: string, requestId: string): string {
  return `{"message": "Internal server error", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;
}

/** Sent when no request template matches a frame on an AWS route and its PassthroughBehavior refuses it (415). */
export function unsupportedMediaTypeFrame(connectionId: string, requestId: string): string {
  return `{"message": "Unsupported Media Type", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;
}

/** Sent when a throttle (the route's, the stage's or the account's) drops a message (AWS answers throttled requests with 429). */
export function tooManyRequestsFrame(connectionId: string, requestId: string): string {
  return `{"message": "Too Many Requests", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;
}
