import { Duration, Fn, Names, RemovalPolicy, Stack, type CfnCondition } from 'aws-cdk-lib';
import type { IWebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnEventBus, CfnRule, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFn } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_ENV, PUSH_EVENT, PUSH_FUNCTIONS, PUSH_QUEUE, type PushFanout, type PushFunctionSpec } from '../functions/manifest.ts';
import { PUSH_ACCESS, type TableKey } from '../functions/route-access.ts';
import { PUSH_DEFAULT_NAMES } from '../functions/stack-names.ts';
import { createNodeFunction } from './node-function.ts';
import { grantRouteAccess } from './route-access.ts';
import { stackScopedName } from './stack-scoped-name.ts';
import { onlyIf, type StackShape } from './stack-shape.ts';


export interface PushPathProps {
  /** the template's parameters and conditions: which fan-out (PushDirect, PushQueued) */
  shape: StackShape;
  tables: Record<TableKey, ITable>;
  api: IWebSocketApi;
  stageName: string;
  callbackUrl: string;
  /** what every function of the stack gets (tables, Powertools names) */
  environment: Record<string, string>;
  memoryMB?: number;
  memoryByFunction?: Record<string, number>;
  architecture?: 'x86_64' | 'arm64';
  /** the stack's bundling of a NodejsFunction (chat-stack.ts), shared */
  bundling: BundlingOptions;
}

/**
 * The server push (functions/manifest.ts PUSH_EVENT, docs/reference-stack.md "Server push"): the
 * stack's EventBridge bus and a rule matching push events, whose target is the direct push
 * function, or (PushFanout `queued`) the fan-out function, which sends to an SQS queue (with a
 * dead-letter queue after maxReceiveCount) consumed by posting workers through an event source
 * mapping. Both paths are in the template, each created only where its condition holds
 * (PushDirect, PushQueued), the rule's one target chosen the same way. Declared from the
 * manifest (functions/manifest.ts PUSH_EVENT, PUSH_QUEUE); the logical
 * ids of the bus, the rule and the queues are pinned (PushBus, PushRule, PushQueue,
 * PushDeadLetterQueue) so a publish phase names the bus `PushBus` whatever the stack is called.
 * Each function's role is written out (functions/route-access.ts PUSH_ACCESS), as the routes' are.
 */
export class PushPath extends Construct {
  readonly bus: EventBus;
  /** the queued path's queue (where PushQueued holds) */
  readonly queue: Queue;

  constructor(scope: Construct, id: string, props: PushPathProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = (resource: keyof typeof PUSH_DEFAULT_NAMES) => stackScopedName(stack, PUSH_DEFAULT_NAMES[resource]);
    const { shape } = props;

    this.bus = new EventBus(stack, 'PushBus', { eventBusName: name('bus') });
    (this.bus.node.defaultChild as CfnEventBus).overrideLogicalId('PushBus');

    const dlq = new Queue(stack, 'PushDeadLetterQueue', { queueName: name('deadLetterQueue'), retentionPeriod: Duration.seconds(PUSH_QUEUE.deadLetterRetentionSeconds), removalPolicy: RemovalPolicy.DESTROY });
    (dlq.node.defaultChild as CfnQueue).overrideLogicalId('PushDeadLetterQueue');
    const queue = new Queue(stack, 'PushQueue', {
      queueName: name('queue'),
      visibilityTimeout: Duration.seconds(PUSH_QUEUE.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: dlq, maxReceiveCount: PUSH_QUEUE.maxReceiveCount },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    (queue.node.defaultChild as CfnQueue).overrideLogicalId('PushQueue');
    onlyIf(shape.pushQueued, dlq, queue);
    this.queue = queue;

    const rule = new Rule(stack, 'PushRule', {
      ruleName: name('rule'),
      eventBus: this.bus,
      eventPattern: { source: [PUSH_EVENT.source], detailType: [PUSH_EVENT.detailType] },
    });
    const cfnRule = rule.node.defaultChild as CfnRule;
    cfnRule.overrideLogicalId('PushRule');

    const targets: Partial<Record<PushFanout, LambdaFn>> = {};
    for (const spec of PUSH_FUNCTIONS) {
      const condition = spec.fanout === 'queued' ? shape.pushQueued : shape.pushDirect;
      const fn = this.createFunction(spec, props, queue, condition);
      if (spec.trigger === 'rule') {
        rule.addTarget(new LambdaFunction(fn));
        targets[spec.fanout] = fn;
        // the rule's permission to invoke it, which the CDK makes in the rule
        onlyIf(condition, rule.node.findChild(`AllowEventRule${Names.nodeUniqueId(fn.node)}`));
      } else {
        fn.addEventSource(
          new SqsEventSource(queue, {
            batchSize: PUSH_QUEUE.batchSize,
            maxBatchingWindow: PUSH_QUEUE.maximumBatchingWindowSeconds > 0 ? Duration.seconds(PUSH_QUEUE.maximumBatchingWindowSeconds) : undefined,
            maxConcurrency: PUSH_QUEUE.maximumConcurrency,
            reportBatchItemFailures: true,
          }),
        );
        onlyIf(condition, fn);
      }
    }
    // one target, the setting's function
    const target = (fn: LambdaFn) => ({ Arn: fn.functionArn, Id: 'Target0' });
    cfnRule.addPropertyOverride('Targets', [Fn.conditionIf(shape.pushDirect.logicalId, target(targets.direct!), target(targets.queued!))]);
  }

  /** One push function with its role and log group, created only where `condition` holds. */
  private createFunction(spec: PushFunctionSpec, props: PushPathProps, queue: Queue, condition: CfnCondition): LambdaFn {
    const stack = Stack.of(this);
    const functionName = stackScopedName(stack, spec.name);
    const logGroup = new LogGroup(stack, `${spec.name}-logs`, { logGroupName: `/aws/lambda/${functionName}`, retention: RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY });
    const access = PUSH_ACCESS[spec.name];
    if (!access) throw new Error(`no IAM access declared for push function ${spec.name}`);
    const role = new Role(stack, `${spec.name}-role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    grantRouteAccess(role, access, { tables: props.tables, api: props.api, stageName: props.stageName, logGroup, pushQueue: queue });
    const fn = createNodeFunction(stack, spec, {
      ...props,
      role,
      logGroup,
      environment: {
        ...props.environment,
        ...(access.postsToConnections ? { [FUNCTION_ENV.callbackUrl]: props.callbackUrl } : {}),
        ...(access.pushQueue === 'send' ? { [FUNCTION_ENV.pushQueueUrl]: queue.queueUrl } : {}),
      },
    });
    onlyIf(condition, logGroup, role, fn);
    return fn;
  }
}
