import { z } from 'zod';

/**
 * The emulator's own record of the calls a function made to an AWS endpoint the emulator does not
 * serve (Kinesis, Cognito, S3 …): each one is refused as a connection to that host would be
 * (ECONNREFUSED), and read first, so the record says what was asked: the service (the host's
 * endpoint prefix), the operation (`X-Amz-Target`, a query protocol's `Action`, else the REST
 * method and path), the resource it named (SecretId, StreamName, QueueUrl, TableName …), the
 * function that called and how many times. The function's execution environment posts each
 * request as it read it (UnservedRequest: a Node worker's, a Python bootstrap's) to
 * `POST /@emulator/unserved-calls` on the gateway's listener, which reads what it asked
 * (emulator/lambda/runtimes/unserved-call.ts, one reading for every runtime); the harness reads the
 * record with `GET` (src/targets/emulator-unserved-calls.ts). No AWS API says this. One schema, so
 * they cannot drift.
 */

/** The path on the gateway's HTTP listener (`@` is no stage name's). */
export const UNSERVED_CALLS_PATH = '/@emulator/unserved-calls';

/** A request as the function's runtime wrote it, read before it was refused (header names lower-case). */
export const SeenRequest = z.object({
  hostname: z.string(),
  method: z.string(),
  /** path and query as sent */
  path: z.string(),
  headers: z.record(z.string(), z.string()),
  /** the body as text, cut where the environment cut it (emulator/lambda/runtimes/aws-endpoint-redirect.ts MAX_SEEN_BODY) */
  body: z.string(),
});
export type SeenRequest = z.infer<typeof SeenRequest>;

/** What an environment posts: which function made the request, when (epoch ms), and the request. */
export const UnservedRequest = z.object({ function: z.string(), at: z.number(), request: SeenRequest });
export type UnservedRequest = z.infer<typeof UnservedRequest>;

/** One call as the emulator read it. */
export const UnservedCallSeen = z.object({
  function: z.string(),
  /** the endpoint prefix of the host it called: `kinesis`, `cognito-idp`, `s3` */
  service: z.string(),
  host: z.string(),
  /** `PutRecord`; a REST API's method and path (`GET /bucket/key`) */
  operation: z.string(),
  /** what the request named (`StreamName=orders`, `SecretId=prod/jwt`); absent where nothing was named */
  resource: z.string().optional(),
  /** epoch ms */
  at: z.number(),
});
export type UnservedCallSeen = z.infer<typeof UnservedCallSeen>;

/** The calls of one function to one operation on one resource, counted. */
export const UnservedCall = UnservedCallSeen.omit({ at: true }).extend({
  count: z.number().int().positive(),
  firstAt: z.number(),
  lastAt: z.number(),
  /** the function's calls to the service of kinds first made once the record held its most kinds, counted together (operation and resource are the first such call's) */
  otherKinds: z.literal(true).optional(),
});
export type UnservedCall = z.infer<typeof UnservedCall>;

export const UnservedCalls = z.object({ calls: z.array(UnservedCall) });
export type UnservedCalls = z.infer<typeof UnservedCalls>;

/** What a service's endpoint prefix is called in a sentence ("… called Kinesis Data Streams, which this emulator does not run"). */
const SERVICE_NAMES: Readonly<Record<string, string>> = {
  kinesis: 'Kinesis Data Streams',
  firehose: 'Kinesis Data Firehose',
  s3: 'S3',
  'cognito-idp': 'Cognito user pools',
  'cognito-identity': 'Cognito identity pools',
  secretsmanager: 'Secrets Manager',
  kms: 'KMS',
  states: 'Step Functions',
  sts: 'STS',
  ses: 'SES',
  email: 'SES',
  'bedrock-runtime': 'Bedrock',
  appsync: 'AppSync',
  iot: 'IoT Core',
  elasticache: 'ElastiCache',
  rds: 'RDS',
  'rds-data': 'the RDS Data API',
  xray: 'X-Ray',
};

export function serviceName(prefix: string): string {
  return SERVICE_NAMES[prefix] ?? `the AWS service "${prefix}"`;
}

/** "<fn> called Kinesis Data Streams (PutRecord, StreamName=orders) ×3" */
export function unservedCallText(c: UnservedCall): string {
  const what = c.otherKinds ? `calls of further kinds, the first ${c.operation}${c.resource ? ` on ${c.resource}` : ''}` : `${c.operation}${c.resource ? ` on ${c.resource}` : ''}`;
  return `${c.function} called ${serviceName(c.service)} (${what}), which this emulator does not run: ${c.count} call${c.count === 1 ? '' : 's'} refused (ECONNREFUSED ${c.host})`;
}
