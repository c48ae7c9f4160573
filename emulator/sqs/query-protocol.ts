import { Flattened, type QueryValue } from '../query-api.ts';
import type { ApiInput } from './sqs-api.ts';

/**
 * SQS's Query protocol (botocore before SQS's JSON, API Gateway's AWS integrations): a form's
 * flattened members (`MessageAttribute.1.Name`, `SendMessageBatchRequestEntry.2.MessageBody`,
 * `AttributeName.1`) read into the JSON protocol's shapes, and an answer's shapes written as the
 * XML members SQS answers (flattened lists: repeated `<Message>`, `<Attribute><Name/><Value/>`).
 */

type Tree = { [key: string]: Tree | string };

/** The form's parameters as a tree of their dotted names. */
function treeOf(params: URLSearchParams): Tree {
  const root: Tree = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = node[parts[i]!];
      node = typeof next === 'object' ? next : (node[parts[i]!] = {});
    }
    node[parts[parts.length - 1]!] = value;
  }
  return root;
}

/** `X.1`, `X.2`… in order of their index. */
function listOf(node: Tree | string | undefined): Array<Tree | string> {
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node)
    .filter(([k]) => /^\d+$/.test(k))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, v]) => v);
}

function mapOf(node: Tree | string | undefined, key: string, value: string): Record<string, unknown> | undefined {
  const entries = listOf(node).filter((e): e is Tree => typeof e === 'object' && typeof e[key] === 'string');
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map((e) => [e[key] as string, e[value]]));
}

function attributesOf(node: Tree | string | undefined): Record<string, unknown> | undefined {
  const map = mapOf(node, 'Name', 'Value');
  if (!map) return undefined;
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, typeof v === 'object' ? { ...(v as Tree) } : {}]));
}

function messageInput(t: Tree): ApiInput {
  return {
    ...scalars(t),
    MessageAttributes: attributesOf(t['MessageAttribute']),
    MessageSystemAttributes: attributesOf(t['MessageSystemAttribute']),
  };
}

function scalars(t: Tree): ApiInput {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => typeof v === 'string'));
}

const strings = (node: Tree | string | undefined): string[] | undefined => {
  const l = listOf(node).filter((v): v is string => typeof v === 'string');
  return l.length > 0 ? l : undefined;
};

/** A Query request's parameters as the JSON protocol's input of `action`. */
export function queryInput(action: string, params: URLSearchParams): ApiInput {
  const t = treeOf(params);
  const base = scalars(t);
  switch (action) {
    case 'SendMessage':
      return messageInput(t);
    case 'SendMessageBatch':
      return { ...base, Entries: listOf(t['SendMessageBatchRequestEntry']).map((e) => (typeof e === 'object' ? messageInput(e) : {})) };
    case 'DeleteMessageBatch':
    case 'ChangeMessageVisibilityBatch':
      return { ...base, Entries: listOf(t[`${action}RequestEntry`]).map((e) => (typeof e === 'object' ? scalars(e) : {})) };
    case 'ReceiveMessage':
      return {
        ...base,
        AttributeNames: strings(t['AttributeName']),
        MessageAttributeNames: strings(t['MessageAttributeName']),
        MessageSystemAttributeNames: strings(t['MessageSystemAttributeName']),
      };
    case 'GetQueueAttributes':
      return { ...base, AttributeNames: strings(t['AttributeName']) };
    case 'CreateQueue':
    case 'SetQueueAttributes':
      return { ...base, Attributes: mapOf(t['Attribute'], 'Name', 'Value') };
    default:
      return base;
  }
}

/** An answer (the JSON protocol's shape) as the members of `<{Action}Result>`. */
export function queryOutput(action: string, output: Record<string, unknown>): Record<string, QueryValue> {
  switch (action) {
    case 'ReceiveMessage':
      return { Message: new Flattened(((output['Messages'] as Array<Record<string, unknown>>) ?? []).map(messageXml)) };
    case 'SendMessageBatch':
      return batchXml('SendMessageBatchResultEntry', output);
    case 'DeleteMessageBatch':
    case 'ChangeMessageVisibilityBatch':
      return batchXml(`${action}ResultEntry`, output);
    case 'GetQueueAttributes':
      return { Attribute: nameValues(output['Attributes'] as Record<string, string> | undefined) };
    case 'ListQueues':
      return { QueueUrl: new Flattened((output['QueueUrls'] as string[] | undefined) ?? []), NextToken: output['NextToken'] as string | undefined };
    case 'ListDeadLetterSourceQueues':
      return { QueueUrl: new Flattened((output['queueUrls'] as string[] | undefined) ?? []) };
    default:
      return output as Record<string, QueryValue>;
  }
}

function nameValues(map: Record<string, unknown> | undefined, value: (v: unknown) => QueryValue = (v) => v as QueryValue): Flattened {
  return new Flattened(Object.entries(map ?? {}).map(([Name, v]) => ({ Name, Value: value(v) })));
}

function messageXml(m: Record<string, unknown>): QueryValue {
  return {
    MessageId: m['MessageId'] as string,
    ReceiptHandle: m['ReceiptHandle'] as string,
    MD5OfBody: m['MD5OfBody'] as string,
    Body: m['Body'] as string,
    Attribute: nameValues(m['Attributes'] as Record<string, string> | undefined),
    MD5OfMessageAttributes: m['MD5OfMessageAttributes'] as string | undefined,
    MessageAttribute: nameValues(m['MessageAttributes'] as Record<string, unknown> | undefined, (v) => ({ ...(v as Record<string, string>) })),
  };
}

function batchXml(entryName: string, output: Record<string, unknown>): Record<string, QueryValue> {
  return {
    [entryName]: new Flattened((output['Successful'] as QueryValue[]) ?? []),
    BatchResultErrorEntry: new Flattened((output['Failed'] as QueryValue[]) ?? []),
  };
}
