import type { IncomingMessage } from 'node:http';
import { traceId } from './ids.ts';

/**
 * The upgrade request as API Gateway sees it and passes it on: the client's headers with their
 * own casing, plus those the gateway adds, and the query string. One per handshake, so the
 * authorizer's identity sources, the authorizer's event and $connect's event read the same
 * request (the same trace id too).
 *
 * The gateway adds, in AWS's casing: `Host` (the API's domain name), `X-Amzn-Trace-Id`,
 * `X-Forwarded-For` (the client's address, after any list the client sent, as AWS's documented
 * REST example shows a list), `X-Forwarded-Port: 443` and `X-Forwarded-Proto: https` (AWS
 * terminates TLS on 443; every documented WebSocket event carries these two, and a client's own
 * value cannot say otherwise, so it is replaced).
 */
export interface HandshakeRequest {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  query: { single: Record<string, string>; multi: Record<string, string[]> } | undefined;
}

/** Headers the gateway sets itself: a client's header of the same name (any casing) gives way. */
const GATEWAY_SET = new Set(['host', 'x-amzn-trace-id', 'x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto']);

export function handshakeRequest(req: IncomingMessage, sourceIp: string, domainName: string, now: number): HandshakeRequest {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const add = (name: string, value: string) => {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  };
  const forwardedFor: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === 'x-forwarded-for') forwardedFor.push(raw[i + 1]!);
    if (!GATEWAY_SET.has(name)) add(raw[i]!, raw[i + 1]!);
  }
  add('Host', domainName);
  add('X-Amzn-Trace-Id', traceId(now));
  add('X-Forwarded-For', [...forwardedFor, sourceIp].join(', '));
  add('X-Forwarded-Port', '443');
  add('X-Forwarded-Proto', 'https');
  return { headers, multiValueHeaders, query: queryParameters(req.url ?? '/') };
}

/** A header's values as the gateway passes them on (names case-insensitive, as HTTP's are). */
export function headerValues(request: HandshakeRequest, name: string): string[] {
  const wanted = name.toLowerCase();
  const out: string[] = [];
  for (const [key, values] of Object.entries(request.multiValueHeaders)) if (key.toLowerCase() === wanted) out.push(...values);
  return out;
}

function queryParameters(url: string): HandshakeRequest['query'] {
  const q = url.indexOf('?');
  if (q < 0 || q === url.length - 1) return undefined;
  const params = new URLSearchParams(url.slice(q + 1));
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of params) {
    single[key] = value;
    (multi[key] ??= []).push(value);
  }
  return Object.keys(single).length > 0 ? { single, multi } : undefined;
}
