import http, { type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { Socket } from 'node:net';
import { urlToHttpOptions } from 'node:url';

/**
 * Inside an execution environment: calls to AWS hosts answered by the emulator, without the
 * function's code changing. A client built with an explicit endpoint
 * (`https://${apiId}.execute-api.${region}.amazonaws.com/${stage}`, the form AWS's samples use for
 * @connections, or `https://dynamodb.us-east-1.amazonaws.com`) or a callback URL read from an
 * environment variable in that form, sends HTTPS to an AWS host. `https.request` (what the SDK
 * v3's NodeHttpHandler calls), `https.get` and `fetch` are wrapped: a request to
 * `*.amazonaws.com` (also `.amazonaws.com.cn`, `.api.aws`) whose endpoint prefix the emulator
 * serves goes over plain HTTP to the local base URL, path kept (for execute-api it starts with
 * /{stage}: the gateway routes /{stage}/@connections/{id}); headers, Host included, kept. Any
 * other AWS host fails as a refused connection naming it: nothing reaches the internet. HTTPS to
 * one of the emulator's own endpoints (`https://${requestContext.domainName}/${stage}`, AWS's
 * chat sample, where the gateway's domainName is 127.0.0.1:PORT) goes as plain HTTP: the emulator
 * serves no TLS. Other hosts are left alone.
 */
export type ServiceEndpoints = Readonly<Record<string, string>>;

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

function refusal(hostname: string): Error {
  return Object.assign(
    new Error(`connect ECONNREFUSED ${hostname}:443 (the local emulator does not serve this AWS endpoint; it never reaches AWS)`),
    { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: hostname, port: 443 },
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

/** Install the redirect in this thread (an environment's worker). */
export function installAwsEndpointRedirect(services: ServiceEndpoints): void {
  const original = https.request;
  // Keep-alive, like the SDK's own agent; idle sockets are unref'd so a frozen or idle
  // environment holds nothing open that keeps its event loop busy.
  const agent = new http.Agent({ keepAlive: true });
  const own = new Set(Object.values(services).map((base) => new URL(base).host));
  const request = ((...args: unknown[]): ClientRequest => {
    const { options, callback } = normalise(args);
    const hostname = options.hostname ?? options.host ?? 'localhost';
    const ownTarget = own.size > 0 && own.has(`${hostname}:${String(options.port ?? 443)}`);
    if (!ownTarget && !AWS_HOST.test(hostname.replace(/\.$/, ''))) return (original as (...a: unknown[]) => ClientRequest)(...args);
    const local = ownTarget
      ? { hostname, port: String(options.port), path: options.path ?? '/' }
      : localTargetFor(services, hostname, options.path ?? '/');
    if (!local) {
      // A request that fails as connecting to that host would, with an error naming it.
      return http.request(
        {
          ...options,
          protocol: 'http:',
          agent: undefined,
          createConnection: () => {
            const socket = new Socket();
            process.nextTick(() => socket.destroy(refusal(hostname)));
            return socket;
          },
        },
        callback,
      );
    }
    const { ca: _ca, cert: _cert, key: _key, servername: _sn, rejectUnauthorized: _ru, ...plain } = options as RequestOptions & Record<string, unknown>;
    return http.request(
      {
        ...plain,
        protocol: 'http:',
        hostname: local.hostname,
        host: local.hostname,
        port: local.port,
        path: local.path,
        agent,
        defaultPort: 80,
      },
      callback,
    );
  }) as typeof https.request;
  https.request = request;
  https.get = ((...args: Parameters<typeof https.get>) => {
    const req = (request as (...a: unknown[]) => ClientRequest)(...args);
    req.end();
    return req;
  }) as typeof https.get;
  syncBuiltinESMExports(); // `import { request } from 'node:https'` sees the wrapper too

  const fetch = globalThis.fetch;
  if (typeof fetch === 'function') {
    globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input);
      const ownTarget = own.has(url.host);
      if (url.protocol !== 'https:' || (!ownTarget && !AWS_HOST.test(url.hostname.replace(/\.$/, '')))) return fetch(input, init);
      const path = `${url.pathname}${url.search}`;
      const local = ownTarget ? { hostname: url.hostname, port: url.port, path } : localTargetFor(services, url.hostname, path);
      if (!local) return Promise.reject(new TypeError('fetch failed', { cause: refusal(url.hostname) }));
      const target = `http://${local.hostname}:${local.port}${local.path}`;
      return fetch(input instanceof Request ? new Request(target, input) : target, init);
    }) as typeof fetch;
  }
}
