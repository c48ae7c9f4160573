import { createHash } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalEndpoint } from '../../emulator/local-listener.ts';
import { SqsQueues } from '../../emulator/sqs/queue-registry.ts';
import { startSqsServer } from '../../emulator/sqs/server.ts';
import { queueDescription, SQS_TEST_ACCOUNT as ACCOUNT } from './sqs-queue-description.ts';

// FIFO queues through the real SDK client: order per message group, a group held while one of its
// messages is in flight, deduplication (by id and by content), sequence numbers.


describe('SQS FIFO queues', () => {
  let queues: SqsQueues;
  let server: LocalEndpoint;
  let sqs: SQSClient;
  const urlOf = (name: string) => `${server.url}/${ACCOUNT}/${name}`;

  beforeAll(async () => {
    queues = new SqsQueues([queueDescription('orders.fifo'), queueDescription('content.fifo', { contentBasedDeduplication: true })], { region: 'us-east-1', accountId: ACCOUNT });
    server = await startSqsServer({ queues });
    sqs = new SQSClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    sqs?.destroy();
    queues?.close();
    await server?.close();
  });

  it('keeps order within a group, holds a group while one of its messages is in flight, and numbers messages in sequence', async () => {
    const url = urlOf('orders.fifo');
    const sent = [];
    for (const [group, body] of [['g1', 'a1'], ['g2', 'b1'], ['g1', 'a2'], ['g2', 'b2'], ['g1', 'a3']]) {
      sent.push(await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: body })));
    }
    const seq = sent.map((s) => BigInt(s.SequenceNumber!));
    expect(seq.every((n, i) => i === 0 || n > seq[i - 1]!)).toBe(true);
    expect(sent[0]!.SequenceNumber).toMatch(/^\d{20}$/);

    // one receive takes as much of the first group as it can, in order
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 2, MessageSystemAttributeNames: ['All'] }));
    expect(first.Messages!.map((m) => m.Body)).toEqual(['a1', 'a2']);
    expect(first.Messages![0]!.Attributes).toMatchObject({ MessageGroupId: 'g1', MessageDeduplicationId: 'a1', SequenceNumber: sent[0]!.SequenceNumber });
    // g1 is in flight: the next receive gets g2 only, never a3
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(second.Messages!.map((m) => m.Body)).toEqual(['b1', 'b2']);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages).toBeUndefined();
    // deleting a1 is not enough: a2 is still in flight
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages![0]!.ReceiptHandle }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages![1]!.ReceiptHandle }));
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(third.Messages!.map((m) => m.Body)).toEqual(['a3']);
  });

  it('a message returned to the queue comes back before the rest of its group', async () => {
    const url = urlOf('orders.fifo');
    for (const body of ['r1', 'r2']) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: 'r', MessageDeduplicationId: body }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0, MaxNumberOfMessages: 1 }));
    expect(got.Messages![0]!.Body).toBe('r1');
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(again.Messages!.map((m) => [m.Body, m.Attributes!.ApproximateReceiveCount])).toEqual([
      ['r1', '2'],
      ['r2', '1'],
    ]);
  });

  it('deduplicates within 5 minutes by MessageDeduplicationId or, with ContentBasedDeduplication, by the body', async () => {
    const url = urlOf('orders.fifo');
    const one = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'd', MessageDeduplicationId: 'same' }));
    const two = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'y', MessageGroupId: 'd', MessageDeduplicationId: 'same' }));
    expect(two.MessageId).toBe(one.MessageId);
    const byContent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: urlOf('content.fifo'),
        Entries: [
          { Id: '1', MessageBody: 'same body', MessageGroupId: 'c' },
          { Id: '2', MessageBody: 'same body', MessageGroupId: 'c' },
          { Id: '3', MessageBody: 'other body', MessageGroupId: 'c' },
        ],
      }),
    );
    expect(byContent.Successful![1]!.MessageId).toBe(byContent.Successful![0]!.MessageId);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('content.fifo'), MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageDeduplicationId'] }));
    expect(got.Messages!.map((m) => m.Body)).toEqual(['same body', 'other body']);
    // the content's SHA-256 is the deduplication id
    expect(got.Messages![0]!.Attributes!.MessageDeduplicationId).toBe(createHash('sha256').update('same body').digest('hex'));
  });

  it('refuses what a FIFO queue refuses, by name', async () => {
    const url = urlOf('orders.fifo');
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'q' }))).rejects.toMatchObject({
      name: 'MissingParameter',
      message: 'The request must contain the parameter MessageGroupId.',
    });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'z', DelaySeconds: 5 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });
});
