import { z } from 'zod';
import { parsePolicyDocument } from '../../common/iam/policy-document.ts';
import { cfnBoolean, cfnJsonObject, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { SubscriptionDescription, TopicDescription } from './stack-description.ts';
import { templateError } from './template-errors.ts';

/**
 * AWS::SNS::Topic (TopicName or the generated name, `.fifo` on a FIFO topic; its inline
 * Subscription list), AWS::SNS::Subscription (Protocol, Endpoint, FilterPolicy as an object or a
 * JSON string, FilterPolicyScope, RawMessageDelivery, RedrivePolicy) and AWS::SNS::TopicPolicy
 * (its document a resource-based policy, given to the topics its `Topics` names: whether
 * EventBridge may publish is decided in emulator/iam/delivery-permission.ts). Each subscription joins the topic its TopicArn names.
 * A subscription to a topic of this account and region that the template does not make (its ARN
 * written out or given as a parameter: a topic the account already has, which the deploy
 * assumes) makes that topic here, marked outside the stack: on AWS it exists before the deploy, and
 * whoever publishes to it (the user's backend, a publish phase) reaches the subscribers. One of
 * another account or region is left unread (listed as not emulated). `lambda` and `sqs` are
 * delivered; other protocols are kept with their protocol and named not emulated
 * (not-emulated-paths.ts).
 */
const TOPIC_TYPE = 'AWS::SNS::Topic';
const SUBSCRIPTION_TYPE = 'AWS::SNS::Subscription';
const TOPIC_POLICY_TYPE = 'AWS::SNS::TopicPolicy';

const PROTOCOLS = ['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose'] as const;
/** Raw message delivery: SNS accepts it for these only (a Lambda subscription always gets the envelope). */
const RAW_PROTOCOLS = new Set(['sqs', 'http', 'https', 'firehose']);

/** A topic's name as SNS takes it (a FIFO topic's ends in .fifo). */
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

const topicSchema = z
  .object({
    TopicName: z.string().regex(TOPIC_NAME, 'must be 1-256 letters, digits, - or _ (and .fifo for a FIFO topic)').optional(),
    FifoTopic: cfnBoolean.optional(),
    ContentBasedDeduplication: cfnBoolean.optional(),
    Subscription: z.array(z.object({ Protocol: z.string(), Endpoint: z.string() }).loose()).optional(),
  })
  .loose();

const subscriptionSchema = z
  .object({
    TopicArn: z.string(),
    Protocol: z.string(),
    Endpoint: z.string().optional(),
    FilterPolicy: cfnJsonObject.optional(),
    FilterPolicyScope: z.enum(['MessageAttributes', 'MessageBody']).optional(),
    RawMessageDelivery: cfnBoolean.optional(),
    RedrivePolicy: cfnJsonObject.pipe(z.object({ deadLetterTargetArn: z.string().regex(/^arn:[^:]+:sqs:/, 'must be an SQS queue ARN') }).loose()).optional(),
  })
  .loose();

export interface SnsRead {
  topics: TopicDescription[];
  /** logical ids read: topics, the subscriptions on them, topic policies */
  read: string[];
}

export function readSnsTopics(t: StackTemplate): SnsRead {
  const read: string[] = [];
  const topics = t.ofType(TOPIC_TYPE).map((id): TopicDescription => {
    const p = parseProperties(t.file, id, topicSchema, t.properties(id));
    const fifo = p.FifoTopic ?? false;
    const name = t.name(id);
    if (fifo !== name.endsWith('.fifo')) {
      throw templateError(t.file, ['Resources', id, 'Properties', 'TopicName'], fifo ? `${name}: a FIFO topic's name ends in .fifo` : `${name}: a name ending in .fifo needs FifoTopic: true`);
    }
    if (!fifo && p.ContentBasedDeduplication) throw templateError(t.file, ['Resources', id, 'Properties', 'ContentBasedDeduplication'], 'applies to a FIFO topic only (FifoTopic: true)');
    read.push(id);
    const subscriptions = (p.Subscription ?? []).map((s, i) =>
      subscriptionOf(t, id, ['Subscription', i], { Protocol: s.Protocol, Endpoint: s.Endpoint }, `${id}Subscription${i}`),
    );
    return { logicalId: id, name, arn: t.ref(id), fifo, contentBasedDeduplication: p.ContentBasedDeduplication ?? false, subscriptions };
  });
  for (const id of t.ofType(SUBSCRIPTION_TYPE)) {
    const topicArn = t.property(id, 'TopicArn');
    const topic = topics.find((tp) => tp.arn === topicArn) ?? outsideTopic(t, topics, topicArn);
    // a topic of another account or region: nothing the run reaches publishes to it
    if (!topic) continue;
    const p = parseProperties(t.file, id, subscriptionSchema, t.properties(id));
    topic.subscriptions.push(subscriptionOf(t, id, [], p, id));
    read.push(id);
  }
  const policySchema = z.object({ Topics: z.array(z.string()).min(1), PolicyDocument: z.record(z.string(), z.unknown()) }).loose();
  for (const id of t.ofType(TOPIC_POLICY_TYPE)) {
    const p = parseProperties(t.file, id, policySchema, t.properties(id));
    const statements = parsePolicyDocument(p.PolicyDocument, `topic policy ${id}`, (path, message) => {
      throw templateError(t.file, ['Resources', id, 'Properties', 'PolicyDocument', ...path], message);
    }, 'resource');
    // joined where two name one topic, as queue policies are (sqs-queue-reader.ts)
    for (const topic of topics.filter((tp) => p.Topics.includes(tp.arn))) topic.policy = [...(topic.policy ?? []), ...statements];
    read.push(id);
  }
  return { topics, read };
}

/** The account's own topic the template subscribes to but does not make, added to `topics` once; undefined for any other ARN. */
function outsideTopic(t: StackTemplate, topics: TopicDescription[], arn: unknown): TopicDescription | undefined {
  if (typeof arn !== 'string') return undefined;
  const [scheme, partition, service, region, account, name, ...rest] = arn.split(':');
  if (scheme !== 'arn' || partition !== t.partition || service !== 'sns' || region !== t.region || account !== t.accountId || rest.length > 0) return undefined;
  if (name === undefined || !TOPIC_NAME.test(name)) return undefined;
  const topic: TopicDescription = { logicalId: name, name, arn, fifo: name.endsWith('.fifo'), contentBasedDeduplication: false, subscriptions: [], outsideStack: true };
  topics.push(topic);
  return topic;
}

function subscriptionOf(t: StackTemplate, resource: string, base: (string | number)[], p: z.infer<typeof subscriptionSchema> | { Protocol: string; Endpoint: string }, logicalId: string): SubscriptionDescription {
  const at = (key: string) => ['Resources', resource, 'Properties', ...base, key];
  const protocol = p.Protocol.toLowerCase();
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw templateError(t.file, at('Protocol'), `${p.Protocol}: not an SNS protocol (${PROTOCOLS.join(', ')})`);
  if (p.Endpoint === undefined) throw templateError(t.file, at('Endpoint'), `missing: a ${protocol} subscription needs its endpoint`);
  if (protocol === 'lambda' && !/^arn:[^:]+:lambda:/.test(p.Endpoint)) throw templateError(t.file, at('Endpoint'), `${p.Endpoint} is not a Lambda function's ARN`);
  if (protocol === 'sqs' && !/^arn:[^:]+:sqs:/.test(p.Endpoint)) throw templateError(t.file, at('Endpoint'), `${p.Endpoint} is not an SQS queue's ARN`);
  const full = 'TopicArn' in p ? p : undefined;
  if (full?.RawMessageDelivery && !RAW_PROTOCOLS.has(protocol)) throw templateError(t.file, at('RawMessageDelivery'), `not for a ${protocol} subscription (SQS, HTTP/S and Firehose only)`);
  return {
    logicalId,
    protocol,
    endpoint: p.Endpoint,
    ...(full?.FilterPolicy ? { filterPolicy: full.FilterPolicy } : {}),
    filterPolicyScope: full?.FilterPolicyScope ?? 'MessageAttributes',
    rawMessageDelivery: full?.RawMessageDelivery ?? false,
    ...(full?.RedrivePolicy ? { deadLetterArn: full.RedrivePolicy.deadLetterTargetArn } : {}),
  };
}
