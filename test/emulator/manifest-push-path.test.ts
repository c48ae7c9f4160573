import { describe, expect, it } from 'vitest';
import { readManifestStack } from '../../emulator/stack-model/manifest-reader.ts';
import { PUSH_QUEUE } from '../../reference-stack/functions/manifest.ts';
import { PUSH_QUEUE_ACTIONS } from '../../reference-stack/functions/route-access.ts';

// The reference stack's server push as the emulator's manifest reader describes it, in each
// setting of pushFanout: the bus, the rule on push events and its one target, and (queued) the
// queue, its dead-letter queue, the workers' mapping and the roles that use them. The stacks that
// run these descriptions: test/emulator/stack-chat.test.ts (direct), iam-reference-stack.test.ts (queued).

const at = { region: 'us-east-1', accountId: '123456789012', apiId: 'abcdefghij', stage: 'prod', runtime: 'nodejs22.x' } as const;
const arn = (kind: string, name: string) => `arn:aws:${kind}:us-east-1:123456789012:${name}`;

describe('the reference stack read from its manifest: the server push', () => {
  it('direct (the default): the bus, the rule matching push events, the push function its one target; no queue', () => {
    const stack = readManifestStack(at);
    expect(stack.eventBuses).toEqual([{ logicalId: 'PushBus', name: 'fanout-push', arn: arn('events', 'event-bus/fanout-push') }]);
    expect(stack.rules).toEqual([
      expect.objectContaining({
        logicalId: 'PushRule',
        name: 'fanout-push-rule',
        busName: 'fanout-push',
        eventPattern: { source: ['fanout-bench.push'], 'detail-type': ['push'] },
        state: 'ENABLED',
        targets: [{ id: 'Target0', arn: arn('lambda', 'function:fanout-push') }],
      }),
    ]);
    expect(stack.queues).toEqual([]);
    expect(stack.eventSourceMappings).toEqual([]);
    const push = stack.functions.find((f) => f.name === 'fanout-push')!;
    expect(push.role?.statements.flatMap((s) => s.action ?? [])).toContain('execute-api:ManageConnections');
    expect(stack.functions.map((f) => f.name)).not.toContain('fanout-push-worker');
  });

  it('queued, under another stack name: the fan-out as the target, the queue redriving to its DLQ, the mapping, least-privilege roles', () => {
    const stack = readManifestStack({ ...at, stackName: 'Other', pushFanout: 'queued' });
    expect(stack.rules?.[0]?.targets).toEqual([{ id: 'Target0', arn: arn('lambda', 'function:Other-push-fanout') }]);
    expect(stack.queues?.map((q) => [q.logicalId, q.name, q.visibilityTimeoutSeconds, q.redrive])).toEqual([
      ['PushQueue', 'Other-push-queue', PUSH_QUEUE.visibilityTimeoutSeconds, { deadLetterTargetArn: arn('sqs', 'Other-push-dlq'), maxReceiveCount: PUSH_QUEUE.maxReceiveCount }],
      ['PushDeadLetterQueue', 'Other-push-dlq', 30, undefined],
    ]);
    expect(stack.eventSourceMappings).toEqual([
      expect.objectContaining({ functionName: 'Other-push-worker', kind: 'sqs', sourceArn: arn('sqs', 'Other-push-queue'), batchSize: PUSH_QUEUE.batchSize, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: true, maximumConcurrency: PUSH_QUEUE.maximumConcurrency }),
    ]);
    const fn = (name: string) => stack.functions.find((f) => f.name === name)!;
    expect(stack.functions.map((f) => f.name)).not.toContain('Other-push');
    expect(fn('Other-push-fanout').environment.PUSH_QUEUE_URL).toBe('https://sqs.us-east-1.amazonaws.com/123456789012/Other-push-queue');
    const grants = (name: string) => fn(name).role!.statements.filter((s) => (s.resource ?? []).includes(arn('sqs', 'Other-push-queue'))).flatMap((s) => s.action ?? []);
    expect(grants('Other-push-fanout')).toEqual([...PUSH_QUEUE_ACTIONS.send]);
    expect(grants('Other-push-worker')).toEqual([...PUSH_QUEUE_ACTIONS.consume]);
    expect(fn('Other-push-fanout').role!.statements.flatMap((s) => s.action ?? [])).not.toContain('execute-api:ManageConnections');
  });
});
