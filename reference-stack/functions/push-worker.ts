import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { removeConnections } from './shared/connections.ts';
import { fanOut } from './shared/fanout.ts';
import { logger } from './shared/observability.ts';
import { readPushMessage } from './shared/push-queue.ts';
import { eventFunction } from './shared/route.ts';

/**
 * The queued server push's posting worker: the push queue's event source mapping invokes it with
 * a batch of messages (manifest.ts PUSH_QUEUE); it posts each message's frame to its connection
 * ids with sendMessage's fan-out (shared/fanout.ts), 410s cleaned up as there. A message whose
 * posts failed otherwise (throttled or refused past the SDK's retries, the network) is returned in
 * `batchItemFailures` (ReportBatchItemFailures): only it comes back after the visibility timeout,
 * up to maxReceiveCount, then to the dead-letter queue. A retried message posts to all its ids
 * again, so a recipient may receive it twice (the harness counts duplicates). A post that timed out
 * is not failed: it may have been delivered, as sendMessage decides. A body that is not a push
 * message is logged and dropped (a retry cannot mend it).
 *
 * SDK calls per message of I ids, G gone: I PostToConnection + G Query + ceil(rows / 25) BatchWriteItem.
 */
export const handler = eventFunction<SQSEvent, SQSBatchResponse>('push-worker', async (event, { metrics }) => {
  const outcomes = await Promise.all(
    event.Records.map(async (record) => {
      const message = readPushMessage(record.body);
      if (!message) {
        logger.warn('push message ignored: not a push message', { messageId: record.messageId });
        return undefined;
      }
      const fan = await fanOut(message.ids, message.frame, metrics, (gone) => removeConnections(gone, message.room));
      return fan.failed > 0 ? record.messageId : undefined;
    }),
  );
  const failed = outcomes.filter((id): id is string => id !== undefined);
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
});
