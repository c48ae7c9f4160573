import { fileURLToPath } from 'node:url';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { pullDeliveryDenials } from '../../src/metrics/cloudwatch/delivery-denials.ts';
import { encodeProbe } from '../../common/probe-text.ts';
import { PROBE_REACH_DIMENSION, PROBE_REACH_METRIC, PROBE_REACH_NAMESPACE } from '../../common/probe-reach-metric.ts';
import { connect, eventually, type TestClient } from '../fixtures/gateway/clients.ts';
import { websocketTemplates } from './websocket-template.ts';

/**
 * Fan-out fixture stacks of issue 60 (test/fixtures/stacks/README.md) started in process from
 * their templates, with real ws clients and the real SDK: a server push through an EventBridge
 * rule (nothing a client sends starts it), and the order per message group of frames an `AWS`
 * integration sends to an SQS FIFO queue, and a request template of indented `#set` lines into a
 * queue (issue 67); and the resource-based policies SNS and EventBridge
 * deliver under (a queue's policy, a function's AWS::Lambda::Permission), on a small stack of its
 * own. The runs through the CLI are test/e2e/fanout-paths.test.ts.
 */
const STACKS = fileURLToPath(new URL('../fixtures/stacks/', import.meta.url));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const clients: TestClient[] = [];
const stacks: RunningStack[] = [];

async function start(fixture: string, lines: string[]): Promise<RunningStack> {
  const config = defaultStackConfig({ template: { path: `${STACKS}${fixture}/template.yaml`, parameters: {} }, lambda: { preparedPerFunction: 0 } });
  const described = await describeStack(config);
  const stack = await startStack({ config, stack: described.stack, log: (line) => lines.push(line) });
  stacks.push(stack);
  return stack;
}

/** What the stack said at start that would change how it runs here: a path or resource not run, an IAM finding, a mapping's note. */
function startNotes(lines: string[]): string[] {
  return lines.filter((l) => l.includes('not emulated') || l.startsWith('iam:') || l.startsWith('event source mapping'));
}

async function open(url: string): Promise<TestClient> {
  const client = await connect(url);
  clients.push(client);
  return client;
}

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(stacks.map((s) => s.close()));
});

/** A metric's Sum over the last 10 minutes, read back through the CloudWatch SDK as the harness reads it. */
async function sumOf(stack: RunningStack, namespace: string, name: string, dimensions: Record<string, string>): Promise<number> {
  const cw = new CloudWatchClient({ endpoint: stack.ready.cloudwatchEndpoint, region: stack.ready.region, credentials });
  try {
    const end = new Date(Date.now() + 60_000);
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - 600_000),
        EndTime: end,
        MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })) }, Period: 60, Stat: 'Sum' } }],
      }),
    );
    return (out.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
  } finally {
    cw.destroy();
  }
}

/** A hop's probe reach (emulator/probe-reach.ts) over the last 10 minutes: its count, p50 and minimum, as the harness asks for them. */
async function reachOf(stack: RunningStack, hop: string): Promise<{ count: number; p50: number; min: number }> {
  const cw = new CloudWatchClient({ endpoint: stack.ready.cloudwatchEndpoint, region: stack.ready.region, credentials });
  try {
    const end = new Date(Date.now() + 60_000);
    const metric = { Namespace: PROBE_REACH_NAMESPACE, MetricName: PROBE_REACH_METRIC, Dimensions: [{ Name: PROBE_REACH_DIMENSION, Value: hop }] };
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(end.getTime() - 600_000),
        EndTime: end,
        MetricDataQueries: ['SampleCount', 'p50', 'Minimum'].map((Stat, i) => ({ Id: `q${i}`, MetricStat: { Metric: metric, Period: 600, Stat } })),
      }),
    );
    const [count, p50, min] = ['q0', 'q1', 'q2'].map((id) => out.MetricDataResults?.find((r) => r.Id === id)?.Values?.[0] ?? NaN);
    return { count: count!, p50: p50!, min: min! };
  } finally {
    cw.destroy();
  }
}

describe('eventbridge-push: a rule on a custom bus fans a server push out to every connection', () => {
  const lines: string[] = [];
  let stack: RunningStack;
  let members: TestClient[];
  beforeAll(async () => {
    stack = await start('eventbridge-push', lines);
    members = [];
    for (let i = 0; i < 3; i++) members.push(await open(stack.ready.websocketUrl));
  }, 60_000);

  it('the stack runs the whole path: nothing said not emulated, the bus and the rule read', () => {
    expect(lines.filter((l) => l.includes('not emulated'))).toEqual([]);
    expect(stack.stack.eventBuses?.map((b) => b.name)).toEqual(['eventbridge-push-live']);
    expect(stack.stack.rules).toHaveLength(1);
  });

  it('delivers the detail of a matching PutEvents (the real SDK, through the edge) to every client; events the pattern or the bus do not match go nowhere', async () => {
    const edge = stack.ready.awsEndpointUrls.AWS_ENDPOINT_URL!;
    expect(edge).toBe(stack.ready.edgeEndpoint);
    const events = new EventBridgeClient({ endpoint: edge, region: stack.ready.region, credentials });
    // a probe intended 100 ms ago: every hop it passes reads at least that (emulator/probe-reach.ts)
    const detail = { match: 'm-17', home: 2, away: 1, probe: encodeProbe({ origin: 0, slot: 1, sender: 0, seq: 1, intended: Date.now() - 100 }, 0) };
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          // another source on the same bus, and the rule's source on the default bus: no rule of the stack matches them
          { EventBusName: 'eventbridge-push-live', Source: 'weather', DetailType: 'score', Detail: JSON.stringify({ other: 1 }) },
          { Source: 'scores', DetailType: 'score', Detail: JSON.stringify({ other: 2 }) },
          { EventBusName: 'eventbridge-push-live', Source: 'scores', DetailType: 'score', Detail: JSON.stringify(detail) },
        ],
      }),
    );
    events.destroy();
    expect(out.FailedEntryCount).toBe(0);
    for (const m of members) expect(JSON.parse(await m.next(30_000))).toEqual(detail);

    // the rule matched one event and invoked its target once; the push function ran once (asynchronously)
    const rule = stack.stack.rules![0]!;
    const push = stack.stack.functions.find((f) => f.logicalId === 'PushFunction')!.name;
    await eventually(async () => ((await sumOf(stack, 'AWS/Lambda', 'Invocations', { FunctionName: push })) >= 1 ? true : undefined), 15_000, 'the push invocation');
    expect(await sumOf(stack, 'AWS/Events', 'MatchedEvents', { EventBusName: 'eventbridge-push-live', RuleName: rule.name })).toBe(1);
    expect(await sumOf(stack, 'AWS/Lambda', 'Invocations', { FunctionName: push })).toBe(1);
    for (const m of members) expect(m.frames).toEqual([]);

    // the probe's reach at each hop it passed: the bus once, the function's invocation once, each post to a member once
    const bus = await reachOf(stack, 'events:eventbridge-push-live');
    const fn = await reachOf(stack, `lambda:${push}`);
    const posts = await reachOf(stack, '@connections');
    expect([bus.count, fn.count, posts.count]).toEqual([1, 1, 3]);
    for (const r of [bus, fn, posts]) expect(r.min).toBeGreaterThanOrEqual(100);
    expect(bus.p50).toBeLessThanOrEqual(fn.p50);
    expect(fn.p50).toBeLessThanOrEqual(posts.p50);
  }, 45_000);
});

describe("http-notify: a server push through the stack's own HTTP API (SAM's HttpApi event)", () => {
  const lines: string[] = [];
  let stack: RunningStack;
  let members: TestClient[];
  beforeAll(async () => {
    stack = await start('http-notify', lines);
    members = [];
    for (let i = 0; i < 3; i++) members.push(await open(stack.ready.websocketUrl));
  }, 60_000);

  it('serves the implicit HTTP API SAM makes, nothing said not emulated', () => {
    expect(startNotes(lines)).toEqual([]);
    expect(stack.ready.httpApis).toEqual([
      {
        logicalId: 'ServerlessHttpApi',
        name: 'http-notify',
        apiId: expect.stringMatching(/^[a-z0-9]{10}$/),
        stage: '$default',
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        routes: [{ routeKey: 'POST /notify', function: stack.stack.functions.find((f) => f.logicalId === 'NotifyFunction')!.name, payloadFormatVersion: '2.0' }],
      },
    ]);
  });

  it("delivers a POST /notify body to every connection and answers the function's simple response; a GET has no route", async () => {
    const url = `${stack.ready.httpApis![0]!.url}/notify`;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'kick-off at 8' });
    expect([res.status, res.headers.get('content-type'), await res.json()]).toEqual([200, 'application/json', { sent: 3 }]);
    for (const m of members) expect(await m.next(30_000)).toBe('kick-off at 8');
    const get = await fetch(url);
    expect([get.status, await get.json()]).toEqual([404, { message: 'Not Found' }]);
    for (const m of members) expect(m.frames).toEqual([]);
  });
});

describe("sqs-fifo-integration: frames sent by the route's AWS integration to a FIFO queue, consumed by a function", () => {
  const lines: string[] = [];
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await start('sqs-fifo-integration', lines);
  }, 60_000);

  it('delivers each frame as the client sent it to the members of its room only, each room in the order it was sent', async () => {
    expect(startNotes(lines)).toEqual([]);
    const url = (room: string) => `${stack.ready.websocketUrl}?room=${room}`;
    const rooms = { north: [await open(url('north')), await open(url('north'))], south: [await open(url('south')), await open(url('south'))] };
    const sent: Record<string, string[]> = { north: [], south: [] };
    // two senders at once, each room's frames one message group: interleaved on the queue, in order within each group
    for (let i = 0; i < 8; i++) {
      for (const room of ['north', 'south'] as const) {
        const probe = encodeProbe({ origin: 0, slot: i, sender: room === 'north' ? 0 : 1, seq: i, intended: Date.now() - 100 }, 0);
        const frame = JSON.stringify({ action: 'sendmessage', room, data: `${room}-${i} ${'+&=%'.repeat(i)} ${probe}` });
        sent[room]!.push(frame);
        rooms[room][0]!.send(frame);
      }
    }
    for (const room of ['north', 'south'] as const) {
      for (const member of rooms[room]) {
        const got: string[] = [];
        for (let i = 0; i < 8; i++) got.push(await member.next(30_000));
        expect(got).toEqual(sent[room]);
      }
    }
    // nothing else arrived: no frame of the other room, no Internal server error
    for (const member of [...rooms.north, ...rooms.south]) expect(member.frames).toEqual([]);
    const queue = stack.stack.queues!.find((q) => q.logicalId === 'FrameQueue')!;
    expect(await sumOf(stack, 'AWS/SQS', 'NumberOfMessagesSent', { QueueName: queue.name })).toBe(16);

    // each frame's probe, stamped where it passed: the route, the queue, the consumer's invocations (a record each), the posts to both members
    const consumer = stack.stack.eventSourceMappings![0]!.functionName;
    const reaches = [await reachOf(stack, 'gateway:sendmessage'), await reachOf(stack, `sqs:${queue.name}`), await reachOf(stack, `lambda:${consumer}`), await reachOf(stack, '@connections')];
    expect(reaches.map((r) => r.count)).toEqual([16, 16, 16, 32]);
    for (const r of reaches) expect(r.min).toBeGreaterThanOrEqual(100);
    expect(reaches.map((r) => r.p50)).toEqual([...reaches.map((r) => r.p50)].sort((x, y) => x - y));
  }, 60_000);
});

describe("indented-template-sqs: a request template of indented #set lines that changes $input.path('$') (issue 67)", () => {
  const lines: string[] = [];
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await start('indented-template-sqs', lines);
  }, 60_000);

  it("sends SQS a form body that starts with Action= and a frame carrying the template's change; the consumer's echo arrives whole", async () => {
    expect(startNotes(lines)).toEqual([]);
    const client = await open(stack.ready.websocketUrl);
    const frame = { action: 'echo', text: 'a+b & c=d %', n: 7 };
    client.send(JSON.stringify(frame));
    const echoed = JSON.parse(await client.next(30_000)) as Record<string, unknown>;
    // the fields the template added through $input.path('$'), after the client's own, as $input.json('$') wrote them
    expect(Object.keys(echoed)).toEqual(['action', 'text', 'n', 'connectionId', 'via']);
    expect(echoed).toMatchObject({ ...frame, via: 'indented-template' });
    expect(echoed.connectionId).toEqual(expect.any(String));
    expect(client.frames).toEqual([]);
  }, 60_000);
});

describe("resource-based policies: SNS and EventBridge deliver only where the target's policy lets them", () => {
  const templates = websocketTemplates('fanout-policies-').read;
  const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
  // what a queue's policy says to let a service send from one source (SAM's and the CDK's form)
  const sendFrom = (service: string, source: unknown) => ({ Effect: 'Allow', Principal: { Service: service }, Action: 'sqs:SendMessage', Resource: '*', Condition: { ArnEquals: { 'aws:SourceArn': source } } });
  const queue = (name: string) => ({ Type: 'AWS::SQS::Queue', Properties: { QueueName: name } });
  const subscription = (protocol: string, endpoint: string) => ({ Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'Alerts' }, Protocol: protocol, Endpoint: arnOf(endpoint), RawMessageDelivery: protocol === 'sqs' } });
  const lines: string[] = [];
  let stack: RunningStack;
  const started = Date.now();

  beforeAll(async () => {
    const described = await templates(
      {
        Alerts: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'alerts' } },
        Other: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'other' } },
        // allows the topic and the rule, each by its ARN, in two policies (joined here; the ready line warns that AWS keeps one)
        Granted: queue('granted'),
        GrantedPolicy: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: 'Granted' }], PolicyDocument: { Statement: [sendFrom('sns.amazonaws.com', { Ref: 'Alerts' })] } } },
        GrantedRulePolicy: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: 'Granted' }], PolicyDocument: { Statement: [sendFrom('events.amazonaws.com', arnOf('OnPing'))] } } },
        // allows another topic only
        ForOther: queue('for-other'),
        ForOtherPolicy: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: 'ForOther' }], PolicyDocument: { Statement: [sendFrom('sns.amazonaws.com', { Ref: 'Other' })] } } },
        // no policy at all
        Bare: queue('bare'),
        ToGranted: subscription('sqs', 'Granted'),
        ToForOther: subscription('sqs', 'ForOther'),
        ToBare: subscription('sqs', 'Bare'),
        // the function has no AWS::Lambda::Permission for SNS
        ToFn: subscription('lambda', 'Fn'),
        OnPing: { Type: 'AWS::Events::Rule', Properties: { Name: 'on-ping', EventPattern: { source: ['ping'] }, Targets: [{ Id: 'granted', Arn: arnOf('Granted') }, { Id: 'bare', Arn: arnOf('Bare') }] } },
      },
      { accountId: '000000000000' },
    );
    const config = defaultStackConfig({ lambda: { preparedPerFunction: 0 } });
    stack = await startStack({ config, stack: described, log: (line) => lines.push(line) });
    stacks.push(stack);
  }, 60_000);

  it("says in its ready line (the run's warnings) that AWS keeps one of a queue's two policies, where here they are joined", () => {
    expect(stack.ready.warnings).toEqual([expect.stringMatching(/^queue Granted is named by 2 AWS::SQS::QueuePolicy resources \(GrantedPolicy, GrantedRulePolicy\): SQS keeps one policy per queue/)]);
  });

  it('delivers what a policy allows from its source; refuses another source, no policy and no permission; counts each as SNS and EventBridge count a failure', async () => {
    const edge = stack.ready.edgeEndpoint;
    const client = { endpoint: edge, region: stack.ready.region, credentials };
    const sns = new SNSClient(client);
    const events = new EventBridgeClient(client);
    const sqs = new SQSClient(client);
    try {
      const topicArn = stack.stack.topics!.find((t) => t.name === 'alerts')!.arn;
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'hello' }));
      expect((await events.send(new PutEventsCommand({ Entries: [{ Source: 'ping', DetailType: 'ping', Detail: '{"n":1}' }] }))).FailedEntryCount).toBe(0);
      await eventually(
        async () => ((await sumOf(stack, 'AWS/SNS', 'NumberOfNotificationsFailed', { TopicName: 'alerts' })) >= 3 && (await sumOf(stack, 'AWS/Events', 'FailedInvocations', { RuleName: 'on-ping' })) >= 1 ? true : undefined),
        15_000,
        'the refused deliveries',
      );
      expect(await sumOf(stack, 'AWS/SNS', 'NumberOfNotificationsDelivered', { TopicName: 'alerts' })).toBe(1);
      expect(await sumOf(stack, 'AWS/SNS', 'NumberOfNotificationsFailed', { TopicName: 'alerts' })).toBe(3);
      expect(await sumOf(stack, 'AWS/Events', 'Invocations', { RuleName: 'on-ping' })).toBe(1);
      expect(await sumOf(stack, 'AWS/Events', 'FailedInvocations', { RuleName: 'on-ping' })).toBe(1);

      const received = async (name: string) => {
        const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
        return ((await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? []).map((m) => m.Body!);
      };
      const granted = await received('granted');
      expect(granted).toHaveLength(2);
      expect(granted).toEqual(expect.arrayContaining(['hello', expect.stringContaining('"source":"ping"')]));
      expect(await received('for-other')).toEqual([]);
      expect(await received('bare')).toEqual([]);
      const fn = stack.stack.functions.find((f) => f.logicalId === 'Fn')!.name;
      expect(await sumOf(stack, 'AWS/Lambda', 'Invocations', { FunctionName: fn })).toBe(0);

      // one line each in the stack's log, naming source, target and what is missing
      const account = (s: string) => `arn:aws:sns:us-east-1:000000000000:${s}`;
      expect(lines.filter((l) => /^iam: (SNS|EventBridge) /.test(l)).sort()).toEqual(
        [
          `iam: SNS topic alerts may not deliver to queue for-other: no statement of its AWS::SQS::QueuePolicy allows sns.amazonaws.com sqs:SendMessage with aws:SourceArn ${account('alerts')}: every such delivery fails, as on AWS (NumberOfNotificationsFailed)`,
          'iam: SNS topic alerts may not deliver to queue bare: queue bare has no AWS::SQS::QueuePolicy: every such delivery fails, as on AWS (NumberOfNotificationsFailed)',
          `iam: SNS topic alerts may not invoke ${fn}: no AWS::Lambda::Permission lets sns.amazonaws.com do lambda:InvokeFunction from ${account('alerts')}: every such delivery fails, as on AWS (NumberOfNotificationsFailed)`,
          'iam: EventBridge rule on-ping may not deliver to queue bare: queue bare has no AWS::SQS::QueuePolicy: every such delivery fails, as on AWS (FailedInvocations)',
        ].sort(),
      );

      // the event-path log, as the harness reads it for a loss's cause: one refusal per source and target, with the grant to add
      const logs = new CloudWatchLogsClient(client);
      const denials = await pullDeliveryDenials(logs, { startMs: started, endMs: Date.now() + 1000 });
      logs.destroy();
      const ruleArn = stack.stack.rules![0]!.arn;
      expect(denials.map((d) => [d.source, d.target.split(':').at(-1), d.action, d.reason, d.count]).sort()).toEqual(
        [
          [account('alerts'), 'for-other', 'sqs:SendMessage', 'no-allow', 1],
          [account('alerts'), 'bare', 'sqs:SendMessage', 'no-policy', 1],
          [account('alerts'), fn, 'lambda:InvokeFunction', 'no-allow', 1],
          [ruleArn, 'bare', 'sqs:SendMessage', 'no-policy', 1],
        ].sort(),
      );
      expect(denials.find((d) => d.target.endsWith(':bare') && d.source === ruleArn)!.grant).toEqual({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: 'arn:aws:sqs:us-east-1:000000000000:bare',
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      });
    } finally {
      for (const c of [sns, events, sqs]) c.destroy();
    }
  }, 45_000);
});
