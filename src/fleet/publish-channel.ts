import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient, type MessageAttributeValue } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient, type MessageAttributeValue as SqsAttributeValue } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ownSettings, type SdkClientSettings } from '../aws/sdk-settings.ts';
import type { PublishVia } from '../contracts/publish-phase.ts';
import { bodyText } from './publish-payload.ts';

/**
 * One publish, the protocol module's part of a publish phase (publisher.ts is the executor's):
 * the real AWS SDK v3 call for each `via` against the resource the pre-flight resolved, or an
 * HTTP POST. The clients are made once per phase from the target's settings (the emulator's
 * endpoints, or AWS through the user's credential chain, which is never printed) and destroyed
 * with it. A call that fails rejects with a PublishError naming its kind ("publish:<AWS error
 * name>", "publish:http:<status>"): what the run's errors count.
 */
export interface PublishResource {
  via: PublishVia;
  /** what the call names: the topic's ARN, the bus's name, the queue's URL, the table's or function's name, the URL */
  id: string;
  /** FIFO topic or queue: each publish gets a group (the payload's, else one for the run) and a deduplication id (its probe) */
  fifo?: boolean;
  /** http: the request's method (default POST) */
  method?: string;
  /** http: headers the request carries besides its content type (an API key's: never printed) */
  headers?: Record<string, string>;
}

export class PublishError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

export interface PublishChannel {
  /**
   * Sends one publish: `payload` with the probe filled in, `probe` the probe itself. An HTTP
   * publish resolves to API Gateway's request ID where the answer carries one (`apigw-requestid`
   * of an HTTP API, `x-amzn-RequestId` of a REST API): its stage's access-log line names it.
   */
  publish(payload: unknown, probe: string): Promise<string | void>;
  close(): void;
}

/** The group of a FIFO topic's or queue's publishes when the payload names none. */
const DEFAULT_GROUP = 'fanout-bench';

export function openPublishChannel(resource: PublishResource, settings: SdkClientSettings | undefined, o: { timeoutMs: number }): PublishChannel {
  const sdk = () => {
    if (!settings) throw new Error(`publishing via ${resource.via} needs the target's AWS settings`);
    return ownSettings(settings);
  };
  switch (resource.via) {
    case 'sns': {
      const client = new SNSClient(sdk());
      return {
        async publish(payload, probe) {
          const p = typeof payload === 'string' ? { message: payload } : (payload as { message: unknown; subject?: string; attributes?: Record<string, string | number>; groupId?: string });
          await call(() =>
            client.send(
              new PublishCommand({
                TopicArn: resource.id,
                Message: bodyText(p.message),
                ...(p.subject ? { Subject: p.subject } : {}),
                ...(p.attributes ? { MessageAttributes: attributes(p.attributes) as Record<string, MessageAttributeValue> } : {}),
                ...(resource.fifo ? { MessageGroupId: p.groupId ?? DEFAULT_GROUP, MessageDeduplicationId: probe } : {}),
              }),
            ),
          );
        },
        close: () => client.destroy(),
      };
    }
    case 'eventbridge': {
      const client = new EventBridgeClient(sdk());
      return {
        async publish(payload) {
          const p = payload as { source: string; detailType: string; detail: unknown };
          const out = await call(() => client.send(new PutEventsCommand({ Entries: [{ EventBusName: resource.id, Source: p.source, DetailType: p.detailType, Detail: bodyText(p.detail) }] })));
          // PutEvents answers 200 with the entry refused inside it
          const failed = out.Entries?.find((e) => e.ErrorCode);
          if ((out.FailedEntryCount ?? 0) > 0 || failed) throw new PublishError(`publish:${failed?.ErrorCode ?? 'FailedEntry'}`, failed?.ErrorMessage ?? 'PutEvents refused the entry');
        },
        close: () => client.destroy(),
      };
    }
    case 'sqs': {
      const client = new SQSClient(sdk());
      return {
        async publish(payload, probe) {
          const p = typeof payload === 'string' ? { body: payload } : (payload as { body: unknown; attributes?: Record<string, string | number>; groupId?: string });
          await call(() =>
            client.send(
              new SendMessageCommand({
                QueueUrl: resource.id,
                MessageBody: bodyText(p.body),
                ...(p.attributes ? { MessageAttributes: attributes(p.attributes) as Record<string, SqsAttributeValue> } : {}),
                ...(resource.fifo ? { MessageGroupId: p.groupId ?? DEFAULT_GROUP, MessageDeduplicationId: probe } : {}),
              }),
            ),
          );
        },
        close: () => client.destroy(),
      };
    }
    case 'dynamodb': {
      const base = new DynamoDBClient(sdk());
      const client = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
      return {
        async publish(payload) {
          await call(() => client.send(new PutCommand({ TableName: resource.id, Item: payload as Record<string, unknown> })));
        },
        close: () => {
          client.destroy();
          base.destroy();
        },
      };
    }
    case 'lambda': {
      const client = new LambdaClient(sdk());
      return {
        async publish(payload) {
          const out = await call(() => client.send(new InvokeCommand({ FunctionName: resource.id, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload ?? null)) })));
          // an event invoke is queued: 202 Accepted
          if (out.StatusCode !== undefined && out.StatusCode !== 202) throw new PublishError(`publish:lambda:${out.StatusCode}`, `Invoke answered ${out.StatusCode}, not 202 (queued)`);
        },
        close: () => client.destroy(),
      };
    }
    case 'http':
      return {
        async publish(payload) {
          const json = typeof payload !== 'string';
          let res: Response;
          try {
            res = await fetch(resource.id, { method: resource.method ?? 'POST', body: bodyText(payload), headers: { ...resource.headers, 'content-type': json ? 'application/json' : 'text/plain' }, signal: AbortSignal.timeout(o.timeoutMs) });
          } catch (err) {
            const e = err as Error;
            throw new PublishError(e.name === 'TimeoutError' ? 'publish:http:timeout' : 'publish:http:unreachable', e.message);
          }
          // the body is read so the connection is reused
          await res.arrayBuffer().catch(() => undefined);
          if (res.status < 200 || res.status > 299) throw new PublishError(`publish:http:${res.status}`, `${resource.method ?? 'POST'} ${resource.id} answered ${res.status}`);
          return res.headers.get('apigw-requestid') ?? res.headers.get('x-amzn-requestid') ?? undefined;
        },
        close: () => {},
      };
  }
}

/** Message attributes as SNS and SQS take them: numbers typed Number, the rest String. */
function attributes(a: Record<string, string | number>): Record<string, { DataType: string; StringValue: string }> {
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, { DataType: typeof v === 'number' ? 'Number' : 'String', StringValue: String(v) }]));
}

/** An SDK call whose failure becomes a PublishError named by AWS's error name. */
async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof PublishError) throw err;
    const e = err as { name?: string; message?: string };
    throw new PublishError(`publish:${e.name ?? 'Error'}`, (e.message ?? String(err)).split('\n')[0]!);
  }
}
