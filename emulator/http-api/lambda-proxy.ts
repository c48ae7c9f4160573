import { createHash } from 'node:crypto';
import { requestTime } from '../gateway/events.ts';
import type { IamCaller } from '../gateway/execute-api-iam.ts';

/**
 * API Gateway's Lambda proxy integration, both ways: the event a request becomes and the HTTP
 * answer a function's result becomes. HTTP APIs (v2, ProtocolType HTTP) send payload format 2.0
 * or 1.0 ("Create AWS Lambda proxy integrations for HTTP APIs in API Gateway"); REST APIs send the
 * proxy event of "Lambda proxy integrations in API Gateway" (the 1.0 shape without `version`).
 * Fields, their order and their absence or null follow AWS's documented events; where AWS's
 * pages leave a rule open, the comment by it says what was chosen and on what evidence.
 */

/**
 * The request as the API received it. `path` is the path after the stage prefix is removed
 * (always starts with '/'); `rawPath` is what the client sent (with the stage prefix, if any).
 * `rawHeaders` are the client's own: the headers the gateway sets itself (Host, X-Amzn-Trace-Id,
 * X-Forwarded-For/-Port/-Proto; Content-Length on HTTP APIs) are added here.
 */
export interface ProxyRequest {
  method: string;
  rawPath: string;
  path: string;
  /** without '?', '' if none */
  rawQueryString: string;
  /** node's IncomingMessage.rawHeaders (name, value, name, value ...) */
  rawHeaders: string[];
  /** possibly empty */
  body: Buffer;
  sourceIp: string;
  /** 'HTTP/1.1' */
  protocol: string;
}

/** What routing decided and the API's context. */
export interface ProxyContext {
  /** 'POST /notify', 'ANY /{proxy+}', '$default' */
  routeKey: string;
  /**
   * 1.0's `resource` and requestContext.resourcePath: the route's or resource's path
   * ('/items/{id}'). An HTTP API's `$default` route gives '$default' (what a captured 1.0 event
   * from AWS carries; the page's own example is schematic).
   */
  resourcePath: string;
  /** absent when the route has none */
  pathParameters?: Record<string, string>;
  /** absent when none */
  stageVariables?: Record<string, string>;
  accountId: string;
  apiId: string;
  domainName: string;
  /** '$default' for the default stage */
  stage: string;
  requestId: string;
  /** ms */
  timeEpoch: number;
  /** requestContext.authorizer as given (absent: none) */
  authorizer?: Record<string, unknown>;
  /** an AWS_IAM route's or method's signed caller (../gateway/execute-api-iam.ts): 1.0's requestContext.identity, 2.0's authorizer.iam */
  iam?: IamCaller;
  /** REST only: the resource's id (requestContext.resourceId); one is derived from the path when absent */
  resourceId?: string;
  /** REST only: the API's binaryMediaTypes ('image/png', 'image/*', '*\/*'); none: every body is text */
  binaryMediaTypes?: string[];
}

export interface ProxyResponse {
  statusCode: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

type Api = 'http' | 'rest';

// ---------------------------------------------------------------------------------------------
// Events

/** HTTP API payload format 2.0. */
export function eventV2(req: ProxyRequest, ctx: ProxyContext): Record<string, unknown> {
  const headers = integrationHeaders(req, ctx, 'http');
  // "All cookie headers in the request are ... added to the cookies field": one entry per cookie,
  // and the cookie header itself is not among `headers` (AWS's captured event-v2.json has cookies, no cookie header).
  const cookies: string[] = [];
  const joined = new Map<string, string>();
  for (const [name, value] of headers) {
    if (name === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()).filter((c) => c !== ''));
    else joined.set(name, joined.has(name) ? `${joined.get(name)},${value}` : value); // duplicates "combined with commas"
  }
  const query = queryParameters(req.rawQueryString);
  const event: Record<string, unknown> = { version: '2.0', routeKey: ctx.routeKey, rawPath: req.rawPath, rawQueryString: req.rawQueryString };
  if (cookies.length > 0) event.cookies = cookies;
  event.headers = Object.fromEntries(joined);
  if (query) event.queryStringParameters = Object.fromEntries([...query].map(([key, values]) => [key, values.join(',')]));
  event.requestContext = {
    accountId: ctx.accountId,
    apiId: ctx.apiId,
    ...(ctx.iam ? { authorizer: { iam: { accessKey: ctx.iam.accessKey, accountId: ctx.iam.accountId, callerId: ctx.iam.userId, cognitoIdentity: null, principalOrgId: null, userArn: ctx.iam.userArn, userId: ctx.iam.userId } } } : ctx.authorizer ? { authorizer: ctx.authorizer } : {}),
    domainName: ctx.domainName,
    domainPrefix: ctx.domainName.split('.', 1)[0],
    // http.path is the path as sent, stage prefix included (AWS's event-v2.json on a named stage)
    http: { method: req.method, path: req.rawPath, protocol: req.protocol, sourceIp: req.sourceIp, userAgent: firstValue(headers, 'user-agent') ?? '' },
    requestId: ctx.requestId,
    routeKey: ctx.routeKey,
    stage: ctx.stage,
    time: requestTime(ctx.timeEpoch),
    timeEpoch: ctx.timeEpoch,
  };
  const binary = httpApiBinary(req, headers);
  if (req.body.length > 0) event.body = req.body.toString(binary ? 'base64' : 'utf8');
  if (nonEmpty(ctx.pathParameters)) event.pathParameters = ctx.pathParameters;
  event.isBase64Encoded = binary;
  if (nonEmpty(ctx.stageVariables)) event.stageVariables = ctx.stageVariables;
  return event;
}

/**
 * Payload format 1.0 of an HTTP API, and a REST API's proxy event: the same shape, with these
 * differences as AWS documents and shows them. REST has no `version`, keeps the client's header
 * casing (an HTTP API's names are lower case), gives `path` without the stage (an HTTP API's
 * 1.0 `path` is the path as sent: "use format 1.0 and path to access the API mapping"), a
 * resourceId (null on HTTP APIs), and a body in base64 only when binaryMediaTypes match.
 */
export function eventV1(req: ProxyRequest, ctx: ProxyContext, api: Api): Record<string, unknown> {
  const headers = integrationHeaders(req, ctx, api);
  // `headers` holds one value per name, the last; `multiValueHeaders` them all (the documented examples)
  const single = new Map<string, string>();
  const multi = new Map<string, string[]>();
  const nameOf = new Map<string, string>(); // one key per header, whatever casings the client mixed
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (!nameOf.has(lower)) nameOf.set(lower, name);
    const key = nameOf.get(lower)!;
    single.set(key, value);
    multi.set(key, [...(multi.get(key) ?? []), value]);
  }
  const query = queryParameters(req.rawQueryString);
  const binary = api === 'rest' ? restBinary(ctx, headers) : httpApiBinary(req, headers);
  const body = req.body.length > 0 ? req.body.toString(binary ? 'base64' : 'utf8') : null;
  const userAgent = firstValue(headers, 'user-agent') ?? null;
  const common = {
    resource: ctx.resourcePath,
    path: api === 'rest' ? req.path : req.rawPath,
    httpMethod: req.method,
    headers: Object.fromEntries(single),
    multiValueHeaders: Object.fromEntries(multi),
    // the last value of a repeated key, as the REST page's captured event shows (multivalueName: "me")
    queryStringParameters: query ? Object.fromEntries([...query].map(([key, values]) => [key, values[values.length - 1]!])) : null,
    multiValueQueryStringParameters: query ? Object.fromEntries(query) : null,
  };
  const pathParameters = nonEmpty(ctx.pathParameters) ? ctx.pathParameters : null;
  const stageVariables = nonEmpty(ctx.stageVariables) ? ctx.stageVariables : null;
  const authorizer = ctx.authorizer ? { authorizer: ctx.authorizer } : {};
  // a signed caller of an AWS_IAM route or method: who it is ("Lambda proxy integrations": the AWS_IAM example)
  const iam = ctx.iam;

  if (api === 'rest') {
    // the order of the REST page's AWS_IAM example, with the fields it leaves out where AWS's current events have them
    const requestContext = {
      requestTime: requestTime(ctx.timeEpoch),
      path: req.rawPath,
      accountId: ctx.accountId,
      protocol: req.protocol,
      resourceId: ctx.resourceId ?? resourceIdOf(ctx),
      stage: ctx.stage,
      domainPrefix: ctx.domainName.split('.', 1)[0],
      requestTimeEpoch: ctx.timeEpoch,
      requestId: ctx.requestId,
      extendedRequestId: ctx.requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: iam?.accountId ?? null,
        cognitoIdentityId: null,
        caller: iam?.userId ?? null,
        sourceIp: req.sourceIp,
        principalOrgId: null,
        accessKey: iam?.accessKey ?? null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: iam?.userArn ?? null,
        userAgent,
        user: iam?.userId ?? null,
      },
      ...authorizer,
      domainName: ctx.domainName,
      resourcePath: ctx.resourcePath,
      httpMethod: req.method,
      apiId: ctx.apiId,
    };
    return { ...common, pathParameters, stageVariables, requestContext, body, isBase64Encoded: binary };
  }

  const requestContext = {
    accountId: ctx.accountId,
    apiId: ctx.apiId,
    ...authorizer,
    domainName: ctx.domainName,
    domainPrefix: ctx.domainName.split('.', 1)[0],
    extendedRequestId: ctx.requestId,
    httpMethod: req.method,
    identity: {
      accessKey: iam?.accessKey ?? null,
      accountId: iam?.accountId ?? null,
      caller: iam?.userId ?? null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: req.sourceIp,
      user: iam?.userId ?? null,
      userAgent,
      userArn: iam?.userArn ?? null,
    },
    path: req.rawPath,
    protocol: req.protocol,
    requestId: ctx.requestId,
    requestTime: requestTime(ctx.timeEpoch),
    requestTimeEpoch: ctx.timeEpoch,
    resourceId: null,
    resourcePath: ctx.resourcePath,
    stage: ctx.stage,
  };
  return { version: '1.0', ...common, requestContext, pathParameters, stageVariables, body, isBase64Encoded: binary };
}

/** Hop-by-hop headers end at the gateway: AWS's captured events never carry them. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
/** Headers the gateway sets itself: a client's header of the same name gives way (X-Forwarded-For is added to). */
const GATEWAY_SET = new Set(['host', 'x-amzn-trace-id', 'x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto']);

/**
 * The headers an integration sees, in name order regardless of case as AWS's events list them:
 * the client's, less hop-by-hop ones, and the gateway's, in AWS's casing on REST (Host,
 * X-Amzn-Trace-Id, X-Forwarded-For as the client's list then its address, X-Forwarded-Port 443,
 * X-Forwarded-Proto https: AWS ends TLS on 443). An HTTP API lower-cases every name ("All header
 * names are lowercase") and states content-length itself (its captured GETs carry "0").
 */
function integrationHeaders(req: ProxyRequest, ctx: ProxyContext, api: Api): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const forwardedFor: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (lower === 'x-forwarded-for') forwardedFor.push(raw[i + 1]!);
    if (HOP_BY_HOP.has(lower) || GATEWAY_SET.has(lower) || (api === 'http' && lower === 'content-length')) continue;
    out.push([api === 'http' ? lower : raw[i]!, raw[i + 1]!]);
  }
  const add = (name: string, value: string) => out.push([api === 'http' ? name.toLowerCase() : name, value]);
  if (api === 'http') add('content-length', String(req.body.length));
  add('Host', ctx.domainName);
  add('X-Amzn-Trace-Id', traceId(ctx));
  add('X-Forwarded-For', [...forwardedFor, req.sourceIp].join(', '));
  add('X-Forwarded-Port', '443');
  add('X-Forwarded-Proto', 'https');
  return out.sort(([a], [b]) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
}

/** The query string by key, values URL-decoded ("API Gateway decodes URL-encoded request parameters"); undefined when there is none. */
function queryParameters(rawQueryString: string): Map<string, string[]> | undefined {
  if (rawQueryString === '') return undefined;
  const out = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(rawQueryString)) out.set(key, [...(out.get(key) ?? []), value]);
  return out.size > 0 ? out : undefined;
}

/**
 * Whether an HTTP API hands the body over in base64. AWS documents the mechanism only ("If the
 * content type of the request is binary, the body is base64-encoded") and names no types; a
 * test against AWS (ministack PR 766) found text only for text/*, application/json,
 * application/xml and application/javascript, and base64 for every other type, a missing one and
 * application/x-www-form-urlencoded included. No body: false (AWS's captured body-less events).
 */
const HTTP_API_TEXT_TYPES = new Set(['application/json', 'application/xml', 'application/javascript']);
function httpApiBinary(req: ProxyRequest, headers: Array<[string, string]>): boolean {
  if (req.body.length === 0) return false;
  const type = mediaType(firstValue(headers, 'content-type'));
  return !(type.startsWith('text/') || HTTP_API_TEXT_TYPES.has(type));
}

/** REST: base64 when the Content-Type matches the API's binaryMediaTypes; otherwise a UTF-8 string ("Content type conversions in API Gateway"). */
function restBinary(ctx: ProxyContext, headers: Array<[string, string]>): boolean {
  const type = mediaType(firstValue(headers, 'content-type'));
  if (type === '') return false;
  return (ctx.binaryMediaTypes ?? []).some((t) => {
    const pattern = t.toLowerCase();
    return pattern === '*/*' || pattern === type || (pattern.endsWith('/*') && type.startsWith(pattern.slice(0, -1)));
  });
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

function firstValue(headers: Array<[string, string]>, lowerName: string): string | undefined {
  return headers.find(([name]) => name.toLowerCase() === lowerName)?.[1];
}

function nonEmpty(map: Record<string, string> | undefined): map is Record<string, string> {
  return map !== undefined && Object.keys(map).length > 0;
}

function hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** X-Amzn-Trace-Id as AWS writes it (Root=1-<epoch seconds hex>-<96 bits hex>), from the request id so an event is a function of its input. */
function traceId(ctx: ProxyContext): string {
  return `Root=1-${Math.floor(ctx.timeEpoch / 1000).toString(16).padStart(8, '0')}-${hex(ctx.requestId).slice(0, 24)}`;
}

/** A REST resource id in AWS's form: 10 characters for the root ('krznpq9xpg' on the REST page), 6 below it ('2jf6xt'), stable per API and path. */
function resourceIdOf(ctx: ProxyContext): string {
  return hex(`${ctx.apiId} ${ctx.resourcePath}`).slice(0, ctx.resourcePath === '/' ? 10 : 6);
}

// ---------------------------------------------------------------------------------------------
// Responses

/** A result API Gateway cannot answer from ("Malformed Lambda proxy response"). */
class Malformed extends Error {}
function malformed(): never {
  throw new Malformed();
}
function orUndefined(parse: () => ProxyResponse): ProxyResponse | undefined {
  try {
    return parse();
  } catch (err) {
    if (err instanceof Malformed) return undefined;
    throw err;
  }
}

/**
 * What an HTTP API answers from a 2.0 function's result; undefined when the result is malformed
 * (the API then answers 500 {"message":"Internal Server Error"}, which the caller does).
 * A result with a statusCode is the response ("cookies", "isBase64Encoded", "statusCode",
 * "headers", "body"; nothing else is read, multiValueHeaders included: 2.0 has none). Any other
 * valid JSON is inferred as AWS documents: 200, content-type application/json, body "the
 * function's response": a string as itself ("Hello from Lambda!" → Hello from Lambda!), anything
 * else as its JSON. No result at all (a handler returning nothing: Lambda's payload is null) is
 * taken as that JSON null: AWS does not say.
 */
export function responseV2(result: unknown): ProxyResponse | undefined {
  if (!isObject(result) || result.statusCode === undefined) {
    return { statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.from(typeof result === 'string' ? result : JSON.stringify(result ?? null)) };
  }
  return orUndefined(() => {
    const headers = singleHeaders(result.headers);
    if (result.cookies !== undefined && result.cookies !== null) {
      if (!Array.isArray(result.cookies)) malformed();
      for (const cookie of result.cookies) headers.push(header('set-cookie', cookie) ?? malformed());
    }
    return { statusCode: statusOf(result.statusCode), headers, body: bodyOf(result.body, result.isBase64Encoded) };
  });
}

/**
 * What API Gateway answers from a 1.0 (HTTP API) or REST proxy function's result; undefined when
 * it is malformed (REST then answers 502 {"message": "Internal server error"}, an HTTP API 500
 * {"message":"Internal Server Error"}: the caller does that). The result must be an object with a
 * statusCode (a number, or a string of one), a string body or none, a boolean isBase64Encoded or
 * none; headers and multiValueHeaders merge, "If the same key-value pair is specified in both,
 * only the values from multiValueHeaders will appear". REST refuses any other key (AWS answers
 * 502 for {"statusCode":200,"body":"results","ok":true}); an HTTP API ignores them.
 * A base64 body is decoded here; on REST AWS decodes it only when the request's Accept matches
 * the API's binaryMediaTypes, which the caller knows.
 */
export function responseV1(result: unknown, api: Api = 'http'): ProxyResponse | undefined {
  if (!isObject(result)) return undefined;
  return orUndefined(() => {
    if (api === 'rest' && Object.keys(result).some((key) => !REST_RESPONSE_KEYS.has(key))) malformed();
    const multi = multiValueHeaders(result.multiValueHeaders);
    const merged = [...multi];
    for (const [name, value] of singleHeaders(result.headers)) {
      if (!multi.some(([n, v]) => n.toLowerCase() === name.toLowerCase() && v === value)) merged.push([name, value]);
    }
    return { statusCode: statusOf(result.statusCode), headers: merged, body: bodyOf(result.body, result.isBase64Encoded) };
  });
}

const REST_RESPONSE_KEYS = new Set(['isBase64Encoded', 'statusCode', 'headers', 'multiValueHeaders', 'body']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** 100–599, as a number or a string of digits; anything else is malformed. */
function statusOf(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : malformed();
}

/** A string body (base64 when isBase64Encoded is true), or none: null or absent. */
function bodyOf(body: unknown, isBase64Encoded: unknown): Buffer {
  if (isBase64Encoded !== undefined && isBase64Encoded !== null && typeof isBase64Encoded !== 'boolean') malformed();
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body !== 'string') malformed();
  return Buffer.from(body, isBase64Encoded === true ? 'base64' : 'utf8');
}

/** `headers`: name → a string, number or boolean (stringified); a null value is left out. */
function singleHeaders(v: unknown): Array<[string, string]> {
  if (v === undefined || v === null) return [];
  if (!isObject(v)) malformed();
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(v)) {
    if (value === null || value === undefined) continue;
    out.push(header(name, value) ?? malformed());
  }
  return out;
}

/** `multiValueHeaders`: name → a list of such values. */
function multiValueHeaders(v: unknown): Array<[string, string]> {
  if (v === undefined || v === null) return [];
  if (!isObject(v)) malformed();
  const out: Array<[string, string]> = [];
  for (const [name, values] of Object.entries(v)) {
    if (values === null || values === undefined) continue;
    if (!Array.isArray(values)) malformed();
    for (const value of values) if (value !== null && value !== undefined) out.push(header(name, value) ?? malformed());
  }
  return out;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** A header HTTP can carry: a token name and a scalar value without control characters. */
function header(name: string, value: unknown): [string, string] | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  const text = String(value);
  return TOKEN.test(name) && FIELD_VALUE.test(text) ? [name, text] : undefined;
}
