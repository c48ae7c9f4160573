import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalEndpoint } from '../../emulator/local-listener.ts';
import { SqsQueues } from '../../emulator/sqs/queue-registry.ts';
import { startSqsServer } from '../../emulator/sqs/server.ts';

// SQS's Query protocol (form POSTs, XML answers) as botocore 1.29 speaks it: Debian's boto3, run
// as a real process against the endpoint.

const ACCOUNT = '123456789012';

const SCRIPT = String.raw`
import json, sys, boto3, botocore
sqs = boto3.client('sqs', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='l', aws_secret_access_key='l')
out = {}
url = sqs.create_queue(QueueName='boto', Attributes={'VisibilityTimeout': '7'})['QueueUrl']
out['url'] = url
out['gotUrl'] = sqs.get_queue_url(QueueName='boto')['QueueUrl']
sent = sqs.send_message(QueueUrl=url, MessageBody='héllo <&>', MessageAttributes={'kind': {'DataType': 'String', 'StringValue': 'greeting'}, 'n': {'DataType': 'Number', 'StringValue': '1493147359900'}, 'b': {'DataType': 'Binary', 'BinaryValue': b'\x00\x01'}})
out['sent'] = {k: sent[k] for k in ('MessageId', 'MD5OfMessageBody', 'MD5OfMessageAttributes')}
batch = sqs.send_message_batch(QueueUrl=url, Entries=[{'Id': 'one', 'MessageBody': 'b1'}, {'Id': 'two', 'MessageBody': 'b2', 'DelaySeconds': 901}])
out['batch'] = {'ok': [e['Id'] for e in batch.get('Successful', [])], 'failed': [(e['Id'], e['Code']) for e in batch.get('Failed', [])]}
got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=['All'], MessageAttributeNames=['All'], WaitTimeSeconds=1)
msgs = got.get('Messages', [])
out['received'] = [{'Body': m['Body'], 'MD5OfBody': m['MD5OfBody'], 'MD5OfMessageAttributes': m.get('MD5OfMessageAttributes'), 'MessageAttributes': {k: {kk: (vv.hex() if isinstance(vv, bytes) else vv) for kk, vv in v.items()} for k, v in m.get('MessageAttributes', {}).items()}, 'count': m['Attributes']['ApproximateReceiveCount']} for m in msgs]
dele = sqs.delete_message_batch(QueueUrl=url, Entries=[{'Id': 'd%d' % i, 'ReceiptHandle': m['ReceiptHandle']} for i, m in enumerate(msgs)])
out['deleted'] = [e['Id'] for e in dele.get('Successful', [])]
out['attrs'] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['VisibilityTimeout', 'ApproximateNumberOfMessages', 'QueueArn'])['Attributes']
out['list'] = sqs.list_queues(QueueNamePrefix='bo').get('QueueUrls')
try:
    sqs.get_queue_url(QueueName='missing')
except botocore.exceptions.ClientError as e:
    out['missing'] = [e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode']]
try:
    sqs.receive_message(QueueUrl=url, WaitTimeSeconds=21)
except botocore.exceptions.ClientError as e:
    out['badWait'] = e.response['Error']['Code']
print(json.dumps(out))
`;

interface BotoOut {
  url: string;
  gotUrl: string;
  sent: Record<string, string>;
  batch: unknown;
  received: unknown;
  deleted: unknown;
  attrs: unknown;
  list: unknown;
  missing: unknown;
  badWait: unknown;
}

function python(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('python3', ['-c', SCRIPT, ...args], { env: { ...process.env, PATH: `/usr/bin:${process.env.PATH ?? ''}` }, timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

describe('SQS through boto3 (the Query protocol)', () => {
  let queues: SqsQueues;
  let server: LocalEndpoint;
  beforeAll(async () => {
    queues = new SqsQueues([], { region: 'us-east-1', accountId: ACCOUNT });
    server = await startSqsServer({ queues });
  });
  afterAll(async () => {
    queues?.close();
    await server?.close();
  });

  it('creates, sends (single and batch), receives with attributes, deletes, and names errors as SQS does', async () => {
    const out = JSON.parse(await python([server.url])) as BotoOut;
    const url = `${server.url}/${ACCOUNT}/boto`;
    expect(out.url).toBe(url);
    expect(out.gotUrl).toBe(url);
    expect(out.sent.MD5OfMessageBody).toBe(createMd5('héllo <&>'));
    expect(out.batch).toEqual({ ok: ['one'], failed: [['two', 'InvalidParameterValue']] });
    expect(out.received).toEqual([
      {
        Body: 'héllo <&>',
        MD5OfBody: createMd5('héllo <&>'),
        MD5OfMessageAttributes: out.sent.MD5OfMessageAttributes,
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' }, n: { DataType: 'Number', StringValue: '1493147359900' }, b: { DataType: 'Binary', BinaryValue: '0001' } },
        count: '1',
      },
      { Body: 'b1', MD5OfBody: createMd5('b1'), MD5OfMessageAttributes: null, MessageAttributes: {}, count: '1' },
    ]);
    expect(out.deleted).toEqual(['d0', 'd1']);
    expect(out.attrs).toEqual({ VisibilityTimeout: '7', ApproximateNumberOfMessages: '0', QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:boto` });
    expect(out.list).toEqual([url]);
    expect(out.missing).toEqual(['AWS.SimpleQueueService.NonExistentQueue', 400]);
    expect(out.badWait).toBe('InvalidParameterValue');
  }, 40_000);
});

function createMd5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
