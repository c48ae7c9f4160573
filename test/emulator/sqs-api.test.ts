import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalEndpoint } from '../../emulator/local-listener.ts';
import { SqsQueues } from '../../emulator/sqs/queue-registry.ts';
import { startSqsServer } from '../../emulator/sqs/server.ts';
import { queueDescription as queue, sqsArn as arn, SQS_TEST_ACCOUNT as ACCOUNT } from './sqs-queue-description.ts';

// The real @aws-sdk/client-sqs (AWS JSON 1.0, its MD5 checks on) against the emulator's endpoint.


describe('SQS through @aws-sdk/client-sqs', () => {
  let queues: SqsQueues;
  let server: LocalEndpoint;
  let sqs: SQSClient;
  const urlOf = (name: string) => `${server.url}/${ACCOUNT}/${name}`;

  beforeAll(async () => {
    queues = new SqsQueues(
      [queue('work'), queue('work-dlq'), queue('redriven', { redrive: { deadLetterTargetArn: arn('work-dlq'), maxReceiveCount: 2 } })],
      { region: 'us-east-1', accountId: ACCOUNT },
    );
    server = await startSqsServer({ queues });
    sqs = new SQSClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    sqs?.destroy();
    queues?.close();
    await server?.close();
  });

  it('sends, receives with attributes and MD5s the SDK accepts, and deletes', async () => {
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: urlOf('work'),
        MessageBody: 'derp',
        MessageAttributes: { timestamp: { DataType: 'Number', StringValue: '1493147359900' } },
      }),
    );
    // the digests SQS gives these (the SDK compares the body's itself)
    expect(sent.MD5OfMessageBody).toBe('58fd9edd83341c29f1aebba81c31e257');
    expect(sent.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: urlOf('work'), MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 1 }),
    );
    expect(got.Messages).toHaveLength(1);
    const m = got.Messages![0]!;
    expect(m).toMatchObject({ MessageId: sent.MessageId, Body: 'derp', MD5OfMessageAttributes: '235c5c510d26fb653d073faed50ae77c' });
    expect(m.MessageAttributes).toEqual({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } });
    expect(m.Attributes).toMatchObject({ ApproximateReceiveCount: '1', SenderId: ACCOUNT });
    expect(Number(m.Attributes!.SentTimestamp)).toBeGreaterThan(0);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: urlOf('work'), AttributeNames: ['ApproximateNumberOfMessagesNotVisible', 'QueueArn'] }));
    expect(attrs.Attributes).toEqual({ ApproximateNumberOfMessagesNotVisible: '1', QueueArn: arn('work') });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: urlOf('work'), ReceiptHandle: m.ReceiptHandle }));
    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: urlOf('work'), AttributeNames: ['All'] }));
    expect(after.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0', VisibilityTimeout: '30' });
  });

  it('binary and several attributes digest as SQS digests them', async () => {
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: urlOf('work'),
        MessageBody: 'derp',
        MessageAttributes: {
          ccc: { StringValue: 'testjunk', DataType: 'String' },
          aaa: { BinaryValue: Uint8Array.of(2, 3, 4), DataType: 'Binary' },
          zzz: { DataType: 'Number', StringValue: '0230.01' },
          'öther_encodings': { DataType: 'String', StringValue: 'T\u00fcst' },
        },
      }),
    ).catch((e: unknown) => e as Error);
    // 'öther_encodings' is not a valid name for SQS: only letters, digits, _ - .
    expect(sent).toMatchObject({ name: 'InvalidParameterValue' });
    const ok = await sqs.send(
      new SendMessageCommand({
        QueueUrl: urlOf('work'),
        MessageBody: 'derp',
        MessageAttributes: { bin: { BinaryValue: Uint8Array.of(2, 3, 4), DataType: 'Binary' }, s: { DataType: 'String', StringValue: 'x' } },
      }),
    );
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('work'), MessageAttributeNames: ['bin'] }));
    expect(got.Messages![0]!.MessageAttributes).toEqual({ bin: { DataType: 'Binary', BinaryValue: Uint8Array.of(2, 3, 4) } });
    expect(got.Messages![0]!.MD5OfMessageAttributes).not.toBe(ok.MD5OfMessageAttributes);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: urlOf('work'), ReceiptHandle: got.Messages![0]!.ReceiptHandle }));
  });

  it('batches: sends, answers failed entries, deletes; batch errors by name', async () => {
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: urlOf('work'),
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', DelaySeconds: 901 },
          { Id: 'c', MessageBody: 'three' },
        ],
      }),
    );
    expect(out.Successful!.map((e) => e.Id)).toEqual(['a', 'c']);
    expect(out.Failed).toEqual([expect.objectContaining({ Id: 'b', SenderFault: true, Code: 'InvalidParameterValue' })]);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('work'), MaxNumberOfMessages: 10 }));
    expect(got.Messages!.map((m) => m.Body)).toEqual(['one', 'three']);
    const del = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: urlOf('work'),
        Entries: [...got.Messages!.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })), { Id: 'bad', ReceiptHandle: 'not-a-handle' }],
      }),
    );
    expect(del.Successful!.map((e) => e.Id)).toEqual(['m0', 'm1']);
    expect(del.Failed).toEqual([expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid' })]);
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl: urlOf('work'), Entries: [] }))).rejects.toMatchObject({ name: 'EmptyBatchRequest' });
    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: urlOf('work'), Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })) })),
    ).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequest' });
    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: urlOf('work'), Entries: [{ Id: 'x', MessageBody: 'a' }, { Id: 'x', MessageBody: 'b' }] })),
    ).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
  });

  it('refuses a message over 1 MiB as SQS does, and names missing queues', async () => {
    const big = 'x'.repeat(1_048_577);
    const err = (await sqs.send(new SendMessageCommand({ QueueUrl: urlOf('work'), MessageBody: big })).catch((e: unknown) => e)) as Error & { $metadata: { httpStatusCode: number } };
    expect(err.name).toBe('InvalidParameterValue');
    expect(err.message).toBe('One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.');
    expect(err.$metadata.httpStatusCode).toBe(400);
    // exactly 1 MiB of body and attributes (name, data type and value: 8 bytes here) is accepted
    const fits = await sqs.send(
      new SendMessageCommand({ QueueUrl: urlOf('work'), MessageBody: 'y'.repeat(1_048_576 - 8), MessageAttributes: { a: { DataType: 'String', StringValue: 'z' } } }),
    );
    expect(fits.MessageId).toBeTruthy();
    await sqs.send(new PurgeQueueCommand({ QueueUrl: urlOf('work') }));
    await expect(sqs.send(new PurgeQueueCommand({ QueueUrl: urlOf('work') }))).rejects.toMatchObject({ name: 'PurgeQueueInProgress' });

    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist', $metadata: { httpStatusCode: 400 } });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: urlOf('nope'), MessageBody: 'x' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('work'), MaxNumberOfMessages: 11 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: urlOf('work'), ReceiptHandle: 'junk', VisibilityTimeout: 5 }))).rejects.toMatchObject({
      name: 'ReceiptHandleIsInvalid',
    });
  });

  it('creates, lists, finds (the AWS URL form too), sets attributes of and deletes a queue at run time', async () => {
    const created = await sqs.send(new CreateQueueCommand({ QueueName: 'made-at-runtime', Attributes: { VisibilityTimeout: '5' } }));
    expect(created.QueueUrl).toBe(urlOf('made-at-runtime'));
    // the same attributes again: the same queue; different ones: QueueNameExists
    expect((await sqs.send(new CreateQueueCommand({ QueueName: 'made-at-runtime', Attributes: { VisibilityTimeout: '5' } }))).QueueUrl).toBe(created.QueueUrl);
    await expect(sqs.send(new CreateQueueCommand({ QueueName: 'made-at-runtime', Attributes: { VisibilityTimeout: '6' } }))).rejects.toMatchObject({
      name: 'QueueNameExists',
    });
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'made-at-runtime' }))).QueueUrl).toBe(created.QueueUrl);
    expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'made' }))).QueueUrls).toEqual([created.QueueUrl]);
    const awsUrl = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/made-at-runtime`;
    const client = new SQSClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
    await client.send(new SetQueueAttributesCommand({ QueueUrl: awsUrl, Attributes: { DelaySeconds: '3', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('work-dlq'), maxReceiveCount: 4 }) } }));
    const attrs = await client.send(new GetQueueAttributesCommand({ QueueUrl: awsUrl, AttributeNames: ['All'] }));
    expect(attrs.Attributes).toMatchObject({ DelaySeconds: '3', VisibilityTimeout: '5', RedrivePolicy: `{"deadLetterTargetArn":"${arn('work-dlq')}","maxReceiveCount":4}` });
    await expect(client.send(new SetQueueAttributesCommand({ QueueUrl: awsUrl, Attributes: { VisibilityTimeout: '99999' } }))).rejects.toMatchObject({ name: 'InvalidAttributeValue' });
    await expect(client.send(new GetQueueAttributesCommand({ QueueUrl: awsUrl, AttributeNames: ['Bogus' as never] }))).rejects.toMatchObject({ name: 'InvalidAttributeName' });
    client.destroy();
    await sqs.send(new DeleteQueueCommand({ QueueUrl: created.QueueUrl }));
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'made-at-runtime' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });

  it('hides a received message for its visibility timeout, then gives it again with a higher receive count', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: urlOf('work'), MessageBody: 'again' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('work'), MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(first.Messages![0]!.Attributes).toEqual({ ApproximateReceiveCount: '1' });
    // hidden for 30 s: nothing to receive now
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('work') }))).Messages).toBeUndefined();
    // 1 s from now it is back; a long poll of up to 10 s gets it when it is
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: urlOf('work'), ReceiptHandle: first.Messages![0]!.ReceiptHandle, VisibilityTimeout: 1 }));
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('work'), WaitTimeSeconds: 10, AttributeNames: ['All'] }));
    expect(second.Messages![0]).toMatchObject({ Body: 'again', Attributes: expect.objectContaining({ ApproximateReceiveCount: '2' }) });
    // the first receipt handle is stale: deleting with it deletes nothing
    await sqs.send(new DeleteMessageCommand({ QueueUrl: urlOf('work'), ReceiptHandle: first.Messages![0]!.ReceiptHandle }));
    expect(queues.byName('work')!.depth()).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: urlOf('work'), ReceiptHandle: second.Messages![0]!.ReceiptHandle }));
    expect(queues.byName('work')!.depth()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('a long poll answers as soon as a message comes, and empty when none does', async () => {
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('work'), WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 50));
    await sqs.send(new SendMessageCommand({ QueueUrl: urlOf('work'), MessageBody: 'came' }));
    const got = await waiting;
    expect(got.Messages![0]!.Body).toBe('came');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: urlOf('work'), ReceiptHandle: got.Messages![0]!.ReceiptHandle }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('work'), WaitTimeSeconds: 1 }))).Messages).toBeUndefined();
  });

  it('answers an unknown action and a body that is not JSON in SQS errors (the shared AWS JSON server with SQS hooks)', async () => {
    const post = (target: string, body: string) =>
      fetch(server.url, { method: 'POST', headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' }, body, signal: AbortSignal.timeout(5_000) });
    const unknown = await post('AmazonSQS.Nope', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-query-error')).toBe('InvalidAction;Sender');
    expect(((await unknown.json()) as { __type: string }).__type).toBe('com.amazonaws.sqs#InvalidAction');
    const notJson = await post('AmazonSQS.ListQueues', 'not json');
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('x-amzn-query-error')).toBe('InvalidParameterValue;Sender');
  });

  it('moves a message to the dead-letter queue when a receive would take it past maxReceiveCount', async () => {
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: urlOf('redriven'), MessageBody: 'poison' }));
    for (let i = 1; i <= 2; i++) {
      // VisibilityTimeout 0: back on the queue at once, as a failed consumer leaves it
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('redriven'), VisibilityTimeout: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      expect(got.Messages![0]!.Attributes!.ApproximateReceiveCount).toBe(String(i));
    }
    // the third receive would exceed maxReceiveCount 2: the message moves instead
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('redriven') }))).Messages).toBeUndefined();
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('work-dlq'), MessageSystemAttributeNames: ['All'] }));
    expect(dead.Messages![0]).toMatchObject({ MessageId: sent.MessageId, Body: 'poison' });
    expect(dead.Messages![0]!.Attributes!.DeadLetterQueueSourceArn).toBe(arn('redriven'));
  });
});
