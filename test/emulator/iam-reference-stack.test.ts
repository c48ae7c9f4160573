import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { connect, eventually, type TestClient } from '../fixtures/gateway/clients.ts';

// The reference stack under enforcement: its functions run with the roles its CDK app deploys
// (reference-stack/functions/route-access.ts), least privilege, and a room's message still
// reaches every member; the ledger shows what each function used. The stack runs the server push
// queued (pushFanout: queued), so its fan-out function, queue and workers run under their roles too.

describe('the reference stack under iam: enforce', () => {
  const lines: string[] = [];
  const clients: TestClient[] = [];
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack({ config: defaultStackConfig({ iam: 'enforce', pushFanout: 'queued', lambda: { preparedPerFunction: 0 } }), log: (l) => lines.push(l) });
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await stack?.close();
  });

  it('creates, joins and sends with nothing denied, each post counted under the grant its role has', async () => {
    for (let i = 0; i < 2; i++) clients.push(await connect(stack.ready.websocketUrl));
    const [a, b] = clients as [TestClient, TestClient];
    a.send({ action: 'createRoom', room: 'r1' });
    await a.take((f) => f.type === 'roomCreated');
    for (const c of clients) {
      c.send({ action: 'joinRoom', room: 'r1' });
      await c.take((f) => f.type === 'joined');
    }
    a.send({ action: 'sendMessage', room: 'r1', payload: { n: 1 } });
    expect(await a.take((f) => f.type === 'sent')).toMatchObject({ recipients: 2, gone: 0 });
    for (const c of [a, b]) expect(await c.take((f) => f.type === 'message')).toMatchObject({ room: 'r1', payload: { n: 1 } });

    expect(lines.filter((l) => l.startsWith('iam:'))).toEqual([]);
    const ledger = await stack.iamAccess();
    expect(ledger.filter((r) => r.decision !== 'allowed')).toEqual([]);
    const send = 'fanout-send-message';
    expect(ledger).toContainEqual(
      expect.objectContaining({ function: send, action: 'execute-api:ManageConnections', resource: `arn:aws:execute-api:us-east-1:000000000000:${stack.ready.apiId}/${stack.ready.stage}/POST/@connections/*`, count: 2 }),
    );
  });

  it('queued server push: PutEvents on the bus → the fan-out function → SQS batches → the workers post to each member, nothing denied', async () => {
    const [a, b] = clients as [TestClient, TestClient];
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const described = stack.stack;
    expect(described.queues?.map((q) => [q.name, q.redrive?.maxReceiveCount]).sort()).toEqual([['fanout-push-dlq', undefined], ['fanout-push-queue', 5]]);
    expect(described.eventSourceMappings?.map((m) => [m.functionName, m.batchSize, m.reportBatchItemFailures])).toEqual([['fanout-push-worker', 4, true]]);

    const events = new EventBridgeClient({ endpoint: stack.ready.awsEndpointUrls.AWS_ENDPOINT_URL!, region: stack.ready.region, credentials });
    const out = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'fanout-push', Source: 'fanout-bench.push', DetailType: 'push', Detail: JSON.stringify({ room: 'r1', payload: { pushed: 1 } }) }] }));
    events.destroy();
    const id = out.Entries![0]!.EventId!;
    for (const c of [a, b]) expect(await c.take((f) => f.messageId === id, 30_000)).toMatchObject({ type: 'message', room: 'r1', from: 'push', payload: { pushed: 1 } });

    // the queue between: one message sent (2 members, 50 ids a message), one worker invocation
    const cw = new CloudWatchClient({ endpoint: stack.ready.cloudwatchEndpoint, region: stack.ready.region, credentials });
    const sum = async (namespace: string, name: string, dimension: [string, string]) => {
      const end = new Date(Date.now() + 60_000);
      const r = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(end.getTime() - 600_000),
          EndTime: end,
          MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: [{ Name: dimension[0], Value: dimension[1] }] }, Period: 60, Stat: 'Sum' } }],
        }),
      );
      return (r.MetricDataResults?.[0]?.Values ?? []).reduce((x, y) => x + y, 0);
    };
    try {
      await eventually(async () => ((await sum('AWS/Lambda', 'Invocations', ['FunctionName', 'fanout-push-worker'])) >= 1 ? true : undefined), 15_000, 'the worker invocation');
      expect(await sum('AWS/SQS', 'NumberOfMessagesSent', ['QueueName', 'fanout-push-queue'])).toBe(1);
      expect(await sum('AWS/Lambda', 'Invocations', ['FunctionName', 'fanout-push-fanout'])).toBe(1);
    } finally {
      cw.destroy();
    }
    const ledger = await stack.iamAccess();
    expect(ledger.filter((r) => r.decision !== 'allowed')).toEqual([]);
    expect(ledger).toContainEqual(expect.objectContaining({ function: 'fanout-push-fanout', action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:fanout-push-queue' }));
    expect(ledger).toContainEqual(expect.objectContaining({ function: 'fanout-push-worker', action: 'execute-api:ManageConnections' }));
    expect(lines.filter((l) => l.startsWith('iam:') || l.includes('event source mapping'))).toEqual([]);
  }, 60_000);
});
