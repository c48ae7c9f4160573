/**
 * Why a timed request was not traced to an invocation: one fixed phrase per cause, so that
 * `requests.why` adds up across connections instead of listing each one. The join never guesses:
 * a request it cannot trace is counted under one of these, never as warm.
 */
export const WHY = [
  /** 0 */ "past the trace store's bound: not traced",
  /** 1 */ "no CONNECT line carried the run's User-Agent",
  /** 2 */ "no CONNECT line named the client's connection",
  /** 3 */ 'two CONNECT lines named the same client connection',
  /** 4 */ 'MESSAGE lines ≠ frames on the connection',
  /** 5 */ 'MESSAGE lines tied in requestTimeEpoch and their invocations differ',
  /** 6 */ 'access-log line without integration.requestId',
  /** 7 */ "no REPORT line for the line's invocation",
  /** 8 */ 'no traced send frame for the delivered message',
  /** 9 */ "no access-log line of the publish route's stage named the publish",
] as const;

export const R_DROPPED = 0;
export const R_NO_RUN_USER_AGENT = 1;
export const R_NO_CONNECT_LINE = 2;
export const R_TWO_CONNECT_LINES = 3;
export const R_LINES_NOT_FRAMES = 4;
export const R_TIED = 5;
export const R_NO_INTEGRATION = 6;
export const R_NO_REPORT = 7;
export const R_NO_SEND_FRAME = 8;
export const R_NO_PUBLISH_LINE = 9;
