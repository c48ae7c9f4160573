import { fillPath, HOP_BY_HOP } from '../gateway/backend-call.ts';
import type { HttpRouteDescription } from '../stack-model/stack-description.ts';
import type { ProxyContext, ProxyRequest } from './lambda-proxy.ts';

/**
 * An HTTP API route's HTTP proxy integration ("Create HTTP proxy integrations for HTTP APIs"):
 * the request goes on to the integration's URI, its `{name}`s filled from the route's path
 * variables (`{proxy}` from `{proxy+}`) and its `${stageVariables.name}`s from the stage; its
 * method the integration's (ANY: the request's own); the client's query string (after the URI's
 * own), headers (less hop-by-hop ones) and body as sent; then the integration's RequestParameters
 * ("Transform API requests … for HTTP APIs"): a header or query parameter appended, overwritten or
 * removed, the path overwritten. The backend's status, headers and body are the answer as they
 * are. Only an address on this host is called (../gateway/backend-call.ts); the server says at
 * start which route's is not, and answers it 500.
 */
export type HttpProxyRoute = Extract<HttpRouteDescription, { integrationType: 'HTTP_PROXY' }>;

export interface HttpProxyCall {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** The call an HTTP proxy route makes for a request; `uri` is the route's, its stage variables put in once at start. */
export function httpProxyCall(route: HttpProxyRoute, uri: string, req: ProxyRequest, ctx: ProxyContext): HttpProxyCall {
  const url = new URL(fillPath(uri, ctx.pathParameters ?? {}));
  const query = new URLSearchParams(url.search);
  for (const [name, value] of new URLSearchParams(req.rawQueryString)) query.append(name, value);
  // by lower-case name, each with the name as the client wrote it
  const headers = new Map<string, [string, string]>();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const key = name.toLowerCase();
    const had = headers.get(key);
    headers.set(key, [had?.[0] ?? name, had ? `${had[1]},${req.rawHeaders[i + 1]!}` : req.rawHeaders[i + 1]!]);
  }
  const value = (source: string) => mappedValue(source, req, ctx, headers);
  for (const [key, source] of Object.entries(route.requestParameters)) {
    if (key === 'overwrite:path') {
      url.pathname = value(source);
      continue;
    }
    const [, op, where, name] = /^(append|overwrite|remove):(header|querystring)\.(.+)$/.exec(key)!;
    if (where === 'header') {
      const k = name!.toLowerCase();
      const had = headers.get(k);
      if (op === 'remove') headers.delete(k);
      else if (op === 'overwrite' || had === undefined) headers.set(k, [name!, value(source)]);
      else headers.set(k, [had[0], `${had[1]},${value(source)}`]);
    } else if (op === 'remove') query.delete(name!);
    else if (op === 'overwrite') query.set(name!, value(source));
    else query.append(name!, value(source));
  }
  url.search = query.toString();
  const out: Record<string, string> = {};
  for (const [key, [name, v]] of headers) if (!HOP_BY_HOP.has(key)) out[name] = v;
  return { url, method: route.httpMethod === 'ANY' ? req.method : route.httpMethod, headers: out, body: req.body };
}

/**
 * A mapping's value: static text with `$request.header.<name>` (case-insensitive, several values
 * joined by commas), `$request.querystring.<name>` (likewise), `$request.path` (without the
 * stage), `$request.path.<name>`, `$context.<variable>` and `$stageVariables.<name>`, each also
 * as `${…}`. One that names nothing the request has is empty (assumed: AWS documents no other).
 */
function mappedValue(source: string, req: ProxyRequest, ctx: ProxyContext, headers: ReadonlyMap<string, [string, string]>): string {
  const resolve = (ref: string): string => {
    if (ref === 'request.path') return req.path;
    const m = /^(request\.header|request\.querystring|request\.path|context|stageVariables)\.(.+)$/.exec(ref);
    if (!m) return '';
    const name = m[2]!;
    switch (m[1]) {
      case 'request.header':
        return headers.get(name.toLowerCase())?.[1] ?? '';
      case 'request.querystring':
        return new URLSearchParams(req.rawQueryString).getAll(name).join(',');
      case 'request.path':
        return ctx.pathParameters?.[name] ?? '';
      case 'stageVariables':
        return ctx.stageVariables?.[name] ?? '';
      default:
        return contextVariable(name, req, ctx, headers);
    }
  };
  return source.replace(/\$\{([^}]+)\}|\$((?:request\.(?:header|querystring|path)|context|stageVariables)(?:\.[A-Za-z0-9_-]+)*)/g, (_, braced: string | undefined, bare: string | undefined) => resolve((braced ?? bare)!));
}

function contextVariable(name: string, req: ProxyRequest, ctx: ProxyContext, headers: ReadonlyMap<string, [string, string]>): string {
  switch (name) {
    case 'accountId':
      return ctx.accountId;
    case 'apiId':
      return ctx.apiId;
    case 'domainName':
      return ctx.domainName;
    case 'httpMethod':
      return req.method;
    case 'path':
      return req.rawPath;
    case 'protocol':
      return req.protocol;
    case 'requestId':
      return ctx.requestId;
    case 'requestTimeEpoch':
      return String(ctx.timeEpoch);
    case 'routeKey':
      return ctx.routeKey;
    case 'stage':
      return ctx.stage;
    case 'identity.sourceIp':
      return req.sourceIp;
    case 'identity.userAgent':
      return headers.get('user-agent')?.[1] ?? '';
    default: {
      // $context.authorizer.<key> (a Lambda authorizer's context), $context.authorizer.claims.<claim> (a JWT's)
      const m = /^authorizer\.(?:claims\.)?(.+)$/.exec(name);
      if (!m || !ctx.authorizer) return '';
      const a = ctx.authorizer as { jwt?: { claims?: Record<string, unknown> }; lambda?: Record<string, unknown>; claims?: Record<string, unknown> } & Record<string, unknown>;
      const v = name.startsWith('authorizer.claims.') ? (a.jwt?.claims ?? a.claims)?.[m[1]!] : (a.lambda ?? a)[m[1]!];
      return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
  }
}
