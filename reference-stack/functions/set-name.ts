import { setConnectionName } from './shared/connections.ts';
import type { MessageEvent } from './shared/events.ts';
import { SetNameRequest } from './shared/protocol.ts';
import { parseRequest } from './shared/request.ts';
import { ok } from './shared/respond.ts';
import { wsRoute } from './shared/route.ts';

/** setName {name} → {"type":"name","name"}. 1 SDK call (UpdateItem). */
export const handler = wsRoute<MessageEvent>(async (event) => {
  const req = parseRequest(event, SetNameRequest, 'setName');
  if (!req.ok) return req.response;
  await setConnectionName(event.requestContext.connectionId, req.data.name);
  return ok({ type: 'name', name: req.data.name });
});
