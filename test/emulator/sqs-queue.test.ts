import { describe, expect, it } from 'vitest';
import { AwsApiError } from '../../emulator/cloudwatch/aws-json.ts';
import { billableRequests } from '../../emulator/sqs/billable-requests.ts';
import { md5OfAttributes, md5OfBody } from '../../emulator/sqs/message-md5.ts';
import { SqsQueues } from '../../emulator/sqs/queue-registry.ts';
import { queueDescription as queue, sqsArn as arn, SQS_TEST_ACCOUNT as ACCOUNT } from './sqs-queue-description.ts';

// One queue's rules in process: what an event source mapping's pollers call (PolledQueue), what
// other services deliver (ServiceTargets), time by a clock the test moves, SQS's digests and billing.

const sns = { service: 'sns' as const, arn: 'arn:aws:sns:us-east-1:123456789012:topic' };

describe('SQS digests and billing', () => {
  it('computes MD5OfMessageAttributes as SQS does (vectors SQS answered)', () => {
    expect(md5OfBody('derp')).toBe('58fd9edd83341c29f1aebba81c31e257');
    expect(md5OfAttributes({ timestamp: { dataType: 'Number', stringValue: '1493147359900' } })).toBe('235c5c510d26fb653d073faed50ae77c');
    expect(md5OfAttributes({ timestamp: { dataType: 'Number', stringValue: '1493147359901' } })).toBe('994258b45346a2cc3f9cbb611aa7af30');
    expect(
      md5OfAttributes({
        ccc: { stringValue: 'testjunk', dataType: 'String' },
        aaa: { binaryValue: Buffer.of(2, 3, 4).toString('base64'), dataType: 'Binary' },
        zzz: { dataType: 'Number', stringValue: '0230.01' },
        'öther_encodings': { dataType: 'String', stringValue: 'T\u00fcst' },
      }),
    ).toBe('8ae21a7957029ef04146b42aeaa18a22');
    expect(md5OfAttributes({})).toBeUndefined();
  });

  it('bills each 64 KB chunk of a payload as one request', () => {
    expect([0, 1, 65_536, 65_537, 262_144].map(billableRequests)).toEqual([1, 1, 1, 2, 4]);
  });
});

describe('a queue in process', () => {
  it('is what an event source mapping polls: records with their attributes, deletes, visibility 0, long polls that abort', async () => {
    let now = 1_000_000;
    const queues = new SqsQueues([queue('q')], { region: 'us-east-1', accountId: ACCOUNT, now: () => now });
    const q = queues.polled(arn('q'));
    await queues.deliver(arn('q'), { body: '{"a":1}', attributes: { k: { dataType: 'String', stringValue: 'v' } } }, sns);
    const [m] = await q.receive(10, 0);
    expect(m).toMatchObject({
      body: '{"a":1}',
      md5OfBody: md5OfBody('{"a":1}'),
      messageAttributes: { k: { dataType: 'String', stringValue: 'v' } },
      md5OfMessageAttributes: md5OfAttributes({ k: { dataType: 'String', stringValue: 'v' } }),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1000000', ApproximateFirstReceiveTimestamp: '1000000', SenderId: 'AIDAIT2UOQQY3AUEKVGXU' },
    });
    expect(q.depth()).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    q.changeVisibility(m!.receiptHandle, 0);
    const [again] = await q.receive(10, 0);
    expect(again!.attributes['ApproximateReceiveCount']).toBe('2');
    q.delete(m!.receiptHandle); // stale: nothing
    q.delete('garbage'); // not this queue's: ignored
    expect(q.depth().inFlight).toBe(1);
    q.delete(again!.receiptHandle);
    expect(q.depth()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });

    const abort = new AbortController();
    const waiting = q.receive(10, 60_000, abort.signal);
    abort.abort();
    expect(await waiting).toEqual([]);
    queues.close();
  });

  it('ends delays and visibility timeouts, and drops messages past retention, by the clock', async () => {
    let now = 0;
    const queues = new SqsQueues([queue('q', { delaySeconds: 10, visibilityTimeoutSeconds: 5, messageRetentionSeconds: 60 })], {
      region: 'us-east-1',
      accountId: ACCOUNT,
      now: () => now,
    });
    const q = queues.byName('q')!;
    q.send({ body: 'later', senderId: ACCOUNT });
    expect(q.depth()).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    now = 10_000;
    expect(q.depth()).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    expect(q.ageOfOldestSeconds()).toBe(10);
    const [m] = await q.receive(1, 0);
    now = 14_999;
    expect(q.depth().inFlight).toBe(1);
    now = 15_000;
    expect(q.depth()).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    expect(() => q.changeMessageVisibility(m!.receiptHandle, 5)).toThrow(/MessageNotInflight|not available/);
    now = 60_000; // retention: 60 s after it was sent, it is gone
    expect(await q.receive(10, 0)).toEqual([]);
    expect(q.ageOfOldestSeconds()).toBe(0);
    queues.close();
  });

  it('FIFO: a poller never gets a group already in flight', async () => {
    const queues = new SqsQueues([queue('f.fifo', { contentBasedDeduplication: true })], { region: 'us-east-1', accountId: ACCOUNT });
    for (const [g, body] of [['a', 'a1'], ['b', 'b1'], ['a', 'a2']]) await queues.deliver(arn('f.fifo'), { body, groupId: g }, sns);
    const q = queues.polled(arn('f.fifo'));
    const first = await q.receive(1, 0);
    const second = await q.receive(10, 0);
    expect([first.map((m) => m.body), second.map((m) => m.body)]).toEqual([['a1'], ['b1']]);
    expect(first[0]!.attributes).toMatchObject({ MessageGroupId: 'a', SequenceNumber: expect.stringMatching(/^\d{20}$/) });
    q.delete(first[0]!.receiptHandle);
    expect((await q.receive(10, 0)).map((m) => m.body)).toEqual(['a2']);
    queues.close();
  });

  it('refuses a delivery as SQS refuses the SendMessage (an AwsApiError), and knows its ARNs', async () => {
    const queues = new SqsQueues([queue('f.fifo')], { region: 'us-east-1', accountId: ACCOUNT });
    expect(queues.has(arn('f.fifo'))).toBe(true);
    expect(queues.has(arn('nope'))).toBe(false);
    const noGroup = await queues.deliver(arn('f.fifo'), { body: 'x', deduplicationId: 'd' }, sns).catch((e: unknown) => e);
    expect(noGroup).toBeInstanceOf(AwsApiError);
    expect(noGroup).toMatchObject({ name: 'MissingParameter' });
    await expect(queues.deliver(arn('nope'), { body: 'x' }, sns)).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(queues.deliver(arn('f.fifo'), { body: 'y'.repeat(1_048_577), groupId: 'g', deduplicationId: 'd' }, sns)).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    queues.close();
  });

  it('stays quick 100,000 messages deep: no operation scans the queue', async () => {
    const queues = new SqsQueues([queue('deep')], { region: 'us-east-1', accountId: ACCOUNT });
    const q = queues.byName('deep')!;
    for (let i = 0; i < 100_000; i++) q.send({ body: `m${i}`, senderId: ACCOUNT });
    expect(q.depth()).toEqual({ visible: 100_000, inFlight: 0, delayed: 0 });
    let seen = 0;
    for (let i = 0; i < 1_000; i++) {
      const batch = await q.receive(10, 0);
      for (const m of batch) q.delete(m.receiptHandle);
      seen += batch.length;
    }
    expect(seen).toBe(10_000);
    expect(q.depth()).toEqual({ visible: 90_000, inFlight: 0, delayed: 0 });
    queues.close();
  }, 60_000);

  it('at its messages in flight (120,000 on AWS, 30 here) a standard queue answers OverLimit, a FIFO queue no error and no message', async () => {
    const queues = new SqsQueues([queue('wide'), queue('wide.fifo')], { region: 'us-east-1', accountId: ACCOUNT, maxInFlight: 30 });
    for (const name of ['wide', 'wide.fifo']) {
      const q = queues.byName(name)!;
      // 4 groups of 10: one receive takes one group's 10
      for (let i = 0; i < 40; i++) q.send({ body: 'm', senderId: ACCOUNT, ...(q.fifo ? { groupId: `g${Math.floor(i / 10)}`, deduplicationId: `${i}` } : {}) });
      let last: Awaited<ReturnType<typeof q.receive>> = [];
      for (let i = 0; i < 3; i++) last = await q.receive(10, 0);
      expect(q.depth()).toMatchObject({ visible: 10, inFlight: 30 });
      if (q.fifo) expect(await q.receiveMessages({ max: 10, waitMs: 0 })).toEqual([]);
      else await expect(q.receiveMessages({ max: 10, waitMs: 0 })).rejects.toMatchObject({ name: 'OverLimit' });
      q.delete(last[0]!.receiptHandle);
      expect(await q.receiveMessages({ max: 10, waitMs: 0 })).toHaveLength(10);
    }
    queues.close();
  });
});
