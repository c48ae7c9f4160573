import type { MessageEvent } from './shared/events.ts';
import { ACTIONS } from '../../common/chat-protocol.ts';
import { parseBody } from './shared/request.ts';
import { fail } from './shared/respond.ts';
import { wsRoute } from './shared/route.ts';

const KNOWN = ACTIONS.join(', ');

/**
 * $default: whatever no route matched: a non-JSON body or an unknown action (UNKNOWN_ACTION),
 * or JSON without a string `action` (BAD_REQUEST, as the protocol says). 0 SDK calls.
 */
export const handler = wsRoute<MessageEvent>(async (event) => {
  const body = parseBody(event);
  if (!body.ok) return fail('UNKNOWN_ACTION', `body is not JSON; send {"action": …} with one of: ${KNOWN}`);
  const value = body.value;
  const action = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as { action?: unknown }).action : undefined;
  if (action === undefined || action === null) return fail('BAD_REQUEST', `action: is required (a string, one of: ${KNOWN})`);
  // API Gateway selects a route from any scalar (7 → "7"), but the protocol's actions are strings:
  // a number, boolean, object or array is a malformed request, not an unknown action.
  if (typeof action !== 'string') return fail('BAD_REQUEST', `action: must be a string (one of: ${KNOWN}), got ${typeOf(action)}`);
  return fail('UNKNOWN_ACTION', `unknown action "${action}"; known actions: ${KNOWN}`, action);
});

function typeOf(v: unknown): string {
  return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
