import { PUSH_QUEUE } from './manifest.ts';
import { logger } from './shared/observability.ts';
import { pushMessages, sendPushMessages } from './shared/push-queue.ts';
import { pushRecipients, readPush, type PushEvent } from './shared/push.ts';
import { eventFunction } from './shared/route.ts';

/**
 * The queued server push's fan-out (pushFanout: queued): the stack's push rule invokes it
 * (asynchronously) with the event; it reads the recipients, as the direct push does, and sends
 * them to the push queue, PUSH_QUEUE.idsPerMessage connection ids a message, the frame built once
 * and carried in each. The workers (push-worker.ts) post.
 *
 * SDK calls for a room of N members: 1 Query per ~15,000 members (or the Scan's pages for
 * everyone) + ceil(N / idsPerMessage / 10) SendMessageBatch.
 */
export const handler = eventFunction<PushEvent, void>('push-fanout', async (event, { cold }) => {
  const push = readPush(event, cold);
  if (!push) return;
  const recipients = await pushRecipients(push.room);
  const messages = pushMessages(push.room, push.frame, recipients);
  const calls = await sendPushMessages(messages);
  logger.debug('push enqueued', { room: push.room, messageId: push.messageId, recipients: recipients.length, messages: messages.length, calls, idsPerMessage: PUSH_QUEUE.idsPerMessage });
});
