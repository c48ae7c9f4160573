import { startMessaging } from '../messaging.ts';
import type { Provider } from './provider.ts';

/** SQS, SNS, EventBridge and DynamoDB Streams; their side of Lambda is attached when the runtime starts (lambda.ts). */
export const messagingProvider: Provider<'messaging'> = {
  name: 'messaging',
  what: 'sqs, sns, eventbridge and dynamodb streams',
  after: ['dynamodb'],
  start: ({ config, stack, metrics, logs, gate, log }, running) =>
    startMessaging({
      stack,
      region: config.region,
      accountId: config.accountId,
      metrics,
      logs,
      dynamodb: running.dynamodb!,
      ...(gate ? { iam: gate } : {}),
      iamMode: config.iam,
      log,
      asyncRetryDelaysMs: config.lambda.asyncRetryDelaysSeconds.map((s) => s * 1000),
    }),
  edge: (messaging) => ({
    sqs: messaging.handlers.sqs,
    sns: messaging.handlers.sns,
    events: messaging.handlers.eventbridge,
    'dynamodb-streams': messaging.handlers.dynamodbStreams,
  }),
  endpoints: (messaging) => ({ ...messaging.endpoints }),
};
