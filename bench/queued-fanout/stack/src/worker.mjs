// The queue's consumer: each record names a payload and the members to post it to. A record whose
// posts failed is reported in batchItemFailures (back on the queue), the rest are deleted.
import { postToAll } from './members.mjs';

export const handler = async (event) => {
  const outcomes = await Promise.all(
    event.Records.map(async (record) => {
      const { payload, connections } = JSON.parse(record.body);
      return (await postToAll(connections, JSON.stringify({ payload }))) > 0 ? record.messageId : undefined;
    }),
  );
  return { batchItemFailures: outcomes.filter((id) => id !== undefined).map((itemIdentifier) => ({ itemIdentifier })) };
};
