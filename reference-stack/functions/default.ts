import type { MessageEvent } from './shared/events.ts';
import { ACTIONS } from './shared/protocol.ts';
import { parseBody } from './shared/request.ts';
import { fail } from './shared/respond.ts';
import { wsRoute } from './shared/route.ts';

const KNOWN = ACTIONS.join(', ');

/**
 * $default: whatever no route matched: a non-JSON body or an unknown action (UNKNOWN_ACTION),
 * or JSON without a string `action` (BAD_REQUEST). 0 SDK calls.
 */
export const handler = wsRoute<MessageEvent>(async (event) => {
  const body = parseBody(event);
  if (!body.ok) return fail('UNKNOWN_ACTION', `body is not JSON; send {"action": …} with one of: ${KNOWN}`);
  const value = body.value;
  const action = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as { action?: unknown }).action : undefined;
  if (typeof action !== 'string') return fail('BAD_REQUEST', `action: is required (a string, one of: ${KNOWN})`);
  return fail('UNKNOWN_ACTION', `unknown action "${action}"; known actions: ${KNOWN}`, action);
});
