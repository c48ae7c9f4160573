import type { RouteResult } from './events.ts';
import type { ErrorCode } from '../../../common/chat-protocol.ts';
import { errorFrame } from './protocol.ts';

/** Route responses: the body is the frame the caller receives. */

export function ok(frame: object): RouteResult {
  return { statusCode: 200, body: JSON.stringify(frame) };
}

/** A user mistake: one error frame back, and the connection stays open. */
export function fail(code: ErrorCode, message: string, action?: string): RouteResult {
  return { statusCode: 400, body: JSON.stringify(errorFrame(code, message, action)) };
}
