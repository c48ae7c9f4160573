import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './request-body.ts';

/**
 * The AWS Query protocol, as CloudFormation and IAM serve it (both emulated here) and the SDK v3's
 * AwsQueryProtocol reads them: `<{Action}Response xmlns=…><{Action}Result>…</{Action}Result>
 * <ResponseMetadata><RequestId>…` on success, `<ErrorResponse><Error><Type/><Code/><Message/>
 * </Error><RequestId/>` with a 4xx/5xx status on failure. Structures are elements named after
 * their members, lists wrap each item in `<member>`, timestamps are ISO 8601, booleans
 * `true`/`false`; an undefined member is left out; a `Map` is a Query map (`<entry><key/><value/></entry>`,
 * as SNS answers its attributes); a `Flattened` list repeats its member's element (as SQS answers).
 */

export type QueryValue = string | number | boolean | Date | undefined | QueryValue[] | Map<string, QueryValue> | Flattened | { [member: string]: QueryValue };

/** A list the API flattens (SQS's): each item an element named after the member, with no `<member>` wrapper. */
export class Flattened {
  constructor(readonly items: QueryValue[]) {}
}

/** An error a Query API answers: `code` is what the SDK raises (`ValidationError` …). */
export class QueryApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

export function queryResult(action: string, xmlns: string, result: Record<string, QueryValue>, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${xmlns}"><${action}Result>` +
    members(result) +
    `</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>\n`
  );
}

export function queryError(xmlns: string, err: QueryApiError, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${xmlns}"><Error><Type>${err.type}</Type>` +
    `<Code>${escape(err.code)}</Code><Message>${escape(err.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>\n`
  );
}

function members(struct: Record<string, QueryValue>): string {
  let out = '';
  for (const [name, value] of Object.entries(struct)) {
    if (value instanceof Flattened) out += value.items.map((item) => (item === undefined ? '' : `<${name}>${content(item)}</${name}>`)).join('');
    else if (value !== undefined) out += `<${name}>${content(value)}</${name}>`;
  }
  return out;
}

function content(value: Exclude<QueryValue, undefined>): string {
  if (value instanceof Flattened) return value.items.map((item) => (item === undefined ? '' : content(item))).join('');
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? '' : `<member>${content(item)}</member>`)).join('');
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) return [...value].map(([k, v]) => (v === undefined ? '' : `<entry><key>${escape(k)}</key><value>${content(v)}</value></entry>`)).join('');
  if (typeof value === 'object') return members(value);
  return escape(String(value));
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

/** A Query request's form-encoded body, at most `maxBytes` (past that the request is destroyed and refused with 413). */
export function readQueryBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return readBody(req, maxBytes, () => new QueryApiError('ValidationError', `Request body larger than ${maxBytes} bytes`, 413));
}

/** An XML answer with AWS's request id header; a response already begun is cut off instead. */
export function sendXml(res: ServerResponse, status: number, body: string, requestId: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': requestId });
  res.end(body);
}
