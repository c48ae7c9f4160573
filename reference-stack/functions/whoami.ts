import type { MessageEvent } from './shared/events.ts';
import { ok } from './shared/respond.ts';
import { wsRoute } from './shared/route.ts';

/**
 * whoami → {"type":"whoami","connectionId"}: the caller's own connection id; on a stack with the
 * $connect authorizer also `principalId` and `tokenSource`, what the authorizer answered for this
 * connection as API Gateway hands it to every route (requestContext.authorizer). 0 SDK calls.
 */
export const handler = wsRoute<MessageEvent>(async (event) => {
  const authorizer = (event.requestContext as { authorizer?: Record<string, unknown> }).authorizer;
  return ok({
    type: 'whoami',
    connectionId: event.requestContext.connectionId,
    ...(typeof authorizer?.principalId === 'string' ? { principalId: authorizer.principalId } : {}),
    ...(typeof authorizer?.tokenSource === 'string' ? { tokenSource: authorizer.tokenSource } : {}),
  });
});
