import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MetricDatum } from '../../emulator/cloudwatch/types.ts';
import { IamGate } from '../../emulator/iam/iam-gate.ts';
import { startSnsServer, type SnsServer } from '../../emulator/sns/server.ts';
import type { TopicDescription } from '../../emulator/stack-model/stack-description.ts';
import { RecordingTargets } from './sns-eventbridge-targets.ts';
import { UserError } from '../../common/errors.ts';
import { grantsOne } from './iam-test-grants.ts';

// SNS as @aws-sdk/client-sns and boto3 reach it (the AWS Query protocol), its deliveries recorded
// by a ServiceTargets (the real SQS and Lambda asynchronous sides are other parts of issue 60,
// integrated later by the stack).

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const arn = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;
const FN = arn('lambda', 'function:fanout');
const QUEUE = arn('sqs', 'orders-q');
const RAW_QUEUE = arn('sqs', 'orders-raw');
const FIFO_QUEUE = arn('sqs', 'orders-q.fifo');
const DLQ = arn('sqs', 'orders-dlq');
const GONE_FN = arn('lambda', 'function:gone');

const topics: TopicDescription[] = [
  {
    logicalId: 'Orders',
    name: 'orders',
    arn: arn('sns', 'orders'),
    fifo: false,
    contentBasedDeduplication: false,
    subscriptions: [
      { logicalId: 'OrdersFn', protocol: 'lambda', endpoint: FN, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false },
      { logicalId: 'OrdersQ', protocol: 'sqs', endpoint: QUEUE, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false },
      { logicalId: 'OrdersRaw', protocol: 'sqs', endpoint: RAW_QUEUE, filterPolicy: { store: ['example_corp'] }, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: true },
      { logicalId: 'OrdersMail', protocol: 'email', endpoint: 'ops@example.com', filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false },
    ],
  },
  { logicalId: 'OrdersFifo', name: 'orders.fifo', arn: arn('sns', 'orders.fifo'), fifo: true, contentBasedDeduplication: false, subscriptions: [{ logicalId: 'FifoQ', protocol: 'sqs', endpoint: FIFO_QUEUE, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false }] },
  { logicalId: 'Lost', name: 'lost', arn: arn('sns', 'lost'), fifo: false, contentBasedDeduplication: false, subscriptions: [{ logicalId: 'LostFn', protocol: 'lambda', endpoint: GONE_FN, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false, deadLetterArn: DLQ }] },
];

const grants = grantsOne('publisher', 'PublisherRole', 'sns:Publish', arn('sns', 'orders'));

describe('SNS: the API, deliveries, metrics and IAM', () => {
  const targets = new RecordingTargets();
  const metrics: MetricDatum[] = [];
  const lines: string[] = [];
  let sns: SnsServer;
  let client: SNSClient;
  const sum = (name: string, topic: string) => metrics.filter((m) => m.name === name && m.dimensions.TopicName === topic).reduce((a, m) => a + m.value, 0);

  beforeAll(async () => {
    targets.refusing.add(GONE_FN);
    const iam = new IamGate('enforce', grants, REGION, ACCOUNT, (l) => lines.push(l));
    sns = await startSnsServer({ topics, targets, metrics: { put: (d) => void metrics.push(d) }, region: REGION, accountId: ACCOUNT, iam });
    client = new SNSClient({ endpoint: sns.url, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await sns?.close();
  });
  beforeEach(() => {
    targets.delivered.length = 0;
  });

  it('Publish answers, then delivers: the Lambda event, the SQS envelope, the raw message where the filter lets it through', async () => {
    const attrs = { store: { DataType: 'String', StringValue: 'example_corp' }, price_usd: { DataType: 'Number', StringValue: '210.75' } };
    const { MessageId } = await client.send(new PublishCommand({ TopicArn: arn('sns', 'orders'), Message: 'order placed', Subject: 'Order', MessageAttributes: attrs }));
    expect(MessageId).toMatch(/^[0-9a-f-]{36}$/);
    await sns.idle();

    const [lambda] = targets.to(FN);
    expect(JSON.parse(lambda!.body)).toEqual({
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: expect.stringMatching(new RegExp(`^${arn('sns', 'orders')}:[0-9a-f-]{36}$`)),
          Sns: {
            Type: 'Notification',
            MessageId,
            TopicArn: arn('sns', 'orders'),
            Subject: 'Order',
            Message: 'order placed',
            Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
            SignatureVersion: '1',
            Signature: expect.any(String),
            SigningCertUrl: expect.stringMatching(/^https:\/\/sns\.us-east-1\.amazonaws\.com\//),
            UnsubscribeUrl: expect.stringContaining('Action=Unsubscribe'),
            MessageAttributes: { store: { Type: 'String', Value: 'example_corp' }, price_usd: { Type: 'Number', Value: '210.75' } },
          },
        },
      ],
    });
    const [envelope] = targets.to(QUEUE);
    expect(JSON.parse(envelope!.body)).toMatchObject({ Type: 'Notification', MessageId, TopicArn: arn('sns', 'orders'), Subject: 'Order', Message: 'order placed', SigningCertURL: expect.any(String), UnsubscribeURL: expect.any(String), MessageAttributes: { store: { Type: 'String', Value: 'example_corp' } } });
    expect(targets.to(RAW_QUEUE)).toEqual([{ body: 'order placed', attributes: { store: { dataType: 'String', stringValue: 'example_corp' }, price_usd: { dataType: 'Number', stringValue: '210.75' } } }]);
    expect(targets.delivered.every((d) => d.from.service === 'sns' && d.from.arn === arn('sns', 'orders'))).toBe(true);

    // a message the raw subscription's policy filters out
    await client.send(new PublishCommand({ TopicArn: arn('sns', 'orders'), Message: 'elsewhere', MessageAttributes: { store: { DataType: 'String', StringValue: 'other' } } }));
    await sns.idle();
    expect(targets.to(RAW_QUEUE)).toHaveLength(1);
    expect(sum('NumberOfNotificationsFilteredOut-MessageAttributes', 'orders')).toBe(1);
    expect(sum('NumberOfMessagesPublished', 'orders')).toBe(2);
    expect(sum('NumberOfNotificationsDelivered', 'orders')).toBe(5);
    expect(metrics.find((m) => m.name === 'PublishSize')).toMatchObject({ namespace: 'AWS/SNS', unit: 'Bytes' });
    const billing = sns.billing();
    expect(billing.delivered).toMatchObject({ lambda: 2, sqs: 3 });
    expect(billing.notDelivered).toEqual({ email: 2 });
    expect(billing.publishes).toBe(2);
  });

  it('PublishBatch: up to 10 entries, per-entry failures, and the batch errors', async () => {
    const topicArn = arn('sns', 'orders');
    const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, Message: i === 3 ? '' : `message ${i}` }));
    const out = await client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }));
    expect(out.Successful?.map((s) => s.Id)).toEqual(['m0', 'm1', 'm2', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    expect(out.Failed).toEqual([{ Id: 'm3', Code: 'InvalidParameter', Message: 'Invalid parameter: Empty message', SenderFault: true }]);
    await sns.idle();
    expect(targets.to(FN)).toHaveLength(9);

    await expect(client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: [...entries, { Id: 'm10', Message: 'x' }] }))).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequestException' });
    await expect(client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: [{ Id: 'a', Message: 'x' }, { Id: 'a', Message: 'y' }] }))).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinctException' });
    await expect(client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: [{ Id: 'bad id!', Message: 'x' }] }))).rejects.toMatchObject({ name: 'InvalidBatchEntryIdException' });
    await expect(client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: [{ Id: 'a', Message: 'x'.repeat(200_000) }, { Id: 'b', Message: 'y'.repeat(100_000) }] }))).rejects.toMatchObject({ name: 'BatchRequestTooLongException' });
    await expect(client.send(new PublishCommand({ TopicArn: arn('sns', 'nope'), Message: 'x' }))).rejects.toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
    await expect(client.send(new PublishCommand({ TopicArn: topicArn, Message: 'x'.repeat(262_145) }))).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Message too long' });
  });

  it('FIFO topics: group id required, deduplication within 5 minutes, order kept per subscription, ids passed to the FIFO queue', async () => {
    const topicArn = arn('sns', 'orders.fifo');
    await expect(client.send(new PublishCommand({ TopicArn: topicArn, Message: 'x', MessageDeduplicationId: 'd' }))).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('MessageGroupId') });
    await expect(client.send(new PublishCommand({ TopicArn: topicArn, Message: 'x', MessageGroupId: 'g' }))).rejects.toMatchObject({ message: expect.stringContaining('ContentBasedDeduplication') });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await client.send(new PublishCommand({ TopicArn: topicArn, Message: `m${i}`, MessageGroupId: 'room-1', MessageDeduplicationId: `d${i}` })));
    const again = await client.send(new PublishCommand({ TopicArn: topicArn, Message: 'm0 again', MessageGroupId: 'room-1', MessageDeduplicationId: 'd0' }));
    expect(again.MessageId).toBe(answers[0]!.MessageId);
    expect(again.SequenceNumber).toBe(answers[0]!.SequenceNumber);
    const seqs = answers.map((a) => BigInt(a.SequenceNumber!));
    expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)));
    await sns.idle();
    const got = targets.to(FIFO_QUEUE);
    expect(got.map((m) => JSON.parse(m.body).Message)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(got[0]).toMatchObject({ groupId: 'room-1', deduplicationId: 'd0' });
    expect(JSON.parse(got[0]!.body).SequenceNumber).toBe(answers[0]!.SequenceNumber);
  });

  it('topics and subscriptions made at runtime: CreateTopic, Subscribe, attributes, lists, a body-scoped policy, Unsubscribe', async () => {
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'scores' }));
    expect(TopicArn).toBe(arn('sns', 'scores'));
    expect((await client.send(new CreateTopicCommand({ Name: 'scores' }))).TopicArn).toBe(TopicArn);
    await expect(client.send(new CreateTopicCommand({ Name: 'bad.fifo' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    const fifo = await client.send(new CreateTopicCommand({ Name: 'scores.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }));
    const fifoAttrs = (await client.send(new GetTopicAttributesCommand({ TopicArn: fifo.TopicArn }))).Attributes;
    expect(fifoAttrs).toMatchObject({ FifoTopic: 'true', ContentBasedDeduplication: 'true', TopicArn: fifo.TopicArn, Owner: ACCOUNT });

    const queue = arn('sqs', 'scores-q');
    const { SubscriptionArn } = await client.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queue, Attributes: { RawMessageDelivery: 'true' } }));
    expect(SubscriptionArn).toMatch(new RegExp(`^${TopicArn}:`));
    await expect(client.send(new SubscribeCommand({ TopicArn, Protocol: 'carrier-pigeon', Endpoint: 'x' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect((await client.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'a@example.com' }))).SubscriptionArn).toBe('pending confirmation');
    await client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageBody' }));
    await client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: JSON.stringify({ game: { league: ['nba'] } }) }));
    await expect(client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"a": "b"}' }))).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/^Invalid parameter: FilterPolicy: /) });
    expect((await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes).toMatchObject({ FilterPolicyScope: 'MessageBody', RawMessageDelivery: 'true', Protocol: 'sqs', Endpoint: queue, FilterPolicy: '{"game":{"league":["nba"]}}' });
    expect((await client.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes).toMatchObject({ SubscriptionsConfirmed: '2' });

    await client.send(new PublishCommand({ TopicArn, Message: JSON.stringify({ game: { league: 'nba', score: '101-99' } }) }));
    await client.send(new PublishCommand({ TopicArn, Message: JSON.stringify({ game: { league: 'nhl' } }) }));
    await client.send(new PublishCommand({ TopicArn, Message: 'not json' }));
    await sns.idle();
    expect(targets.to(queue).map((m) => JSON.parse(m.body).game.league)).toEqual(['nba']);
    expect(sum('NumberOfNotificationsFilteredOut-MessageBody', 'scores')).toBe(1);
    expect(sum('NumberOfNotificationsFilteredOut-InvalidMessageBody', 'scores')).toBe(1);

    const listed = await client.send(new ListTopicsCommand({}));
    expect(listed.Topics?.map((t) => t.TopicArn)).toEqual(expect.arrayContaining([arn('sns', 'orders'), TopicArn, fifo.TopicArn]));
    expect((await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions?.map((s) => s.Protocol)).toEqual(['sqs', 'email']);
    expect((await client.send(new ListSubscriptionsCommand({}))).Subscriptions?.length).toBeGreaterThanOrEqual(8);
    await client.send(new UnsubscribeCommand({ SubscriptionArn }));
    await expect(client.send(new UnsubscribeCommand({ SubscriptionArn }))).rejects.toMatchObject({ name: 'NotFoundException' });
    expect((await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions?.map((s) => s.Protocol)).toEqual(['email']);
  });

  it('a refused delivery is NumberOfNotificationsFailed and goes to the dead-letter queue with its error', async () => {
    const { MessageId } = await client.send(new PublishCommand({ TopicArn: arn('sns', 'lost'), Message: 'nobody home' }));
    await sns.idle();
    const [dead] = targets.to(DLQ);
    expect(JSON.parse(dead!.body)).toMatchObject({ Type: 'Notification', MessageId, Message: 'nobody home' });
    expect(dead!.attributes).toMatchObject({ ErrorCode: { dataType: 'String', stringValue: 'ResourceNotFoundException' }, RequestID: { dataType: 'String', stringValue: MessageId } });
    expect(sum('NumberOfNotificationsFailed', 'lost')).toBe(1);
    expect(sum('NumberOfNotificationsRedrivenToDlq', 'lost')).toBe(1);
  });

  it("asks IAM about a function's publish: AuthorizationError (403) in SNS's words", async () => {
    const fn = new SNSClient({ endpoint: sns.url, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local', sessionToken: grants.sessions[0]!.token }, maxAttempts: 1 });
    await fn.send(new PublishCommand({ TopicArn: arn('sns', 'orders'), Message: 'allowed' }));
    const denied = await fn.send(new PublishCommand({ TopicArn: arn('sns', 'lost'), Message: 'denied' })).catch((e: unknown) => e);
    expect(denied).toMatchObject({ name: 'AuthorizationErrorException', $metadata: { httpStatusCode: 403 } });
    expect((denied as Error).message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/PublisherRole/publisher is not authorized to perform: SNS:Publish on resource: ${arn('sns', 'lost')} because no identity-based policy allows the SNS:Publish action`,
    );
    fn.destroy();
    expect(lines.filter((l) => l.startsWith('iam: denied:'))).toHaveLength(1);
  });

  it('boto3 publishes with attributes (the Query protocol as botocore 1.29 speaks it)', async () => {
    const script = [
      'import boto3, sys',
      `c = boto3.client("sns", endpoint_url=sys.argv[1], region_name="${REGION}", aws_access_key_id="local", aws_secret_access_key="local")`,
      `r = c.publish(TopicArn="${arn('sns', 'orders')}", Message="from boto3", Subject="Py", MessageAttributes={"store": {"DataType": "String", "StringValue": "example_corp"}, "tags": {"DataType": "String.Array", "StringValue": "[\\"a\\", \\"b\\"]"}})`,
      'print(r["MessageId"])',
    ].join('\n');
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script, sns.url], { timeout: 30_000, env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' } });
    await sns.idle();
    const raw = targets.to(RAW_QUEUE);
    expect(raw).toEqual([{ body: 'from boto3', attributes: { store: { dataType: 'String', stringValue: 'example_corp' }, tags: { dataType: 'String.Array', stringValue: '["a", "b"]' } } }]);
    expect(JSON.parse(targets.to(FN)[0]!.body).Records[0].Sns).toMatchObject({ MessageId: stdout.trim(), Subject: 'Py', Message: 'from boto3' });
  }, 40_000);

  it("refuses a stack subscription whose filter policy SNS would refuse, in one line naming it", async () => {
    const bad: TopicDescription = { ...topics[0]!, subscriptions: [{ logicalId: 'BadFilter', protocol: 'sqs', endpoint: QUEUE, filterPolicy: { store: 'example_corp' }, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false }] };
    const refused = await startSnsServer({ topics: [bad], targets, metrics: { put: () => undefined }, region: REGION, accountId: ACCOUNT }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as Error).message).toBe('SNS subscription BadFilter (topic orders): FilterPolicy is not valid: Match value for store must be an array');
  });

  it("publish(): another service's delivery to a topic (an EventBridge target, a destination) is a Publish; an unknown topic is NotFound", async () => {
    await sns.publish(arn('sns', 'orders'), { body: '{"from":"events"}', attributes: { store: { dataType: 'String', stringValue: 'example_corp' } } });
    await sns.idle();
    expect(targets.to(RAW_QUEUE)).toEqual([{ body: '{"from":"events"}', attributes: { store: { dataType: 'String', stringValue: 'example_corp' } } }]);
    await expect(sns.publish(arn('sns', 'nope'), { body: 'x' })).rejects.toMatchObject({ type: 'NotFound', status: 404 });
    await expect(sns.publish(arn('sns', 'orders.fifo'), { body: 'x' })).rejects.toMatchObject({ type: 'InvalidParameter' });
  });
});
