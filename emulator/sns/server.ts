import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsApiError } from '../cloudwatch/aws-json.ts';
import type { DeliveringService, DeliveringServiceOptions } from '../delivering-service.ts';
import { serveLocal } from '../local-listener.ts';
import { QueryApiError, queryError, queryResult, readQueryBody, sendXml, type QueryValue } from '../query-api.ts';
import type { TargetMessage } from '../service-targets.ts';
import type { TopicDescription } from '../stack-model/stack-description.ts';
import { NotificationDelivery, type DeliveryCounts } from './notification-delivery.ts';
import { MAX_MESSAGE_BYTES, Publisher, type PublishInput } from './publisher.ts';
import { queryList, queryMap, queryMessageAttributes } from './query-params.ts';
import { SnsTopics, DELIVERED_PROTOCOLS, topicArnOf, type Subscription, type Topic } from './topics.ts';
import { filterPolicyProblem, type FilterScope } from './filter-policy.ts';

export interface SnsServerOptions extends DeliveringServiceOptions {
  /** the stack's topics with their subscriptions */
  topics: readonly TopicDescription[];
}

/** What SNS bills and did: publishes (each 64 KB chunk one), deliveries by protocol. */
export interface SnsBilling extends DeliveryCounts {
  /** billed publish requests: 64 KB chunks of each Publish, of each PublishBatch's payload */
  publishes: number;
  publishCalls: number;
}

export interface SnsServer extends DeliveringService<SnsBilling> {
  /**
   * ServiceTargets' side of a topic (an EventBridge rule's target, a destination, an API route):
   * publishes `message` (body = Message, attributes, subject, FIFO ids) as Publish would. Rejects
   * with an AwsApiError in SNS's codes (NotFound, InvalidParameter …).
   */
  publish(topicArn: string, message: TargetMessage): Promise<void>;
  topics: SnsTopics;
}

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
/** a PublishBatch of 256 KB, form-encoded (which can triple it) */
const MAX_BODY_BYTES = 1024 * 1024;
const PAGE = 100;
const PROTOCOLS = new Set(['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose']);

/**
 * The emulator's SNS endpoint: the AWS Query protocol (a form POST with `Action`, an XML answer)
 * that @aws-sdk/client-sns and boto3 speak. Topics (standard and FIFO) from the stack and
 * CreateTopic; Subscribe/Unsubscribe, the List and attribute APIs; Publish and PublishBatch, whose
 * deliveries (notification-delivery.ts) follow the answer. With an IAM gate a function's call is
 * asked of its role (`sns:<Action>` on the topic ARN); a denial is SNS's AuthorizationError (403).
 */
export async function startSnsServer(options: SnsServerOptions): Promise<SnsServer> {
  const { region, accountId, metrics } = options;
  const now = options.now ?? Date.now;
  const topics = new SnsTopics(region, accountId, options.topics);
  const delivery = new NotificationDelivery(options.targets, metrics, region, now);
  const publisher = new Publisher(topics, delivery, metrics, now);
  const billed = { publishes: 0, publishCalls: 0 };
  const chunks = (bytes: number) => Math.max(1, Math.ceil(bytes / 65_536));

  const topicOf = (p: URLSearchParams, key = 'TopicArn'): Topic => publisher.topicOrThrow(p.get(key) ?? '');
  const subscriptionOf = (p: URLSearchParams): Subscription => {
    const sub = topics.subscription(p.get('SubscriptionArn') ?? '');
    if (!sub) throw new QueryApiError('NotFound', 'Subscription does not exist', 404);
    return sub;
  };
  const publishInput = (p: URLSearchParams, topicArn: string): PublishInput => ({
    topicArn,
    message: p.get('Message') ?? undefined,
    subject: p.get('Subject') ?? undefined,
    attributes: queryMessageAttributes(p, 'MessageAttributes'),
    structure: p.get('MessageStructure') ?? undefined,
    groupId: p.get('MessageGroupId') ?? undefined,
    deduplicationId: p.get('MessageDeduplicationId') ?? undefined,
  });

  const actions: Record<string, (p: URLSearchParams) => Record<string, QueryValue>> = {
    CreateTopic(p) {
      const name = p.get('Name') ?? '';
      const attributes = queryMap(p, 'Attributes');
      const fifo = attributes.get('FifoTopic') === 'true';
      if (fifo ? !/^[A-Za-z0-9_-]{1,251}\.fifo$/.test(name) : !/^[A-Za-z0-9_-]{1,256}$/.test(name)) {
        throw invalid(fifo ? 'Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.' : 'Topic Name');
      }
      const cbd = attributes.get('ContentBasedDeduplication') === 'true';
      attributes.delete('FifoTopic');
      attributes.delete('ContentBasedDeduplication');
      return { TopicArn: topics.create(name, fifo, cbd, attributes).arn };
    },
    DeleteTopic(p) {
      topics.delete(topicOf(p).arn);
      return {};
    },
    ListTopics(p) {
      return page(topics.all().map((t) => ({ TopicArn: t.arn })), 'Topics', p.get('NextToken'));
    },
    GetTopicAttributes(p) {
      const t = topicOf(p);
      const attrs = new Map<string, QueryValue>([
        ['TopicArn', t.arn],
        ['Owner', accountId],
        ['DisplayName', ''],
        ['SubscriptionsConfirmed', String(t.subscriptions.length)],
        ['SubscriptionsPending', '0'],
        ['SubscriptionsDeleted', '0'],
        ['Policy', JSON.stringify(defaultPolicy(t.arn, accountId))],
        ['EffectiveDeliveryPolicy', JSON.stringify({ http: { defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear' }, disableSubscriptionOverrides: false } })],
      ]);
      for (const [k, v] of t.attributes) attrs.set(k, v);
      if (t.fifo) {
        attrs.set('FifoTopic', 'true');
        attrs.set('ContentBasedDeduplication', String(t.contentBasedDeduplication));
      }
      return { Attributes: attrs };
    },
    SetTopicAttributes(p) {
      const t = topicOf(p);
      const name = p.get('AttributeName') ?? '';
      const value = p.get('AttributeValue') ?? '';
      if (name === 'ContentBasedDeduplication') {
        if (!t.fifo) throw invalid('ContentBasedDeduplication: only FIFO topics take it');
        t.contentBasedDeduplication = value === 'true';
      } else if (name === 'FifoTopic') {
        throw invalid('AttributeName: FifoTopic cannot be changed');
      } else {
        t.attributes.set(name, value);
      }
      return {};
    },
    Subscribe(p) {
      const t = topicOf(p);
      const protocol = p.get('Protocol') ?? '';
      const endpoint = p.get('Endpoint') ?? '';
      if (!PROTOCOLS.has(protocol)) throw invalid(`Invalid protocol type: ${protocol}`);
      if (protocol === 'lambda' && !endpoint.startsWith('arn:aws:lambda:')) throw invalid('Lambda endpoint ARN');
      if (protocol === 'sqs' && !endpoint.startsWith('arn:aws:sqs:')) throw invalid('SQS endpoint ARN');
      if (t.fifo && protocol !== 'sqs') throw invalid(`Invalid protocol type: ${protocol}`);
      const settings = { filterPolicyScope: 'MessageAttributes' as FilterScope, rawMessageDelivery: false } as Omit<Subscription, 'arn' | 'topicArn' | 'protocol' | 'endpoint'>;
      const attributes = queryMap(p, 'Attributes');
      // the scope first: the policy is checked against it
      const ordered = [...attributes].sort(([a], [b]) => (a === 'FilterPolicyScope' ? -1 : b === 'FilterPolicyScope' ? 1 : 0));
      for (const [name, value] of ordered) setSubscriptionAttribute(settings, name, value);
      const sub = topics.subscribe(t, protocol, endpoint, settings);
      const confirmed = DELIVERED_PROTOCOLS.has(protocol) || p.get('ReturnSubscriptionArn') === 'true';
      return { SubscriptionArn: confirmed ? sub.arn : 'pending confirmation' };
    },
    Unsubscribe(p) {
      if (!topics.unsubscribe(p.get('SubscriptionArn') ?? '')) throw new QueryApiError('NotFound', 'Subscription does not exist', 404);
      return {};
    },
    ListSubscriptions(p) {
      return page(topics.all().flatMap((t) => t.subscriptions.map(listed)), 'Subscriptions', p.get('NextToken'));
    },
    ListSubscriptionsByTopic(p) {
      return page(topicOf(p).subscriptions.map(listed), 'Subscriptions', p.get('NextToken'));
    },
    GetSubscriptionAttributes(p) {
      const s = subscriptionOf(p);
      const attrs = new Map<string, QueryValue>([
        ['SubscriptionArn', s.arn],
        ['TopicArn', s.topicArn],
        ['Owner', accountId],
        ['Protocol', s.protocol],
        ['Endpoint', s.endpoint],
        ['ConfirmationWasAuthenticated', 'true'],
        ['PendingConfirmation', 'false'],
        ['RawMessageDelivery', String(s.rawMessageDelivery)],
      ]);
      if (s.filterPolicy) {
        attrs.set('FilterPolicy', JSON.stringify(s.filterPolicy));
        attrs.set('FilterPolicyScope', s.filterPolicyScope);
      }
      if (s.deadLetterArn) attrs.set('RedrivePolicy', JSON.stringify({ deadLetterTargetArn: s.deadLetterArn }));
      return { Attributes: attrs };
    },
    SetSubscriptionAttributes(p) {
      setSubscriptionAttribute(subscriptionOf(p), p.get('AttributeName') ?? '', p.get('AttributeValue') ?? '');
      return {};
    },
    Publish(p) {
      if (p.get('PhoneNumber')) throw invalid('PhoneNumber: the local emulator sends no SMS; publish to a topic');
      const arn = p.get('TopicArn') ?? p.get('TargetArn');
      if (!arn) throw invalid('TopicArn or TargetArn Reason: no value for required parameter');
      const input = publishInput(p, arn);
      const checked = publisher.check(input);
      const answer = publisher.accept(input, checked);
      billed.publishCalls++;
      billed.publishes += chunks(checked.size);
      return { MessageId: answer.messageId, SequenceNumber: answer.sequenceNumber };
    },
    PublishBatch(p) {
      const topic = topicOf(p);
      const entries = queryList(p, 'PublishBatchRequestEntries');
      if (entries.length === 0) throw new QueryApiError('EmptyBatchRequest', "The batch request doesn't contain any entries.");
      if (entries.length > 10) throw new QueryApiError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.');
      const ids = entries.map((e) => e.get('Id') ?? '');
      if (ids.some((id) => !/^[A-Za-z0-9_-]{1,80}$/.test(id))) throw new QueryApiError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
      if (new Set(ids).size !== ids.length) throw new QueryApiError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
      const total = entries.reduce((sum, e) => sum + Buffer.byteLength(e.get('Message') ?? ''), 0);
      if (total > MAX_MESSAGE_BYTES) throw new QueryApiError('BatchRequestTooLong', 'The length of all the messages put together is more than the limit.');
      const successful: QueryValue[] = [];
      const failed: QueryValue[] = [];
      let size = 0;
      for (const [i, entry] of entries.entries()) {
        try {
          const input = publishInput(entry, topic.arn);
          const checked = publisher.check(input);
          const answer = publisher.accept(input, checked);
          size += checked.size;
          successful.push({ Id: ids[i]!, MessageId: answer.messageId, SequenceNumber: answer.sequenceNumber });
        } catch (err) {
          if (!(err instanceof QueryApiError)) throw err;
          failed.push({ Id: ids[i]!, Code: err.code, Message: err.message, SenderFault: err.type === 'Sender' });
        }
      }
      billed.publishCalls++;
      if (successful.length > 0) billed.publishes += chunks(size);
      return { Successful: successful, Failed: failed };
    },
  };

  /** What IAM is asked of a function's call: `sns:<Action>` on the topic it concerns. */
  const resourceOf = (action: string, p: URLSearchParams): string => {
    switch (action) {
      case 'CreateTopic':
        return topics.arnFor(p.get('Name') ?? '');
      case 'ListTopics':
      case 'ListSubscriptions':
        return `arn:aws:sns:${region}:${accountId}:*`;
      case 'Unsubscribe':
      case 'GetSubscriptionAttributes':
      case 'SetSubscriptionAttributes':
        return topicArnOf(p.get('SubscriptionArn') ?? '');
      case 'Publish':
        return p.get('TopicArn') ?? p.get('TargetArn') ?? '';
      default:
        return p.get('TopicArn') ?? '';
    }
  };

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    handle(req, res, requestId).catch((err: unknown) => {
      const error = err instanceof QueryApiError ? err : new QueryApiError('InternalError', String(err), 500, 'Receiver');
      sendXml(res, error.status, queryError(XMLNS, error, requestId), requestId);
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const body = await readQueryBody(req, MAX_BODY_BYTES);
    const p = req.method === 'POST' ? new URLSearchParams(body) : new URL(req.url ?? '/', 'http://sns.local').searchParams;
    const action = p.get('Action') ?? '';
    const run = actions[action];
    if (!run) throw new QueryApiError('InvalidAction', `The action ${action || '(none)'} is not valid for this web service (the local emulator serves SNS's ${Object.keys(actions).join(', ')})`);
    const principal = options.iam?.principalOf(req.headers);
    if (principal) {
      const resource = resourceOf(action, p);
      const act = `SNS:${action === 'PublishBatch' ? 'Publish' : action}`;
      const refusal = options.iam!.refuses(principal, `sns:${action === 'PublishBatch' ? 'Publish' : action}`, resource, {
        words: (user, reason) =>
          `User: ${user} is not authorized to perform: ${act} on resource: ${resource} ${reason === 'explicit-deny' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${act} action`}`,
      });
      if (refusal !== undefined) throw new QueryApiError('AuthorizationError', refusal, 403);
    }
    sendXml(res, 200, queryResult(action, XMLNS, run(p), requestId), requestId);
  }

  const endpoint = await serveLocal(serve, options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    ...endpoint,
    topics,
    has: (arn) => topics.get(arn) !== undefined,
    idle: () => delivery.idle(),
    billing: () => ({ ...billed, ...structuredClone(delivery.counts) }),
    async publish(topicArn, message) {
      try {
        const input: PublishInput = {
          topicArn,
          message: message.body,
          subject: message.subject,
          attributes: message.attributes ?? {},
          groupId: message.groupId,
          deduplicationId: message.deduplicationId,
        };
        const checked = publisher.check(input);
        publisher.accept(input, checked);
        billed.publishCalls++;
        billed.publishes += chunks(checked.size);
      } catch (err) {
        if (err instanceof QueryApiError) throw new AwsApiError(err.code, err.message, err.status);
        throw err;
      }
    },
  };
}

const invalid = (what: string) => new QueryApiError('InvalidParameter', `Invalid parameter: ${what}`);

const listed = (s: Subscription) => ({ SubscriptionArn: s.arn, Owner: s.topicArn.split(':')[4], Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: s.topicArn });

/** The subscription attributes SNS lets Subscribe and SetSubscriptionAttributes set, each checked as SNS checks it. */
function setSubscriptionAttribute(s: Omit<Subscription, 'arn' | 'topicArn' | 'protocol' | 'endpoint'>, name: string, value: string): void {
  switch (name) {
    case 'FilterPolicy': {
      if (value === '' || value === '{}') {
        delete s.filterPolicy;
        return;
      }
      let policy: unknown;
      try {
        policy = JSON.parse(value);
      } catch {
        throw invalid('FilterPolicy: failed to parse JSON.');
      }
      const problem = filterPolicyProblem(policy, s.filterPolicyScope);
      if (problem) throw invalid(`FilterPolicy: ${problem}`);
      s.filterPolicy = policy as Record<string, unknown>;
      return;
    }
    case 'FilterPolicyScope': {
      if (value !== 'MessageAttributes' && value !== 'MessageBody') throw invalid(`FilterPolicyScope: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`);
      if (s.filterPolicy) {
        const problem = filterPolicyProblem(s.filterPolicy, value);
        if (problem) throw invalid(`FilterPolicy: ${problem}`);
      }
      s.filterPolicyScope = value;
      return;
    }
    case 'RawMessageDelivery':
      if (value !== 'true' && value !== 'false') throw invalid('RawMessageDelivery: Invalid value');
      s.rawMessageDelivery = value === 'true';
      return;
    case 'RedrivePolicy': {
      if (value === '') {
        delete s.deadLetterArn;
        return;
      }
      let arn: unknown;
      try {
        arn = (JSON.parse(value) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
      } catch {
        arn = undefined;
      }
      if (typeof arn !== 'string' || !arn.startsWith('arn:aws:sqs:')) throw invalid('RedrivePolicy: deadLetterTargetArn must be an SQS queue ARN');
      s.deadLetterArn = arn;
      return;
    }
    case 'DeliveryPolicy':
    case 'SubscriptionRoleArn':
    case 'ReplayPolicy':
      return; // accepted; they shape http/firehose delivery and replay, which the emulator does not run
    default:
      throw invalid(`AttributeName: ${name}`);
  }
}

function page(items: QueryValue[], key: string, token: string | null): Record<string, QueryValue> {
  const start = token ? Number(token) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalid('NextToken');
  return { [key]: items.slice(start, start + PAGE), NextToken: start + PAGE < items.length ? String(start + PAGE) : undefined };
}

function defaultPolicy(topicArn: string, accountId: string) {
  return {
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
        Resource: topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': accountId } },
      },
    ],
  };
}
