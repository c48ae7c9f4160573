import type { MessageAttribute } from '../service-targets.ts';
import type { Subscription } from './topics.ts';

/** A message SNS accepted, as its subscriptions receive it. */
export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  /** the Message as published (MessageStructure `json`: the JSON of per-protocol messages) */
  message: string;
  /** MessageStructure `json`: the message per protocol, `default` for the others */
  perProtocol?: Record<string, string>;
  subject?: string;
  attributes: Record<string, MessageAttribute>;
  /** ISO 8601 with milliseconds, as SNS writes it */
  timestamp: string;
  /** FIFO topics */
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
}

/** The message a subscription of `protocol` receives (MessageStructure `json` picks its own). */
export function messageFor(msg: PublishedMessage, protocol: string): string {
  return msg.perProtocol ? (msg.perProtocol[protocol] ?? msg.perProtocol.default ?? '') : msg.message;
}

/** SNS's signing fields: the emulator signs nothing; the fields are there with SNS's shape. */
function signing(region: string, subscriptionArn: string) {
  return {
    SignatureVersion: '1',
    Signature: Buffer.from('local emulator: not signed').toString('base64'),
    cert: `https://sns.${region}.amazonaws.com/SimpleNotificationService-local-emulator.pem`,
    unsubscribe: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
  };
}

/** `{Type, Value}` per attribute, as the SNS envelope and the Lambda event carry them (Binary: base64). */
function envelopeAttributes(attributes: Record<string, MessageAttribute>): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [name, a] of Object.entries(attributes)) out[name] = { Type: a.dataType, Value: a.binaryValue ?? a.stringValue ?? '' };
  return out;
}

/**
 * The event a Lambda subscription's function receives (invoked asynchronously): one record,
 * `EventSource: aws:sns`, `Sns` with SNS's Lambda casing (`SigningCertUrl`, `UnsubscribeUrl`) and
 * `Subject` null when the publish had none.
 */
export function lambdaEvent(msg: PublishedMessage, subscription: Subscription, region: string): unknown {
  const s = signing(region, subscription.arn);
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscription.arn,
        Sns: {
          Type: 'Notification',
          MessageId: msg.messageId,
          TopicArn: msg.topicArn,
          Subject: msg.subject ?? null,
          Message: messageFor(msg, 'lambda'),
          Timestamp: msg.timestamp,
          SignatureVersion: s.SignatureVersion,
          Signature: s.Signature,
          SigningCertUrl: s.cert,
          UnsubscribeUrl: s.unsubscribe,
          MessageAttributes: envelopeAttributes(msg.attributes),
        },
      },
    ],
  };
}

/**
 * The JSON envelope an SQS subscription's queue receives (without RawMessageDelivery): SNS's
 * casing (`SigningCertURL`, `UnsubscribeURL`), `Subject` only when given, `SequenceNumber` on FIFO
 * topics, `MessageAttributes` only when there are some.
 */
export function sqsEnvelope(msg: PublishedMessage, subscription: Subscription, region: string): string {
  const s = signing(region, subscription.arn);
  return JSON.stringify({
    Type: 'Notification',
    MessageId: msg.messageId,
    ...(msg.sequenceNumber !== undefined ? { SequenceNumber: msg.sequenceNumber } : {}),
    TopicArn: msg.topicArn,
    ...(msg.subject !== undefined ? { Subject: msg.subject } : {}),
    Message: messageFor(msg, 'sqs'),
    Timestamp: msg.timestamp,
    SignatureVersion: s.SignatureVersion,
    Signature: s.Signature,
    SigningCertURL: s.cert,
    UnsubscribeURL: s.unsubscribe,
    ...(Object.keys(msg.attributes).length > 0 ? { MessageAttributes: envelopeAttributes(msg.attributes) } : {}),
  });
}
