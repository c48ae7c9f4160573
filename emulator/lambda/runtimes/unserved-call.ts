import type { SeenRequest, UnservedCallSeen, UnservedRequest } from '../../../common/unserved-calls.ts';
import { endpointPrefixOf } from './aws-endpoint-redirect.ts';

/**
 * What a request to an AWS endpoint the emulator does not serve asked for, read from the request
 * as the SDK wrote it (aws-endpoint-redirect.ts reads it before refusing the connection). AWS's
 * protocols say where: JSON 1.0/1.1 name the operation in `X-Amz-Target` (`Kinesis_20131202.PutRecord`)
 * and the resource in the JSON body; the query protocol (SQS's old one, SNS, STS) in the form body's
 * `Action` and its parameters; REST protocols in the method and path (S3's bucket in its virtual
 * host, `bucket.s3.<region>.amazonaws.com`).
 */

/** The request fields that name what a call acts on, in the order they are preferred. */
const RESOURCE_FIELDS = [
  'SecretId', 'StreamName', 'StreamARN', 'DeliveryStreamName', 'QueueUrl', 'TopicArn', 'TableName', 'FunctionName', 'StateMachineArn', 'stateMachineArn',
  'UserPoolId', 'ClientId', 'IdentityPoolId', 'KeyId', 'Bucket', 'LogGroupName', 'logGroupName', 'EventBusName', 'RoleArn', 'Name', 'modelId',
] as const;

/** The call an environment's refused request was (any runtime's: the one reading of it). Never throws: it runs in the gateway's process, on whatever a function sent. */
export function unservedCallOf(u: UnservedRequest): UnservedCallSeen {
  const r: SeenRequest = u.request;
  const host = r.hostname.replace(/\.$/, '').toLowerCase();
  const labels = host.split('.');
  // S3's virtual-hosted style: the first label is the bucket
  const s3Bucket = labels[1] === 's3' || /^s3[.-]/.test(labels.slice(1).join('.')) ? labels[0] : undefined;
  const target = r.headers['x-amz-target'];
  const type = r.headers['content-type'] ?? '';
  // read by hand, not by URL: a function's path may be anything (a lone `%`, `//[`), and no path fails the reading
  const query = r.path.indexOf('?');
  const pathname = query < 0 ? r.path : r.path.slice(0, query);
  const params = new URLSearchParams(query < 0 ? '' : r.path.slice(query + 1));
  let operation: string | undefined;
  let resource: string | undefined;
  if (target) {
    operation = target.slice(target.lastIndexOf('.') + 1);
    resource = named(parsedJson(r.body));
  } else if (/x-www-form-urlencoded/i.test(type)) {
    const form = Object.fromEntries(new URLSearchParams(r.body));
    operation = form.Action;
    resource = named(form);
  } else if (params.get('Action')) {
    operation = params.get('Action')!;
    resource = named(Object.fromEntries(params));
  }
  if (!operation) {
    operation = `${r.method.toUpperCase()} ${decoded(pathname || '/')}`;
    resource = s3Bucket ? `Bucket=${s3Bucket}` : named(parsedJson(r.body));
  }
  return { function: u.function, service: s3Bucket ? 's3' : (endpointPrefixOf(host) ?? host), host, operation, ...(resource ? { resource } : {}), at: u.at };
}

/** A path with its `%XX` decoded; as sent where that is not valid percent-encoding. */
function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function parsedJson(body: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(body);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** `Field=value` of the first resource field the request names. */
function named(fields: Record<string, unknown>): string | undefined {
  for (const f of RESOURCE_FIELDS) {
    const v = fields[f];
    if (typeof v === 'string' && v !== '') return `${f}=${v.length > 200 ? `${v.slice(0, 199)}…` : v}`;
  }
  return undefined;
}
