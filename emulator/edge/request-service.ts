import type { IncomingHttpHeaders } from 'node:http';

/**
 * Which of the emulator's services a request on the edge is for, told as LocalStack's edge tells
 * it: the SigV4 credential scope the SDK and the CLI sign every call with
 * (`Credential=AKID/20260101/us-east-1/dynamodb/aws4_request`); else the AWS JSON protocols'
 * `X-Amz-Target` prefix; else the Query protocol's `Action`/`Version` (form body or query string:
 * the caller reads a form body first, see needsQueryBody); else the REST path.
 */

export const EDGE_SERVICES = [
  'dynamodb',
  'dynamodb-streams',
  'lambda',
  'cloudwatch',
  'ssm',
  'secretsmanager',
  'cloudformation',
  'apigateway',
  'execute-api',
  'iam',
  'access-analyzer',
  'sqs',
  'sns',
  'events',
  'sts',
] as const;
export type EdgeService = (typeof EDGE_SERVICES)[number];

/** SigV4 signing names → the service that answers them (CloudWatch and its Logs share one endpoint). */
const SIGNING_NAMES: Record<string, EdgeService> = {
  dynamodb: 'dynamodb',
  lambda: 'lambda',
  monitoring: 'cloudwatch',
  logs: 'cloudwatch',
  ssm: 'ssm',
  secretsmanager: 'secretsmanager',
  cloudformation: 'cloudformation',
  apigateway: 'apigateway',
  'execute-api': 'execute-api',
  iam: 'iam',
  sts: 'sts',
  'access-analyzer': 'access-analyzer',
  sqs: 'sqs',
  sns: 'sns',
  events: 'events',
};

const TARGET_PREFIXES: Record<string, EdgeService> = {
  DynamoDB_20120810: 'dynamodb',
  Logs_20140328: 'cloudwatch',
  GraniteServiceVersion20100801: 'cloudwatch',
  AmazonSSM: 'ssm',
  secretsmanager: 'secretsmanager',
  AmazonSQS: 'sqs',
  AWSEvents: 'events',
  DynamoDBStreams_20120810: 'dynamodb-streams',
};

/** Query protocol API versions → service. */
const QUERY_VERSIONS: Record<string, EdgeService> = { '2010-05-15': 'cloudformation', '2010-08-01': 'cloudwatch', '2010-05-08': 'iam', '2011-06-15': 'sts', '2012-11-05': 'sqs', '2010-03-31': 'sns' };
const CLOUDFORMATION_ACTION = /^(Describe|List|Get|Validate)Stack|^DescribeStacks$/;

const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/;

export interface EdgeRequest {
  method: string;
  /** path and query string, as on the request line */
  url: string;
  headers: IncomingHttpHeaders;
  /** a form body, when needsQueryBody said to read it */
  formBody?: string;
}

/** The service by signature, then target, then path: what can be told without reading the body. */
export function serviceOfRequest(r: EdgeRequest): EdgeService | undefined {
  const auth = r.headers.authorization;
  const scope = typeof auth === 'string' ? CREDENTIAL_SCOPE.exec(auth) : null;
  // a presigned URL carries the scope in X-Amz-Credential
  const url = new URL(r.url, 'http://edge.local');
  const presigned = url.searchParams.get('X-Amz-Credential')?.split('/')[3];
  const signed = scope?.[1] ?? presigned;
  const target = r.headers['x-amz-target'];
  // DynamoDB Streams signs as `dynamodb`: its target tells it from DynamoDB
  if (signed === 'dynamodb' && typeof target === 'string' && target.startsWith('DynamoDBStreams_')) return 'dynamodb-streams';
  if (signed !== undefined) return SIGNING_NAMES[signed];
  if (typeof target === 'string') return TARGET_PREFIXES[target.split('.')[0]!];
  const query = r.formBody !== undefined ? new URLSearchParams(r.formBody) : url.searchParams;
  const action = query.get('Action');
  if (action !== null) return QUERY_VERSIONS[query.get('Version') ?? ''] ?? (CLOUDFORMATION_ACTION.test(action) ? 'cloudformation' : undefined);
  return serviceOfPath(url.pathname);
}

/** An unsigned, untargeted form POST: only its body's Action says where it goes. */
export function needsQueryBody(r: EdgeRequest): boolean {
  if (r.headers.authorization !== undefined || r.headers['x-amz-target'] !== undefined) return false;
  return r.method === 'POST' && String(r.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

function serviceOfPath(path: string): EdgeService | undefined {
  if (/^\/20\d\d-\d\d-\d\d\/(functions|account-settings|event-source-mappings|layers|tags)\b/.test(path)) return 'lambda';
  if (path.startsWith('/v2/apis') || path.startsWith('/restapis') || path.startsWith('/apikeys/') || path === '/account' || path === '/account/') return 'apigateway';
  if (/^\/[^/]+\/@connections(\/|$)/.test(path)) return 'execute-api';
  if (path === '/policy/generation' || path.startsWith('/policy/generation/')) return 'access-analyzer';
  return undefined;
}
