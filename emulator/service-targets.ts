/**
 * How one AWS service hands a message to another inside the emulator, as AWS's services do among
 * themselves: an SNS subscription enqueues to SQS or invokes Lambda asynchronously, an EventBridge
 * rule's target, an asynchronous invocation's destination or dead-letter queue. The resource is
 * named by its ARN; the service that owns it accepts the message as its own API would (SQS's
 * SendMessage, SNS's Publish, EventBridge's PutEvents, Lambda's `Invoke` with `InvocationType:
 * Event`, whose payload is `body` as JSON). The stack wires one instance over its services
 * (stack.ts); each service only sees this interface.
 */
export interface ServiceTargets {
  /**
   * Delivers `message` to the resource `arn` names. Rejects with an AwsApiError
   * (cloudwatch/aws-json.ts) where the owner refuses it (no such resource, a FIFO queue without a
   * group id, a message too large); the caller decides what its service does with a refusal (SNS
   * and EventBridge count a failed delivery, API Gateway answers the client).
   */
  deliver(arn: string, message: TargetMessage, from: DeliverySource): Promise<void>;
  /** Whether an ARN names a resource some service here runs (a target the stack can reach). */
  has(arn: string): boolean;
}

/** One message, as the receiving service takes it. */
export interface TargetMessage {
  /** the body (SQS's MessageBody, SNS's Message, an event's JSON, Lambda's payload) */
  body: string;
  /** SQS/SNS message attributes */
  attributes?: Record<string, MessageAttribute>;
  /** FIFO: MessageGroupId */
  groupId?: string;
  /** FIFO: MessageDeduplicationId */
  deduplicationId?: string;
  /** SNS Publish's Subject */
  subject?: string;
}

/** A message attribute as SQS and SNS carry it (`DataType` String, Number, Binary, or `String.<custom>`). */
export interface MessageAttribute {
  dataType: string;
  stringValue?: string;
  /** base64 */
  binaryValue?: string;
}

/** Who delivers: the service and the resource, for metrics, IAM (a queue policy's `aws:SourceArn`) and the per-hop view. */
export interface DeliverySource {
  service: 'sns' | 'events' | 'lambda' | 'apigateway' | 'sqs' | 'dynamodb';
  arn: string;
}
