import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { Duplex } from 'node:stream';
import { urlToHttpOptions } from 'node:url';
import type { SeenRequest } from '../../../common/unserved-calls.ts';

/**
 * Inside an execution environment: calls to AWS hosts answered by the emulator, without the
 * function's code changing. A client built with an explicit endpoint
 * (`https://${apiId}.execute-api.${region}.amazonaws.com/${stage}`, the form AWS's samples use for
 * @connections, or `https://dynamodb.us-east-1.amazonaws.com`) or a callback URL read from an
 * environment variable in that form, sends HTTPS to an AWS host. `https.request` (what the SDK
 * v3's NodeHttpHandler calls), `https.get`, their `http` twins and `fetch` are wrapped: a request to
 * `*.amazonaws.com` (also `.amazonaws.com.cn`, `.api.aws`) whose endpoint prefix the emulator
 * serves goes over plain HTTP to the local base URL, path kept (for execute-api it starts with
 * /{stage}: the gateway routes /{stage}/@connections/{id}); headers, Host included, kept. Any
 * other AWS host fails as a refused connection naming it: nothing reaches the internet. Such a
 * request is read first (the connection it gets takes the request the SDK writes, then fails with
 * ECONNREFUSED, as the SDK sees a refused connection), and what it asked for goes to the
 * emulator's record of unserved calls (unserved-call.ts; common/unserved-calls.ts; the environment
 * posts it to `services[UNSERVED_CALLS_KEY]`). HTTPS to
 * one of the emulator's own endpoints (`https://${requestContext.domainName}/${stage}`, AWS's
 * chat sample, where the gateway's domainName is 127.0.0.1:PORT) goes as plain HTTP: the emulator
 * serves no TLS. Other hosts are left alone.
 */
export type ServiceEndpoints = Readonly<Record<string, string>>;

/** The key of `services` naming where the environments' unserved calls are posted (no host's endpoint prefix starts with `@`). */
export const UNSERVED_CALLS_KEY = '@unserved-calls';

/**
 * The most of an unserved call's body an environment sends: what names a call's resource is at
 * its start. Here, not beside the schema in common/unserved-calls.ts: a value imported from there
 * would bundle zod (800 KB of source) into every environment's worker, compiled at each cold start.
 */
export const MAX_SEEN_BODY = 65_536;

// Required, not imported: an ES import of node:http builds its ES module facade, which reads every
// export and so loads undici for http's lazy WebSocket getter: about 35 ms of CPU in every
// execution environment's thread, before its INIT (measured on Node 22). Patched here, they are
// what a later `import { request } from 'node:https'` of the function's code sees.
const require = createRequire(import.meta.url);
const http = require('node:http') as typeof import('node:http');
const https = require('node:https') as typeof import('node:https');

const AWS_HOST = /\.(amazonaws\.com(\.cn)?|api\.aws)$/i;

/** The endpoint prefix of an AWS host: `execute-api` for `{api}.execute-api.{region}…`, else its first label. */
export function endpointPrefixOf(hostname: string): string | undefined {
  const host = hostname.replace(/\.$/, '').toLowerCase();
  if (!AWS_HOST.test(host)) return undefined;
  const labels = host.split('.');
  return labels[1] === 'execute-api' ? 'execute-api' : labels[0];
}

export interface LocalTarget {
  hostname: string;
  port: string;
  /** the base URL's path (usually none) + the request's path and query, as sent (not re-encoded) */
  path: string;
}

/** Where a request to an AWS host goes locally, or undefined (refused) when the emulator does not serve it. */
export function localTargetFor(services: ServiceEndpoints, hostname: string, path: string): LocalTarget | undefined {
  const prefix = endpointPrefixOf(hostname);
  const base = prefix === undefined ? undefined : services[prefix];
  if (base === undefined) return undefined;
  const url = new URL(base);
  return { hostname: url.hostname, port: url.port || '80', path: `${url.pathname.replace(/\/$/, '')}${path.startsWith('/') ? '' : '/'}${path}` };
}

function refusal(hostname: string, port: number): Error {
  return Object.assign(
    new Error(`connect ECONNREFUSED ${hostname}:${port} (the local emulator does not serve this AWS endpoint; it never reaches AWS)`),
    { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: hostname, port },
  );
}

type Callback = (res: IncomingMessage) => void;

/** https.request's overloads, normalised: one options object and the callback. */
function normalise(args: unknown[]): { options: RequestOptions; callback?: Callback } {
  let options: RequestOptions = {};
  let i = 0;
  if (typeof args[0] === 'string' || args[0] instanceof URL) {
    options = urlToHttpOptions(typeof args[0] === 'string' ? new URL(args[0]) : args[0]) as RequestOptions;
    i = 1;
  }
  if (typeof args[i] === 'object' && args[i] !== null) options = { ...options, ...(args[i] as RequestOptions) };
  const callback = args.find((a) => typeof a === 'function') as Callback | undefined;
  return { options, callback };
}

type RequestFn = (...args: unknown[]) => ClientRequest;

/**
 * Install the redirect in this thread (an environment's worker). `onUnserved` gets each request to
 * an endpoint not served, as it was written: the worker hands it to the main thread at once, since
 * an environment frozen after its invocation sends nothing more of its own.
 */
export function installAwsEndpointRedirect(services: ServiceEndpoints, onUnserved?: (request: SeenRequest) => void): void {
  const httpRequest = http.request as RequestFn;
  const httpsRequest = https.request as RequestFn;
  const record = (seen: SeenRequest): void => onUnserved?.({ ...seen, body: seen.body.slice(0, MAX_SEEN_BODY) });
  /** A request that fails as connecting to that host would (ECONNREFUSED, naming it), read as the SDK writes it first. */
  const refusedAfterReading = (options: RequestOptions, callback: Callback | undefined, hostname: string, tls: boolean): ClientRequest => {
    const chunks: Buffer[] = [];
    let socket: Duplex | undefined;
    const createConnection = () => {
      socket = new Duplex({
        read() {},
        write(chunk: Buffer | string, _encoding, done) {
          chunks.push(Buffer.from(chunk));
          done();
        },
      });
      return socket;
    };
    const req = httpRequest({ ...options, protocol: 'http:', agent: undefined, createConnection }, callback);
    let failed = false;
    const fail = () => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      record(seenIn(hostname, Buffer.concat(chunks).toString('utf8')));
      socket?.destroy(refusal(hostname, Number(options.port ?? (tls ? 443 : 80))));
    };
    req.once('finish', () => process.nextTick(fail));
    // a request that never ends its body (one waiting for 100-continue) is refused all the same
    const timer = setTimeout(fail, 1_000);
    timer.unref();
    return req;
  };
  // Keep-alive, like the SDK's own agent; idle sockets are unref'd so a frozen or idle
  // environment holds nothing open that keeps its event loop busy.
  const agent = new http.Agent({ keepAlive: true });
  const own = new Set(Object.values(services).map((base) => new URL(base).host));
  const isAws = (hostname: string) => AWS_HOST.test(hostname.replace(/\.$/, ''));

  /** `original` for other hosts; for AWS hosts (and, over https, the emulator's own), the local endpoint or a refusal. */
  const wrap = (original: RequestFn, tls: boolean): RequestFn => (...args) => {
    const { options, callback } = normalise(args);
    const hostname = options.hostname ?? options.host ?? 'localhost';
    const ownTarget = tls && own.has(`${hostname}:${String(options.port ?? 443)}`);
    if (!ownTarget && !isAws(hostname)) return original(...args);
    const local = ownTarget ? { hostname, port: String(options.port), path: options.path ?? '/' } : localTargetFor(services, hostname, options.path ?? '/');
    if (!local) return refusedAfterReading(options, callback, hostname, tls);
    const { ca: _ca, cert: _cert, key: _key, servername: _sn, rejectUnauthorized: _ru, ...plain } = options as RequestOptions & Record<string, unknown>;
    const target = { ...plain, protocol: 'http:', hostname: local.hostname, host: local.hostname, port: local.port, path: local.path, agent, defaultPort: 80 };
    return httpRequest(target, callback);
  };
  const get = (request: RequestFn) => (...args: unknown[]) => {
    const req = request(...args);
    req.end();
    return req;
  };
  const redirectedHttps = wrap(httpsRequest, true);
  const redirectedHttp = wrap(httpRequest, false);
  https.request = redirectedHttps as typeof https.request;
  https.get = get(redirectedHttps) as typeof https.get;
  http.request = redirectedHttp as typeof http.request;
  http.get = get(redirectedHttp) as typeof http.get;
  syncBuiltinESMExports(); // `import { request } from 'node:https'` sees the wrapper too

  const fetch = globalThis.fetch;
  if (typeof fetch === 'function') {
    globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input);
      const ownTarget = url.protocol === 'https:' && own.has(url.host);
      if (!ownTarget && !isAws(url.hostname)) return fetch(input, init);
      const path = `${url.pathname}${url.search}`;
      const local = ownTarget ? { hostname: url.hostname, port: url.port, path } : localTargetFor(services, url.hostname, path);
      const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      if (!local) {
        const request = input instanceof Request ? input : undefined;
        const headers = Object.fromEntries([...new Headers(init?.headers ?? request?.headers).entries()]);
        const body = typeof init?.body === 'string' ? init.body : init?.body instanceof Uint8Array ? Buffer.from(init.body).toString('utf8') : '';
        record({ hostname: url.hostname, method: init?.method ?? request?.method ?? 'GET', path, headers, body });
        return Promise.reject(new TypeError('fetch failed', { cause: refusal(url.hostname, port) }));
      }
      const target = `http://${local.hostname}:${local.port}${local.path}`;
      return fetch(input instanceof Request ? new Request(target, input) : target, init);
    }) as typeof fetch;
  }
}

/** The request line, headers and body of an HTTP/1.1 request as written (a chunked body's framing dropped). */
function seenIn(hostname: string, raw: string): SeenRequest {
  const split = raw.indexOf('\r\n\r\n');
  const head = (split < 0 ? raw : raw.slice(0, split)).split('\r\n');
  let body = split < 0 ? '' : raw.slice(split + 4);
  const [method = 'GET', path = '/'] = (head[0] ?? '').split(' ');
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = body.replace(/(^|\r\n)[0-9a-f]+\r\n/gi, '$1').replace(/\r\n$/, '');
  return { hostname, method, path, headers, body };
}
