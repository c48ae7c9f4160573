import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import type { StackDescription } from '../../emulator/stack-model/stack-description.ts';
import { inlineFunction, websocketTemplates } from './websocket-template.ts';

/**
 * The fan-out resources of a CloudFormation template (issue 60), read into the stack description:
 * queues (FIFO, dead-letter, policies), topics and subscriptions, event buses and rules, event
 * source mappings from a queue and a table's stream, asynchronous invocation settings; their Ref
 * and Fn::GetAtt values as AWS gives them; and each value out of AWS's range refused in one line
 * naming the resource and the property.
 */
const templates = websocketTemplates('template-fanout-').read;

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const inline = inlineFunction;
const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

const read = (resources: Record<string, unknown>, outputs: Record<string, unknown> = {}): Promise<StackDescription> =>
  templates(resources, { outputs, stackName: 'fan', region: REGION, accountId: ACCOUNT });

async function refusal(resources: Record<string, unknown>): Promise<string> {
  try {
    await read(resources);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    expect(e.message.split('\n')).toHaveLength(1);
    return e.message.slice(e.message.indexOf(': ') + 2);
  }
  throw new Error('not refused');
}

const table = (extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::DynamoDB::Table',
  Properties: { AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST', ...extra },
});

describe('two queue policies on one queue', () => {
  it("are joined here and said: on AWS the one applied last replaces the other (SAM's SqsSubscription policy beside the queue's own)", async () => {
    const allow = (service: string) => ({ Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: 'Jobs' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sqs:SendMessage', Resource: arn('Jobs') }] } } });
    const d = await read({ Jobs: { Type: 'AWS::SQS::Queue' }, Other: { Type: 'AWS::SQS::Queue' }, FromTopic: allow('sns.amazonaws.com'), FromRule: allow('events.amazonaws.com'), OtherPolicy: { ...allow('sns.amazonaws.com'), Properties: { ...allow('sns.amazonaws.com').Properties, Queues: [{ Ref: 'Other' }] } } });
    const jobs = d.queues!.find((q) => q.logicalId === 'Jobs')!;
    expect(jobs.policyResources).toEqual(['FromTopic', 'FromRule']);
    expect(jobs.policy!.map((x) => x.principal)).toEqual([{ Service: ['sns.amazonaws.com'] }, { Service: ['events.amazonaws.com'] }]);
    expect(d.warnings).toEqual([
      'queue Jobs is named by 2 AWS::SQS::QueuePolicy resources (FromTopic, FromRule): SQS keeps one policy per queue, so on AWS the one applied last replaces the others (CloudFormation does not say which), while here their statements are joined; put them in one QueuePolicy',
    ]);
    // one policy a queue: nothing to say
    expect((await read({ Jobs: { Type: 'AWS::SQS::Queue' }, FromTopic: allow('sns.amazonaws.com') })).warnings).toBeUndefined();
  });
});

describe('every fan-out resource of a CloudFormation template', () => {
  const resources = {
    Jobs: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 60, RedrivePolicy: { deadLetterTargetArn: arn('JobsDlq'), maxReceiveCount: '3' } } },
    JobsDlq: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1_209_600 } },
    Orders: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'orders.fifo', FifoQueue: true, ContentBasedDeduplication: 'true', RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:111122223333:orders-dlq.fifo","maxReceiveCount":5}' } },
    JobsPolicy: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: 'Jobs' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arn('Jobs') }] } } },
    Alerts: { Type: 'AWS::SNS::Topic', Properties: { Subscription: [{ Protocol: 'lambda', Endpoint: arn('Worker') }] } },
    AlertsToJobs: {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: { Ref: 'Alerts' }, Protocol: 'sqs', Endpoint: arn('Jobs'), RawMessageDelivery: 'true', FilterPolicy: '{"kind":["job"]}', FilterPolicyScope: 'MessageBody', RedrivePolicy: { deadLetterTargetArn: arn('JobsDlq') } },
    },
    AlertsPolicy: { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: [{ Ref: 'Alerts' }], PolicyDocument: { Statement: [] } } },
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'app-bus' } },
    OnOrder: {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventBusName: { Ref: 'Bus' },
        EventPattern: '{"source":["shop"],"detail-type":["order"]}',
        Targets: [
          { Id: 'worker', Arn: arn('Worker'), InputTransformer: { InputPathsMap: { id: '$.detail.id' }, InputTemplate: '{"order": <id>}' }, RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 600 }, DeadLetterConfig: { Arn: arn('JobsDlq') } },
          { Id: 'orders', Arn: { 'Fn::GetAtt': ['Orders', 'Arn'] }, SqsParameters: { MessageGroupId: 'g' }, InputPath: '$.detail' },
          { Id: 'alerts', Arn: { Ref: 'Alerts' }, Input: '{"alert":true}' },
        ],
      },
    },
    Nightly: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 day)', State: 'DISABLED', Targets: [{ Id: 'n', Arn: arn('Nightly2') }] } },
    Nightly2: inline(),
    Events: table({ StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } }),
    FromJobs: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Worker' },
        EventSourceArn: arn('Jobs'),
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 2,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 5 },
        FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["job"]}}' }] },
      },
    },
    FromOrders: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: arn('Worker'), EventSourceArn: arn('Orders'), Enabled: false } },
    FromEvents: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { 'Fn::Sub': '${AWS::AccountId}:function:${Worker}' },
        EventSourceArn: { 'Fn::GetAtt': ['Events', 'StreamArn'] },
        StartingPosition: 'TRIM_HORIZON',
        ParallelizationFactor: 4,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 2,
        MaximumRecordAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: arn('JobsDlq') } },
      },
    },
    Worker: inline({ DeadLetterConfig: { TargetArn: { Ref: 'WorkerDlq' } } }),
    WorkerDlq: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'worker-dlq' } },
    WorkerAsync: { Type: 'AWS::Lambda::EventInvokeConfig', Properties: { FunctionName: { Ref: 'Worker' }, Qualifier: '$LATEST', MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 300, DestinationConfig: { OnFailure: { Destination: arn('JobsDlq') }, OnSuccess: { Destination: arn('Done') } } } },
    Done: inline(),
  };
  const outputs = {
    QueueRef: { Ref: 'Jobs' },
    QueueName: { 'Fn::GetAtt': ['Jobs', 'QueueName'] },
    QueueUrl: { 'Fn::GetAtt': ['Orders', 'QueueUrl'] },
    TopicRef: { Ref: 'Alerts' },
    TopicName: { 'Fn::GetAtt': ['Alerts', 'TopicName'] },
    RuleRef: { Ref: 'Nightly' },
    RuleArn: { 'Fn::GetAtt': ['OnOrder', 'Arn'] },
    BusArn: { 'Fn::GetAtt': ['Bus', 'Arn'] },
    StreamArn: { 'Fn::GetAtt': ['Events', 'StreamArn'] },
    MappingId: { Ref: 'FromJobs' },
  };
  let d: StackDescription;
  const out = (key: string) => d.outputs.find((o) => o.key === key)?.value;

  it('reads the queues with their defaults, the FIFO queue, the redrive policies', async () => {
    d = await read(resources, outputs);
    const jobsName = expect.stringMatching(/^fan-Jobs-[A-Z0-9]{13}$/);
    expect(d.queues).toEqual([
      {
        logicalId: 'Jobs',
        name: jobsName,
        arn: expect.stringMatching(/^arn:aws:sqs:eu-west-1:111122223333:fan-Jobs-[A-Z0-9]{13}$/),
        fifo: false,
        contentBasedDeduplication: false,
        visibilityTimeoutSeconds: 60,
        delaySeconds: 0,
        messageRetentionSeconds: 345_600,
        maximumMessageSize: 1_048_576,
        receiveMessageWaitTimeSeconds: 0,
        redrive: { deadLetterTargetArn: d.queues![1]!.arn, maxReceiveCount: 3 },
        // its AWS::SQS::QueuePolicy (Queues names it by URL), read as a resource-based policy
        policy: [{ effect: 'Allow', principal: { Service: ['sns.amazonaws.com'] }, action: ['sqs:SendMessage'], resource: [d.queues![0]!.arn], source: 'queue policy JobsPolicy' }],
        policyResources: ['JobsPolicy'],
      },
      expect.objectContaining({ logicalId: 'JobsDlq', messageRetentionSeconds: 1_209_600 }),
      expect.objectContaining({
        logicalId: 'Orders',
        name: 'orders.fifo',
        arn: 'arn:aws:sqs:eu-west-1:111122223333:orders.fifo',
        fifo: true,
        contentBasedDeduplication: true,
        redrive: { deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:111122223333:orders-dlq.fifo', maxReceiveCount: 5 },
      }),
    ]);
    expect(out('QueueRef')).toBe(`https://sqs.eu-west-1.amazonaws.com/111122223333/${d.queues![0]!.name}`);
    expect(out('QueueName')).toBe(d.queues![0]!.name);
    expect(out('QueueUrl')).toBe('https://sqs.eu-west-1.amazonaws.com/111122223333/orders.fifo');
  });

  it('reads the topic with its inline and separate subscriptions', () => {
    expect(d.topics!.map((tp) => tp.name)).toEqual([out('TopicName'), 'worker-dlq']);
    expect(d.topics!.slice(0, 1)).toEqual([
      {
        logicalId: 'Alerts',
        name: expect.stringMatching(/^fan-Alerts-[A-Z0-9]{13}$/),
        arn: out('TopicRef'),
        fifo: false,
        contentBasedDeduplication: false,
        // its AWS::SNS::TopicPolicy, with no statement
        policy: [],
        subscriptions: [
          { logicalId: 'AlertsSubscription0', protocol: 'lambda', endpoint: expect.stringMatching(/^arn:aws:lambda:eu-west-1:111122223333:function:fan-Worker-/), filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false },
          { logicalId: 'AlertsToJobs', protocol: 'sqs', endpoint: d.queues![0]!.arn, filterPolicy: { kind: ['job'] }, filterPolicyScope: 'MessageBody', rawMessageDelivery: true, deadLetterArn: d.queues![1]!.arn },
        ],
      },
    ]);
    expect(out('TopicRef')).toBe(`arn:aws:sns:eu-west-1:111122223333:${out('TopicName')}`);
  });

  it('reads the bus and the rules: pattern given as JSON text, targets with their settings, a schedule kept', () => {
    expect(d.eventBuses).toEqual([{ logicalId: 'Bus', name: 'app-bus', arn: 'arn:aws:events:eu-west-1:111122223333:event-bus/app-bus' }]);
    const [onOrder, nightly] = d.rules!;
    expect(onOrder).toEqual({
      logicalId: 'OnOrder',
      name: expect.stringMatching(/^fan-OnOrder-[A-Z0-9]{13}$/),
      arn: expect.stringMatching(/^arn:aws:events:eu-west-1:111122223333:rule\/app-bus\/fan-OnOrder-/),
      busName: 'app-bus',
      eventPattern: { source: ['shop'], 'detail-type': ['order'] },
      state: 'ENABLED',
      targets: [
        { id: 'worker', arn: expect.stringMatching(/:function:fan-Worker-/), inputTransformer: { inputPathsMap: { id: '$.detail.id' }, inputTemplate: '{"order": <id>}' }, retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeSeconds: 600 }, deadLetterArn: d.queues![1]!.arn },
        { id: 'orders', arn: 'arn:aws:sqs:eu-west-1:111122223333:orders.fifo', messageGroupId: 'g', inputPath: '$.detail' },
        { id: 'alerts', arn: out('TopicRef'), input: '{"alert":true}' },
      ],
    });
    expect(out('RuleArn')).toBe(onOrder!.arn);
    expect(nightly).toMatchObject({ logicalId: 'Nightly', busName: 'default', scheduleExpression: 'rate(1 day)', state: 'DISABLED' });
    expect(out('RuleRef')).toBe(nightly!.name);
    expect(out('BusArn')).toBe(d.eventBuses![0]!.arn);
  });

  it("reads the table's stream and the mappings, with Lambda's defaults", () => {
    const streamArn = expect.stringMatching(/^arn:aws:dynamodb:eu-west-1:111122223333:table\/fan-Events-[A-Z0-9]{13}\/stream\/\d{4}-\d\d-\d\dT[\d:.]+$/);
    expect(d.tables.find((t) => t.logicalId === 'Events')!.stream).toEqual({ viewType: 'NEW_AND_OLD_IMAGES', arn: streamArn });
    expect(out('StreamArn')).toBe(d.tables.find((t) => t.logicalId === 'Events')!.stream!.arn);
    const worker = d.functions.find((f) => f.logicalId === 'Worker')!.name;
    expect(d.eventSourceMappings).toEqual([
      { logicalId: 'FromJobs', functionName: worker, kind: 'sqs', sourceArn: d.queues![0]!.arn, batchSize: 100, maximumBatchingWindowSeconds: 2, enabled: true, reportBatchItemFailures: true, filters: [{ body: { kind: ['job'] } }], maximumConcurrency: 5 },
      { logicalId: 'FromOrders', functionName: worker, kind: 'sqs', sourceArn: d.queues![2]!.arn, batchSize: 10, maximumBatchingWindowSeconds: 0, enabled: false, reportBatchItemFailures: false },
      {
        logicalId: 'FromEvents',
        functionName: worker,
        kind: 'dynamodb-stream',
        sourceArn: out('StreamArn'),
        batchSize: 100,
        maximumBatchingWindowSeconds: 0,
        enabled: true,
        reportBatchItemFailures: false,
        startingPosition: 'TRIM_HORIZON',
        parallelizationFactor: 4,
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 2,
        maximumRecordAgeSeconds: 3600,
        onFailure: d.queues![1]!.arn,
      },
    ]);
    expect(out('MappingId')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('runs the functions something invokes, with their asynchronous settings; a schedule-only function is not read', () => {
    expect(d.functions.map((f) => f.logicalId).sort()).toEqual(['Done', 'Fn', 'Worker']);
    expect(d.functions.find((f) => f.logicalId === 'Worker')!.asyncInvoke).toEqual({
      maximumRetryAttempts: 1,
      maximumEventAgeSeconds: 300,
      onSuccess: expect.stringMatching(/:function:fan-Done-/),
      onFailure: d.queues![1]!.arn,
      deadLetterArn: 'arn:aws:sns:eu-west-1:111122223333:worker-dlq',
    });
    expect(d.functions.find((f) => f.logicalId === 'Fn')!.asyncInvoke).toBeUndefined();
    // every fan-out resource read; the function only a schedule invokes is listed, and its path named
    expect(d.notEmulated).toEqual([{ logicalId: 'Nightly2', type: 'AWS::Lambda::Function', physicalId: expect.stringMatching(/^fan-Nightly2-[A-Z0-9]{13}$/) }]);
    expect(d.notEmulatedPaths).toEqual([expect.objectContaining({ source: 'schedule', resource: 'Nightly', function: 'Nightly2' })]);
  });

  it("generates a FIFO queue's and topic's name with .fifo kept", async () => {
    const s = await read({ Q: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } }, T: { Type: 'AWS::SNS::Topic', Properties: { FifoTopic: 'true', ContentBasedDeduplication: true } } });
    expect(s.queues![0]!.name).toMatch(/^fan-Q-[A-Z0-9]{13}\.fifo$/);
    expect(s.topics![0]).toMatchObject({ name: expect.stringMatching(/^fan-T-[A-Z0-9]{13}\.fifo$/), fifo: true, contentBasedDeduplication: true });
  });
});

describe("values AWS refuses are refused, naming the resource and the property", () => {
  const queue = (p: Record<string, unknown> = {}) => ({ Type: 'AWS::SQS::Queue', Properties: p });
  const mapping = (p: Record<string, unknown>) => ({ Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: { Ref: 'Fn' }, ...p } });
  const stream = { 'Fn::GetAtt': ['T', 'StreamArn'] };
  const T = table({ StreamSpecification: { StreamViewType: 'KEYS_ONLY' } });

  it('event source mappings: batch sizes, windows, FIFO, stream settings', async () => {
    expect(await refusal({ Q: queue(), M: mapping({ EventSourceArn: arn('Q'), BatchSize: 10_001, MaximumBatchingWindowInSeconds: 1 }) })).toBe('resource M property BatchSize: Too big: expected number to be <=10000');
    expect(await refusal({ Q: queue(), M: mapping({ EventSourceArn: arn('Q'), BatchSize: 0 }) })).toBe('resource M property BatchSize: Too small: expected number to be >=1');
    expect(await refusal({ Q: queue(), M: mapping({ EventSourceArn: arn('Q'), BatchSize: 11 }) })).toBe('resource M property MaximumBatchingWindowInSeconds: 0: a BatchSize above 10 (11) needs a batching window of at least 1 s');
    expect(await refusal({ Q: queue({ FifoQueue: true }), M: mapping({ EventSourceArn: arn('Q'), BatchSize: 11, MaximumBatchingWindowInSeconds: 1 }) })).toBe('resource M property BatchSize: 11: at most 10 from a FIFO queue (Q)');
    expect(await refusal({ Q: queue({ FifoQueue: true }), M: mapping({ EventSourceArn: arn('Q'), MaximumBatchingWindowInSeconds: 1 }) })).toBe('resource M property MaximumBatchingWindowInSeconds: 1: a FIFO queue (Q) takes no batching window');
    expect(await refusal({ Q: queue(), M: mapping({ EventSourceArn: arn('Q'), MaximumBatchingWindowInSeconds: 301 }) })).toBe('resource M property MaximumBatchingWindowInSeconds: Too big: expected number to be <=300');
    expect(await refusal({ Q: queue(), M: mapping({ EventSourceArn: arn('Q'), ScalingConfig: { MaximumConcurrency: 1 } }) })).toBe('resource M property ScalingConfig.MaximumConcurrency: Too small: expected number to be >=2');
    expect(await refusal({ Q: queue(), M: mapping({ EventSourceArn: arn('Q'), StartingPosition: 'LATEST' }) })).toBe('resource M property StartingPosition: not for an SQS queue (a stream setting): Lambda refuses it');
    expect(await refusal({ T, M: mapping({ EventSourceArn: stream }) })).toBe('resource M property StartingPosition: missing: a stream mapping starts at TRIM_HORIZON or LATEST');
    expect(await refusal({ T, M: mapping({ EventSourceArn: stream, StartingPosition: 'LATEST', ParallelizationFactor: 11 }) })).toBe('resource M property ParallelizationFactor: Too big: expected number to be <=10');
    expect(await refusal({ T, M: mapping({ EventSourceArn: stream, StartingPosition: 'LATEST', MaximumRecordAgeInSeconds: 59 }) })).toBe('resource M property MaximumRecordAgeInSeconds: 59: -1 (infinite) or 60 to 604,800');
    expect(await refusal({ T, M: mapping({ EventSourceArn: stream, StartingPosition: 'LATEST', MaximumRetryAttempts: 10_001 }) })).toBe('resource M property MaximumRetryAttempts: Too big: expected number to be <=10000');
    expect(await refusal({ T, M: mapping({ EventSourceArn: stream, StartingPosition: 'AT_TIMESTAMP' }) })).toBe('resource M property StartingPosition: AT_TIMESTAMP is for Kinesis: a DynamoDB stream starts at TRIM_HORIZON or LATEST');
    expect(await refusal({ T: table(), M: mapping({ EventSourceArn: { 'Fn::Sub': '${T.Arn}/stream/2024-01-01T00:00:00.000' }, StartingPosition: 'LATEST' }) })).toBe('resource M property EventSourceArn: table T has no stream (StreamSpecification)');
    expect(await refusal({ Q: queue(), M: mapping({ EventSourceArn: arn('Q'), FunctionName: 'elsewhere' }) })).toBe("resource M property FunctionName: elsewhere is not a function of this stack: the emulator runs the stack's own functions");
    expect(await refusal({ Q: queue(), M: mapping({ EventSourceArn: arn('Q'), FilterCriteria: { Filters: [{ Pattern: 'not json' }] } }) })).toBe('resource M property FilterCriteria.Filters[0].Pattern: must be a JSON object (an event pattern)');
  });

  it('queues, topics, rules and asynchronous settings', async () => {
    expect(await refusal({ Q: queue({ VisibilityTimeout: 43_201 }) })).toBe('resource Q property VisibilityTimeout: Too big: expected number to be <=43200');
    expect(await refusal({ Q: queue({ QueueName: 'jobs.fifo' }) })).toBe('resource Q property QueueName: jobs.fifo: a name ending in .fifo needs FifoQueue: true');
    expect(await refusal({ Q: queue({ ContentBasedDeduplication: true }) })).toBe('resource Q property ContentBasedDeduplication: applies to a FIFO queue only (FifoQueue: true)');
    expect(await refusal({ Q: queue({ RedrivePolicy: { deadLetterTargetArn: arn('D'), maxReceiveCount: 1001 } }), D: queue() })).toBe('resource Q property RedrivePolicy.maxReceiveCount: Too big: expected number to be <=1000');
    expect(await refusal({ Q: queue({ FifoQueue: true, RedrivePolicy: { deadLetterTargetArn: arn('D'), maxReceiveCount: 1 } }), D: queue() })).toBe("resource Q property RedrivePolicy.deadLetterTargetArn: D is a standard queue: a FIFO queue's dead-letter queue must be FIFO too");
    expect(await refusal({ T: { Type: 'AWS::SNS::Topic' }, S: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'T' }, Protocol: 'lambda', Endpoint: arn('Fn'), RawMessageDelivery: true } } })).toBe(
      'resource S property RawMessageDelivery: not for a lambda subscription (SQS, HTTP/S and Firehose only)',
    );
    expect(await refusal({ T: { Type: 'AWS::SNS::Topic' }, S: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'T' }, Protocol: 'pigeon', Endpoint: 'x' } } })).toMatch(/^resource S property Protocol: pigeon: not an SNS protocol/);
    const target = { Id: 't', Arn: arn('Fn') };
    expect(await refusal({ R: { Type: 'AWS::Events::Rule', Properties: { Targets: [target] } } })).toBe('resource R property EventPattern: missing: a rule needs an EventPattern or a ScheduleExpression');
    expect(await refusal({ R: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { source: ['a'] }, Targets: [{ ...target, RetryPolicy: { MaximumRetryAttempts: 186 } }] } } })).toBe('resource R property Targets[0].RetryPolicy.MaximumRetryAttempts: Too big: expected number to be <=185');
    expect(await refusal({ R: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { source: ['a'] }, Targets: [{ ...target, Input: '{}', InputPath: '$.detail' }] } } })).toBe('resource R property Targets[0].InputPath: give one of Input, InputPath and InputTransformer (also has Input)');
    expect(await refusal({ R: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { source: ['a'] }, Targets: Array.from({ length: 6 }, (_, i) => ({ ...target, Id: `t${i}` })) } } })).toBe("resource R property Targets: at most 5 targets per rule (EventBridge's limit)");
    expect(await refusal({ C: { Type: 'AWS::Lambda::EventInvokeConfig', Properties: { FunctionName: { Ref: 'Fn' }, Qualifier: '$LATEST', MaximumRetryAttempts: 3 } } })).toBe('resource C property MaximumRetryAttempts: Too big: expected number to be <=2');
    expect(await refusal({ C: { Type: 'AWS::Lambda::EventInvokeConfig', Properties: { FunctionName: { Ref: 'Fn' }, Qualifier: '$LATEST', MaximumEventAgeInSeconds: 59 } } })).toBe('resource C property MaximumEventAgeInSeconds: Too small: expected number to be >=60');
    expect(await refusal({ Fn: inline({ DeadLetterConfig: { TargetArn: 'arn:aws:lambda:eu-west-1:1:function:x' } }) })).toBe("resource Fn property DeadLetterConfig.TargetArn: must be an SQS queue's or SNS topic's ARN");
  });
});
