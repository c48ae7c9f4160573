import { Agent, request as httpRequest } from 'node:http';
import { isIP } from 'node:net';

/**
 * API Gateway's call to an HTTP backend (a REST or HTTP API's HTTP_PROXY, REST's HTTP, and the AWS
 * services' local endpoints): one request, its answer whole, given up after the integration's
 * timeout. The emulator calls only addresses on this host (`localBackend`): an API is benchmarked
 * here, and a call to another machine would measure that machine, and the network to it.
 */

export type BackendAnswer =
  | { kind: 'answer'; status: number; headers: Array<[string, string]>; body: Buffer; latencyMs: number }
  | { kind: 'timeout'; latencyMs: number }
  | { kind: 'error'; message: string; latencyMs: number };

/** One API's connections to its backends, kept alive between calls and closed with it. */
export class BackendClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  send(url: URL, method: string, headers: Record<string, string>, body: Buffer | string, timeoutMs: number): Promise<BackendAnswer> {
    return sendToBackend(this.agent, url, method, headers, body, timeoutMs);
  }

  close(): void {
    this.agent.destroy();
  }
}

function sendToBackend(agent: Agent, url: URL, method: string, headers: Record<string, string>, body: Buffer | string, timeoutMs: number): Promise<BackendAnswer> {
  const started = performance.now();
  const latencyMs = () => performance.now() - started;
  // Node sends a GET's or DELETE's body neither chunked nor with a length unless told its length
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (length > 0) headers = { ...headers, 'content-length': String(length) };
  return new Promise((resolve) => {
    const req = httpRequest(url, { method, headers, agent, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out: Array<[string, string]> = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) out.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        resolve({ kind: 'answer', status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks), latencyMs: latencyMs() });
      });
      res.on('error', (err) => resolve(aborted(err) ? { kind: 'timeout', latencyMs: latencyMs() } : { kind: 'error', message: err.message, latencyMs: latencyMs() }));
    });
    req.on('error', (err) => resolve(aborted(err) ? { kind: 'timeout', latencyMs: latencyMs() } : { kind: 'error', message: err.message, latencyMs: latencyMs() }));
    req.end(body);
  });
}

function aborted(err: Error): boolean {
  return err.name === 'AbortError' || err.name === 'TimeoutError' || (err as NodeJS.ErrnoException).code === 'ABORT_ERR';
}

/** A URI with the stage's variables (`${stageVariables.name}`) put in. */
export function withStageVariables(uri: string, variables: Record<string, string>): string {
  return uri.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_, name: string) => variables[name] ?? '');
}

/** The backend URI if its host is this machine (127.x.x.x, localhost, ::1) and its scheme http; else why the emulator does not call it. */
export function localBackend(uri: string): URL | { refused: string } {
  let url: URL;
  try {
    url = new URL(uri.replace(/\{[^}]+\}/g, 'x'));
  } catch {
    return { refused: `${uri} is no URL` };
  }
  if (url.protocol !== 'http:') return { refused: `${url.protocol.replace(/:$/, '')}: the emulator calls http: backends on this host only` };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const local = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  return local ? url : { refused: `${url.host} is not on this host: the emulator calls only addresses on this host (127.x, localhost, ::1)` };
}

/** `{name}` in a URI's path filled from `values`, each segment URL-encoded (a greedy value keeps its slashes). */
export function fillPath(uri: string, values: Record<string, string>): string {
  return uri.replace(/\{([^}+]+)\+?\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : value.split('/').map(encodeURIComponent).join('/');
  });
}

/** Hop-by-hop headers end at the gateway, either way. */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length']);

/** A backend's answer headers as a proxy passes them back: the hop-by-hop ones end at the gateway. */
export function passedBack(headers: ReadonlyArray<[string, string]>): Array<[string, string]> {
  return headers.filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase()));
}
