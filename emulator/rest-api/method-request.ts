import type { RestMethodDescription, RestStageDescription } from '../stack-model/stack-description.ts';
import type { InputParams } from '../gateway/vtl/input-variable.ts';

/**
 * One request as a REST API method sees it once routed: the client's headers and query string
 * (looked up as API Gateway's `method.request.header|querystring.<name>` are: header names
 * regardless of case, query names exactly, values URL-decoded), the path parameters, the body,
 * `$context` (the proxy event's requestContext, authorizer included) and the proxy event itself,
 * built once. What authorizers, mappings and integrations read.
 */
export interface MethodRequest {
  method: RestMethodDescription;
  stage: RestStageDescription;
  /** the request's own method (a method ANY serves any) */
  httpMethod: string;
  /** the path after the stage (`/items/42`) */
  path: string;
  /** without '?', '' if none */
  rawQueryString: string;
  /** node's rawHeaders (name, value, …) */
  rawHeaders: readonly string[];
  body: Buffer;
  pathParameters: Record<string, string>;
  header(name: string): string[];
  query(name: string): string[];
  /** `$context` */
  context: Record<string, unknown>;
  /** the Lambda proxy event of this request (what AWS_PROXY sends, and a REQUEST authorizer gets less its body) */
  event: Record<string, unknown>;
}

/** Header and query lookups over a request's raw headers and query string. */
export function requestLookups(rawHeaders: readonly string[], rawQueryString: string): Pick<MethodRequest, 'header' | 'query'> {
  const headers = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), rawHeaders[i + 1]!]);
  }
  const query = new Map<string, string[]>();
  if (rawQueryString !== '') for (const [name, value] of new URLSearchParams(rawQueryString)) query.set(name, [...(query.get(name) ?? []), value]);
  return { header: (name) => headers.get(name.toLowerCase()) ?? [], query: (name) => query.get(name) ?? [] };
}

/**
 * `$input.params()` of a mapping template: the path parameters, the query string and the headers,
 * one value each (the last of a repeated query key, as the proxy event's queryStringParameters,
 * and the first of a repeated header).
 */
export function inputParams(request: MethodRequest): InputParams {
  const header: Record<string, string> = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) header[request.rawHeaders[i]!] ??= request.rawHeaders[i + 1]!;
  const querystring: Record<string, string> = {};
  if (request.rawQueryString !== '') for (const [name, value] of new URLSearchParams(request.rawQueryString)) querystring[name] = value;
  return { path: { ...request.pathParameters }, querystring, header };
}

/** A Content-Type or Accept's media type, lower-case without parameters ('' when none). */
export function mediaType(value: string | undefined): string {
  return (value ?? '').split(';', 1)[0]!.trim().toLowerCase();
}
