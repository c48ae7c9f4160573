import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { IamGate } from '../../emulator/iam/iam-gate.ts';
import type { LocalEndpoint } from '../../emulator/local-listener.ts';
import { SqsQueues } from '../../emulator/sqs/queue-registry.ts';
import { startSqsServer } from '../../emulator/sqs/server.ts';
import { queueDescription as queue, sqsArn as arn, SQS_TEST_ACCOUNT as ACCOUNT } from './sqs-queue-description.ts';
import { grantsOne } from './iam-test-grants.ts';

// A function's call (its session token) is asked of its role, `sqs:<Action>` on the queue's ARN;
// a refusal is SQS's AccessDenied (403). And AWS/SQS lands in the metric store.

const grants = grantsOne('producer', 'chat-ProducerRole', 'sqs:SendMessage', arn('allowed'));

describe('SQS under iam: enforce, and its metrics', () => {
  const lines: string[] = [];
  let queues: SqsQueues;
  let server: LocalEndpoint;
  const metrics = new MetricStore();
  const urlOf = (name: string) => `${server.url}/${ACCOUNT}/${name}`;
  beforeAll(async () => {
    const gate = new IamGate('enforce', grants, 'us-east-1', ACCOUNT, (l) => lines.push(l));
    queues = new SqsQueues([queue('allowed'), queue('other')], { region: 'us-east-1', accountId: ACCOUNT });
    server = await startSqsServer({ queues, iam: gate, metrics });
  });
  afterAll(async () => {
    queues?.close();
    await server?.close();
  });

  it('lets the function send where its role allows, refuses elsewhere with AccessDenied, and lets the harness through', async () => {
    const fn = new SQSClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: grants.sessions[0]!.token },
      maxAttempts: 1,
    });
    await fn.send(new SendMessageCommand({ QueueUrl: urlOf('allowed'), MessageBody: 'ok' }));
    // SendMessageBatch is asked as sqs:SendMessage
    await fn.send(new SendMessageBatchCommand({ QueueUrl: urlOf('allowed'), Entries: [{ Id: 'a', MessageBody: 'ok too' }] }));
    const denied = (await fn.send(new SendMessageCommand({ QueueUrl: urlOf('other'), MessageBody: 'no' })).catch((e: unknown) => e)) as Error & {
      $metadata: { httpStatusCode: number };
    };
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(denied.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/chat-ProducerRole/producer is not authorized to perform: sqs:SendMessage on resource: ${arn('other')} because no identity-based policy allows the sqs:SendMessage action`,
    );
    await expect(fn.send(new ReceiveMessageCommand({ QueueUrl: urlOf('allowed') }))).rejects.toMatchObject({ name: 'AccessDenied' });
    fn.destroy();
    expect(lines.filter((l) => l.startsWith('iam: denied:'))).toHaveLength(2);

    // the harness (no function's session) is not asked; it sees the function's messages and who sent them
    const harness = new SQSClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
    const got = await harness.send(new ReceiveMessageCommand({ QueueUrl: urlOf('allowed'), MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['SenderId'] }));
    expect(got.Messages!.map((m) => m.Body)).toEqual(['ok', 'ok too']);
    expect(got.Messages![0]!.Attributes!.SenderId).toMatch(/^AROA[0-9A-F]+:producer$/);
    for (const m of got.Messages!) await harness.send(new DeleteMessageCommand({ QueueUrl: urlOf('allowed'), ReceiptHandle: m.ReceiptHandle }));
    expect((await harness.send(new ReceiveMessageCommand({ QueueUrl: urlOf('allowed') }))).Messages).toBeUndefined();
    harness.destroy();
  });

  it('publishes AWS/SQS by QueueName: counts as they happen, depths sampled', () => {
    const sum = (name: string) =>
      metrics
        .query({ namespace: 'AWS/SQS', metricName: name, dimensions: { QueueName: 'allowed' }, stat: 'Sum', periodSeconds: 60, startTime: Date.now() - 600_000, endTime: Date.now() + 60_000 })
        .reduce((n, p) => n + p.value, 0);
    expect(sum('NumberOfMessagesSent')).toBe(2);
    expect(sum('NumberOfMessagesReceived')).toBe(2);
    expect(sum('NumberOfMessagesDeleted')).toBe(2);
    expect(sum('NumberOfEmptyReceives')).toBe(1);
    expect(sum('SentMessageSize')).toBe('ok'.length + 'ok too'.length);
    const names = metrics.listMetrics({ namespace: 'AWS/SQS', dimensions: [{ name: 'QueueName', value: 'other' }] }).map((m) => m.metricName);
    expect(names).toEqual(
      expect.arrayContaining(['ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed', 'ApproximateAgeOfOldestMessage']),
    );
    // billing: every call on a queue at least one request
    expect(queues.billableRequests()['allowed']).toBeGreaterThanOrEqual(6);
  });
});
