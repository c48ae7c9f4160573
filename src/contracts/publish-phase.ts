import { z } from 'zod';

/**
 * A publish phase's "what": a broadcast that starts on the server (issue 61). In k6's spirit the
 * phase is an executor (rate and duration, open model: scenario-schema.ts) and `via` the protocol
 * module that says what one publish is: SNS Publish, EventBridge PutEvents, SQS SendMessage,
 * DynamoDB PutItem, Lambda Invoke (InvocationType Event) or an HTTP POST. `payload` is that call's
 * content, written as the user would write it, with `{{probe}}` where the harness puts the probe
 * each recipient's delivery is matched by, and `{{room}}` where a stack that routes by room reads
 * the recipients' room (src/fleet/publish-payload.ts fills both in).
 */
export const PUBLISH_VIAS = ['sns', 'eventbridge', 'sqs', 'dynamodb', 'lambda', 'http'] as const;
export type PublishVia = (typeof PUBLISH_VIAS)[number];

/**
 * A header a publish via http carries (a bearer token for the route's authorizer, a key of the
 * user's own): its value as written, or read before load from an environment variable or a file
 * (relative to the scenario file), `prefix` put before it (`Bearer `). What is read is sent and
 * never printed or written; the scenario keeps where it comes from, not the value.
 */
const HeaderSource = { prefix: z.string().optional() };
export const PublishHeaderValue = z.union(
  [
    z.string().min(1),
    z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be an environment variable's name (letters, digits and _, not a digit first)" }), ...HeaderSource }),
    z.strictObject({ file: z.string().min(1), ...HeaderSource }),
  ],
  { error: 'must be a value, { env: <variable> } or { file: <path> } (either with prefix: "Bearer " if the value needs one)' },
);
export type PublishHeaderValue = z.infer<typeof PublishHeaderValue>;
/** A header's name as HTTP spells one (a token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers a publish sets itself: the request's framing and its content's type. */
export const PUBLISH_OWN_HEADERS = ['host', 'content-length', 'content-type', 'transfer-encoding', 'connection'];

/** Where the probe goes in a payload template. */
export const PROBE_PLACEHOLDER = '{{probe}}';
/**
 * Where the name of the recipients' room goes (recipients `{ room: n }` only): the harness names
 * its rooms per run (src/session/room-names.ts), so a payload cannot spell one.
 */
export const ROOM_PLACEHOLDER = '{{room}}';

/** What a publish's message attributes may be: strings or numbers (SNS and SQS send them typed String or Number). */
const Attributes = z.record(z.string().min(1), z.union([z.string(), z.number()]));
/** A body: text, or JSON written as YAML/JSON (serialized compactly). */
const Body = z.union([z.string().min(1), z.record(z.string(), z.unknown()), z.array(z.unknown())]);
const GroupId = z.string().min(1).max(128);

/** SNS Publish: the message alone, or with a subject, attributes and (FIFO topics) a group. */
const SnsPayload = z.union([
  z.string().min(1),
  z.strictObject({ message: Body, subject: z.string().min(1).max(100).optional(), attributes: Attributes.optional(), groupId: GroupId.optional() }),
]);
/** EventBridge PutEvents: one entry on the bus `to` names. */
const EventBridgePayload = z.strictObject({
  source: z.string().min(1).max(256),
  detailType: z.string().min(1).max(128),
  detail: z.union([z.record(z.string(), z.unknown()), z.string().min(1)]),
});
/** SQS SendMessage: the body alone, or with attributes and (FIFO queues) a group. */
const SqsPayload = z.union([z.string().min(1), z.strictObject({ body: Body, attributes: Attributes.optional(), groupId: GroupId.optional() })]);
/** DynamoDB PutItem: the item as plain JSON (marshalled as the DocumentClient does). */
const DynamoDbPayload = z.record(z.string(), z.unknown());
/** Lambda Invoke: the event, any JSON value. */
const LambdaPayload = z.unknown();
/** HTTP POST: the body (JSON is sent as application/json, text as text/plain). */
const HttpPayload = Body;

export const PUBLISH_PAYLOADS: Record<PublishVia, z.ZodType> = {
  sns: SnsPayload,
  eventbridge: EventBridgePayload,
  sqs: SqsPayload,
  dynamodb: DynamoDbPayload,
  lambda: LambdaPayload,
  http: HttpPayload,
};

/** What each via's payload is, for the one-line complaint about a payload of the wrong shape. */
export const PAYLOAD_SHAPES: Record<PublishVia, string> = {
  sns: 'the message text, or { message, subject?, attributes?, groupId? }',
  eventbridge: '{ source, detailType, detail }',
  sqs: 'the body text, or { body, attributes?, groupId? }',
  dynamodb: 'the item, a JSON object',
  lambda: 'the event, any JSON value',
  http: 'the body, text or JSON',
};

/** The part of each via's payload that reaches the recipients, where the probe must be (undefined: anywhere in it). */
export const PROBE_FIELD: Record<PublishVia, string | undefined> = {
  sns: 'message',
  eventbridge: 'detail',
  sqs: 'body',
  dynamodb: undefined,
  lambda: undefined,
  http: undefined,
};

/** A method that carries a body: what a publish via http sends. */
export type BodyMethod = 'POST' | 'PUT' | 'PATCH';

/**
 * What a `via: http` phase's `to` names: a route of the stack's own HTTP or REST API by its method
 * (one that carries a body) and path (`POST /notify`), an HTTP API route by its logical id
 * (`NotifyRoute`, an AWS::ApiGatewayV2::Route: CloudFormation's logical ids are letters and
 * digits), or a URL of the user's own backend. Undefined: none of them.
 */
export type HttpTarget = { kind: 'route'; method: BodyMethod; path: string } | { kind: 'route-id'; logicalId: string } | { kind: 'url'; url: string };

export function httpTargetOf(to: string): HttpTarget | undefined {
  const m = /^(POST|PUT|PATCH) (\/\S*)$/.exec(to);
  if (m) return { kind: 'route', method: m[1] as BodyMethod, path: m[2]! };
  if (/^[A-Za-z0-9]{1,255}$/.test(to)) return { kind: 'route-id', logicalId: to };
  if (/^https?:\/\/[^\s]+$/.test(to) && URL.canParse(to)) return { kind: 'url', url: to };
  return undefined;
}

/** Who receives every publish: every open client, or the members of one room. */
export type PublishRecipients = 'everyone' | { room: number };

/** How many times `placeholder` (default `{{probe}}`) appears in the strings of a JSON value (keys included). */
export function probePlaces(value: unknown, placeholder = PROBE_PLACEHOLDER): number {
  if (typeof value === 'string') return value.split(placeholder).length - 1;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + probePlaces(v, placeholder), 0);
  if (value && typeof value === 'object') return Object.entries(value).reduce((n, [k, v]) => n + probePlaces(k, placeholder) + probePlaces(v, placeholder), 0);
  return 0;
}

/** Issues of a publish phase's payload against its via and recipients, paths from the phase's `payload`. */
export function payloadIssues(via: PublishVia, payload: unknown, recipients: PublishRecipients = 'everyone'): Array<{ path: PropertyKey[]; message: string }> {
  if (recipients === 'everyone' && probePlaces(payload, ROOM_PLACEHOLDER) > 0) return [{ path: [], message: `carries ${ROOM_PLACEHOLDER}, which names the recipients' room: give recipients: { room: <n> }` }];
  const parsed = PUBLISH_PAYLOADS[via].safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    const message = issue.code === 'unrecognized_keys' ? `unknown key (via ${via}: ${PAYLOAD_SHAPES[via]})` : `via ${via} takes ${PAYLOAD_SHAPES[via]}`;
    return [{ path, message }];
  }
  const field = PROBE_FIELD[via];
  const reaches = field !== undefined && typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[field] : payload;
  const path = field !== undefined && typeof payload === 'object' && payload !== null ? [field] : [];
  const places = probePlaces(reaches);
  if (places === 0) return [{ path, message: `must carry ${PROBE_PLACEHOLDER} where the recipients receive it (the harness finds each delivery by it)` }];
  if (places > 1) return [{ path, message: `must carry ${PROBE_PLACEHOLDER} once` }];
  return [];
}
