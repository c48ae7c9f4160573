import type { TemplateResource } from './resource-dependencies.ts';
import type { NotEmulated } from './stack-description.ts';
import { templateError } from './template-errors.ts';

/**
 * A SAM function's Events, EventInvokeConfig and DeadLetterQueue as the SAM transform expands them
 * (samtranslator's eventsources/pull.py and push.py, sam_resources.py), logical ids as SAM makes
 * them, so the CloudFormation readers read the result as they read a template written out:
 * - SQS → AWS::Lambda::EventSourceMapping `{Function}{Event}`; DynamoDB → the same from the
 *   stream (OnFailure's `Type` dropped, as SAM drops it);
 * - SNS → AWS::SNS::Subscription `{Function}{Event}` (lambda) and its AWS::Lambda::Permission
 *   `{Function}{Event}Permission`; with SqsSubscription, SNS → SQS → function: the queue
 *   `{Function}{Event}Queue` (SqsSubscription: true; FIFO on a FIFO topic), its policy
 *   `{Function}{Event}QueuePolicy`, an `sqs` subscription and the mapping
 *   `{Function}{Event}EventSourceMapping` (BatchSize default 10, enabled);
 * - EventBridgeRule, CloudWatchEvent → AWS::Events::Rule `{Function}{Event}` with the function as
 *   its target (Id `{Function}{Event}LambdaTarget` unless Target.Id), Input, InputPath,
 *   InputTransformer, RetryPolicy, DeadLetterConfig (`Type: SQS` makes `{Function}{Event}Queue`
 *   and its policy), State or Enabled, and the Permission;
 * - EventInvokeConfig → AWS::Lambda::EventInvokeConfig `{Function}EventInvokeConfig`, a destination
 *   of `Type` SQS or SNS without `Destination` made as `{Function}EventInvokeConfigOnSuccessQueue`
 *   (or …Topic, …OnFailure…);
 * - DeadLetterQueue → the function's DeadLetterConfig;
 * - HttpApi → made with the HTTP API it routes to (sam-http-api.ts): its route in the API's
 *   OpenAPI body and its AWS::Lambda::Permission `{Function}{Event}Permission`; nothing here;
 * - Api → made with the REST API it is a method of (sam-rest-api.ts): its method in the API's
 *   Swagger body and its AWS::Lambda::Permission `{Function}{Event}Permission{Stage}`; nothing here.
 * A function with AutoPublishAlias is reached through its alias, as SAM points its events there
 * (sam-transform.ts makes the alias). Other event types are returned as not emulated, one entry
 * each (not-emulated-paths.ts names their paths).
 */
export interface SamEventExpansion {
  resources: Record<string, TemplateResource>;
  notEmulated: NotEmulated[];
  /** the function's DeadLetterConfig, from DeadLetterQueue */
  deadLetterConfig?: { TargetArn: unknown };
}

type Props = Record<string, unknown>;

/** The event types expanded here; the others stay listed as not emulated. */
export const SAM_EVENTS_EXPANDED = new Set(['SQS', 'SNS', 'DynamoDB', 'EventBridgeRule', 'CloudWatchEvent', 'HttpApi', 'Api']);

const PULL_PROPERTIES = [
  'BatchSize', 'StartingPosition', 'StartingPositionTimestamp', 'Enabled', 'MaximumBatchingWindowInSeconds', 'MaximumRetryAttempts',
  'BisectBatchOnFunctionError', 'MaximumRecordAgeInSeconds', 'DestinationConfig', 'ParallelizationFactor', 'TumblingWindowInSeconds',
  'FunctionResponseTypes', 'FilterCriteria', 'KmsKeyArn', 'ScalingConfig', 'ProvisionedPollerConfig', 'MetricsConfig', 'LoggingConfig',
];

const isMap = (v: unknown): v is Props => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `resources`: the template's resources as written (a topic's FifoTopic, for the queue SAM makes for it). */
export function expandSamEvents(file: string, fn: string, props: Props, condition: string | undefined, resources: Record<string, TemplateResource>): SamEventExpansion {
  const out: SamEventExpansion = { resources: {}, notEmulated: [] };
  const add = (id: string, type: string, properties: Props) => {
    out.resources[id] = { Type: type, Properties: properties, ...(condition ? { Condition: condition } : {}) };
  };
  // the alias's Ref is its ARN: both a FunctionName and an ARN
  const alias = typeof props.AutoPublishAlias === 'string' ? { Ref: `${fn}Alias${props.AutoPublishAlias}` } : undefined;
  const fnName = alias ?? { Ref: fn };
  const fnArn = alias ?? { 'Fn::GetAtt': [fn, 'Arn'] };
  const permission = (id: string, principal: string, sourceArn: unknown) =>
    add(`${id}Permission`, 'AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', FunctionName: fnName, Principal: principal, SourceArn: sourceArn });
  const queueWithPolicy = (queueId: string, policyId: string, queueProps: Props, source: { service: string; arn: unknown }) => {
    add(queueId, 'AWS::SQS::Queue', queueProps);
    const queueArn = { 'Fn::GetAtt': [queueId, 'Arn'] };
    add(policyId, 'AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: source.service }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': source.arn } } }],
      },
    });
    return queueArn;
  };

  const events = props.Events ?? {};
  if (!isMap(events)) throw templateError(file, ['Resources', fn, 'Properties', 'Events'], 'must be a mapping of events');
  for (const [event, spec] of Object.entries(events)) {
    const id = `${fn}${event}`;
    const base = ['Resources', fn, 'Properties', 'Events', event];
    const type = isMap(spec) && typeof spec.Type === 'string' ? spec.Type : undefined;
    if (type === undefined || !SAM_EVENTS_EXPANDED.has(type)) {
      out.notEmulated.push({ logicalId: id, type: `AWS::Serverless::Function event ${type ?? '(no Type)'}` });
      continue;
    }
    // the route (method) and the permission depend on the API's body as all its events leave it: sam-http-api.ts, sam-rest-api.ts
    if (type === 'HttpApi' || type === 'Api') continue;
    const p = (isMap(spec) && isMap(spec.Properties) ? spec.Properties : {}) as Props;
    const need = (key: string) => {
      if (p[key] === undefined) throw templateError(file, [...base, 'Properties', key], `missing: a ${type} event needs it`);
      return p[key];
    };
    switch (type) {
      case 'SQS':
      case 'DynamoDB': {
        const source = need(type === 'SQS' ? 'Queue' : 'Stream');
        if (type === 'DynamoDB') need('StartingPosition');
        add(id, 'AWS::Lambda::EventSourceMapping', { FunctionName: fnName, EventSourceArn: source, ...pullProperties(p) });
        break;
      }
      case 'SNS': {
        const topic = need('Topic');
        const subscription = (protocol: string, endpoint: unknown) =>
          add(id, 'AWS::SNS::Subscription', {
            Protocol: protocol,
            Endpoint: endpoint,
            TopicArn: topic,
            ...pick(p, ['Region', 'FilterPolicy', 'FilterPolicyScope', 'RedrivePolicy']),
          });
        const sqs = p.SqsSubscription;
        if (sqs === undefined || sqs === false) {
          permission(id, 'sns.amazonaws.com', topic);
          subscription('lambda', fnArn);
          break;
        }
        let queueArn: unknown;
        let batchSize: unknown;
        if (sqs === true) {
          // SAM makes the queue FIFO when the topic it names is: the topic's FifoTopic as written (resolved later, as SAM resolves it)
          const topicId = isMap(topic) && typeof topic.Ref === 'string' ? topic.Ref : undefined;
          const fifoTopic = topicId === undefined ? undefined : (resources[topicId]?.Properties as Props | undefined)?.FifoTopic;
          queueArn = queueWithPolicy(`${id}Queue`, `${id}QueuePolicy`, fifoTopic !== undefined ? { FifoQueue: fifoTopic } : {}, { service: 'sns.amazonaws.com', arn: topic });
        } else if (isMap(sqs)) {
          if (sqs.QueueArn === undefined || sqs.QueueUrl === undefined) throw templateError(file, [...base, 'Properties', 'SqsSubscription'], 'No QueueArn or QueueUrl provided');
          queueArn = sqs.QueueArn;
          batchSize = sqs.BatchSize;
          const policyId = typeof sqs.QueuePolicyLogicalId === 'string' ? sqs.QueuePolicyLogicalId : `${id}QueuePolicy`;
          add(policyId, 'AWS::SQS::QueuePolicy', {
            Queues: [sqs.QueueUrl],
            PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topic } } }] },
          });
        } else {
          throw templateError(file, [...base, 'Properties', 'SqsSubscription'], 'must be true or {QueueArn, QueueUrl, BatchSize, Enabled, QueuePolicyLogicalId}');
        }
        subscription('sqs', queueArn);
        // SAM sets the mapping enabled whatever SqsSubscription.Enabled says
        add(`${id}EventSourceMapping`, 'AWS::Lambda::EventSourceMapping', { FunctionName: fnName, EventSourceArn: queueArn, BatchSize: batchSize ?? 10, Enabled: true });
        break;
      }
      case 'EventBridgeRule':
      case 'CloudWatchEvent': {
        if (p.State !== undefined && p.Enabled !== undefined) throw templateError(file, [...base, 'Properties', 'State'], 'State and Enabled Properties cannot both be specified');
        const ruleArn = { 'Fn::GetAtt': [id, 'Arn'] };
        let deadLetterArn: unknown;
        if (p.DeadLetterConfig !== undefined) {
          const dlq = p.DeadLetterConfig;
          const at = [...base, 'Properties', 'DeadLetterConfig'];
          if (!isMap(dlq)) throw templateError(file, at, 'must be {Arn} or {Type: SQS}');
          if (dlq.Arn !== undefined && dlq.Type !== undefined) throw templateError(file, at, "You can either define 'Arn' or 'Type' property of DeadLetterConfig");
          if (dlq.Arn === undefined && dlq.Type === undefined) throw templateError(file, at, "No 'Arn' or 'Type' property provided for DeadLetterConfig");
          if (dlq.Type !== undefined && dlq.Type !== 'SQS') throw templateError(file, [...at, 'Type'], "The only valid value for 'Type' property of DeadLetterConfig is 'SQS'");
          deadLetterArn =
            dlq.Arn ??
            queueWithPolicy(typeof dlq.QueueLogicalId === 'string' ? dlq.QueueLogicalId : `${id}Queue`, `${id}QueuePolicy`, {}, { service: 'events.amazonaws.com', arn: ruleArn });
        }
        const target = isMap(p.Target) ? p.Target : {};
        add(id, 'AWS::Events::Rule', {
          ...(p.EventBusName !== undefined ? { EventBusName: p.EventBusName } : {}),
          ...(p.Pattern !== undefined ? { EventPattern: p.Pattern } : {}),
          ...(p.RuleName !== undefined ? { Name: p.RuleName } : {}),
          ...(p.State !== undefined ? { State: p.State } : p.Enabled !== undefined ? { State: p.Enabled === true || p.Enabled === 'true' ? 'ENABLED' : 'DISABLED' } : {}),
          Targets: [
            {
              Arn: fnArn,
              Id: target.Id ?? targetId(id),
              ...pick(p, ['Input', 'InputPath', 'RetryPolicy', 'InputTransformer']),
              ...(deadLetterArn !== undefined ? { DeadLetterConfig: { Arn: deadLetterArn } } : {}),
            },
          ],
        });
        permission(id, 'events.amazonaws.com', ruleArn);
        break;
      }
    }
  }

  if (props.EventInvokeConfig !== undefined) expandEventInvokeConfig(file, fn, props, add);
  if (props.DeadLetterQueue !== undefined) {
    const dlq = props.DeadLetterQueue;
    const at = ['Resources', fn, 'Properties', 'DeadLetterQueue'];
    if (!isMap(dlq) || dlq.Type === undefined || dlq.TargetArn === undefined) throw templateError(file, at, "'DeadLetterQueue' requires Type and TargetArn properties to be specified");
    if (dlq.Type !== 'SQS' && dlq.Type !== 'SNS') throw templateError(file, [...at, 'Type'], `${String(dlq.Type)}: 'DeadLetterQueue' requires Type of SQS or SNS`);
    out.deadLetterConfig = { TargetArn: dlq.TargetArn };
  }
  return out;
}

function expandEventInvokeConfig(file: string, fn: string, props: Props, add: (id: string, type: string, properties: Props) => void): void {
  const config = props.EventInvokeConfig;
  const at = ['Resources', fn, 'Properties', 'EventInvokeConfig'];
  if (!isMap(config)) throw templateError(file, at, 'must be a mapping');
  const id = `${fn}EventInvokeConfig`;
  const destinations: Props = {};
  if (config.DestinationConfig !== undefined) {
    if (!isMap(config.DestinationConfig)) throw templateError(file, [...at, 'DestinationConfig'], 'must be a mapping');
    for (const which of ['OnSuccess', 'OnFailure']) {
      const d = config.DestinationConfig[which];
      if (d === undefined) continue;
      const dAt = [...at, 'DestinationConfig', which];
      if (!isMap(d)) throw templateError(file, dAt, 'must be {Type, Destination}');
      const types = ['SQS', 'SNS', 'EventBridge', 'Lambda', 'S3Bucket'];
      if (typeof d.Type !== 'string' || !types.includes(d.Type)) throw templateError(file, [...dAt, 'Type'], `${String(d.Type)}: must be one of ${types.join(', ')}`);
      let destination = d.Destination;
      if (destination === undefined) {
        // SAM makes the queue or topic when only the Type is given
        if (d.Type === 'SQS') {
          add(`${id}${which}Queue`, 'AWS::SQS::Queue', {});
          destination = { 'Fn::GetAtt': [`${id}${which}Queue`, 'Arn'] };
        } else if (d.Type === 'SNS') {
          add(`${id}${which}Topic`, 'AWS::SNS::Topic', {});
          destination = { Ref: `${id}${which}Topic` };
        } else {
          throw templateError(file, [...dAt, 'Destination'], `missing: Destination is required if Type is not SQS or SNS`);
        }
      }
      destinations[which] = { Destination: destination };
    }
  }
  add(id, 'AWS::Lambda::EventInvokeConfig', {
    FunctionName: { Ref: fn },
    Qualifier: typeof props.AutoPublishAlias === 'string' ? props.AutoPublishAlias : '$LATEST',
    ...(Object.keys(destinations).length ? { DestinationConfig: destinations } : {}),
    ...pick(config, ['MaximumEventAgeInSeconds', 'MaximumRetryAttempts']),
  });
}

/** The mapping's properties SAM passes through; DestinationConfig.OnFailure's `Type` is SAM's own and dropped. */
function pullProperties(p: Props): Props {
  const out = pick(p, PULL_PROPERTIES);
  if (isMap(out.DestinationConfig) && isMap(out.DestinationConfig.OnFailure)) {
    const { Type: _type, ...onFailure } = out.DestinationConfig.OnFailure;
    out.DestinationConfig = { ...out.DestinationConfig, OnFailure: onFailure };
  }
  return out;
}

function pick(p: Props, keys: string[]): Props {
  const out: Props = {};
  for (const k of keys) if (p[k] !== undefined) out[k] = p[k];
  return out;
}

/** SAM's target id: `{logicalId}LambdaTarget`, cut to EventBridge's 64 characters keeping the suffix. */
function targetId(logicalId: string): string {
  const suffix = 'LambdaTarget';
  return logicalId.length + suffix.length <= 64 ? logicalId + suffix : logicalId.slice(0, 64 - suffix.length) + suffix;
}
