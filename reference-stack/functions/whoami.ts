import type { MessageEvent } from './shared/events.ts';
import { ok } from './shared/respond.ts';
import { wsRoute } from './shared/route.ts';

/** whoami → {"type":"whoami","connectionId"}: the caller's own connection id. 0 SDK calls. */
export const handler = wsRoute<MessageEvent>(async (event) => ok({ type: 'whoami', connectionId: event.requestContext.connectionId }));
