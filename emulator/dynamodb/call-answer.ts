import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import type { RequestHandler } from '../local-listener.ts';

/**
 * One DynamoDB call's answer as a value (status, headers, JSON body), and the one way it goes out
 * over HTTP: the metering front decides answers on the DynamoDB thread; its own listener and the
 * edge (on the stack's thread, through dynamodb-thread.ts) both answer with httpHandler.
 */
export interface CallAnswer {
  status: number;
  /** lower-case header names */
  headers: Record<string, string>;
  body: string;
}

export type CallHeaders = Record<string, string | string[] | undefined>;

/** Decides one call from its headers and body; never rejects (a failure is an answer). */
export type Answerer = (headers: CallHeaders, body: string) => Promise<CallAnswer>;

const ERROR_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

/** 52 upper-case base64 characters, as DynamoDB's request ids look. */
export function requestId(): string {
  return randomBytes(39).toString('base64').toUpperCase().replace(/[+/]/g, '0');
}

/** DynamoDB's JSON error shape: the SDK raises the class named after the '#'. */
export function errorAnswer(status: number, type: string, message: string, extra: Record<string, unknown> = {}): CallAnswer {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId() },
    body: JSON.stringify({ __type: `${ERROR_PREFIX}${type}`, message, ...extra }),
  };
}

/** An answerer that fails becomes DynamoDB's InternalServerError. */
export function neverRejecting(answer: (headers: CallHeaders, body: string) => Promise<CallAnswer>): Answerer {
  return (headers, body) => answer(headers, body).catch((err: unknown) => errorAnswer(500, 'InternalServerError', String((err as Error)?.message ?? err)));
}

/** The HTTP side: the request's body read whole, its answer written with DynamoDB's headers (the SDK checks x-amz-crc32). */
export function httpHandler(answer: Answerer): RequestHandler {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void answer(req.headers, Buffer.concat(chunks).toString('utf8')).then((a) => send(res, a)));
  };
}

function send(res: ServerResponse, answer: CallAnswer): void {
  const body = Buffer.from(answer.body, 'utf8');
  res.statusCode = answer.status;
  res.setHeader('Content-Type', answer.headers['content-type'] ?? 'application/x-amz-json-1.0');
  res.setHeader('x-amzn-RequestId', answer.headers['x-amzn-requestid'] ?? requestId());
  res.setHeader('x-amz-crc32', String(crc32(body)));
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
