import { removeConnections } from './shared/connections.ts';
import { fanOut } from './shared/fanout.ts';
import { logger } from './shared/observability.ts';
import { pushRecipients, readPush, type PushEvent } from './shared/push.ts';
import { eventFunction } from './shared/route.ts';

/**
 * The direct server push (pushFanout: direct): the stack's push rule invokes it (asynchronously)
 * with the event; it reads the recipients and posts the frame to each itself, with sendMessage's
 * fan-out (shared/fanout.ts) and its 410 cleanup.
 *
 * SDK calls for a room of N members, G of them gone: 1 Query per ~15,000 members (or the Scan's
 * pages for everyone) + N PostToConnection + G Query + ceil(rows / 25) BatchWriteItem.
 */
export const handler = eventFunction<PushEvent, void>('push', async (event, { cold, metrics }) => {
  const push = readPush(event, cold);
  if (!push) return;
  const recipients = await pushRecipients(push.room);
  const fan = await fanOut(recipients, push.frame, metrics, (gone) => removeConnections(gone, push.room));
  logger.debug('push sent', { room: push.room, messageId: push.messageId, recipients: fan.recipients, gone: fan.gone, timedOut: fan.timedOut });
});
