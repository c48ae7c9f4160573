import WebSocket from 'ws';
import { UserError } from '../errors.ts';
import { connectErrorKind } from '../fleet/client.ts';
import { remoteEndpoints } from './execute-api.ts';
import { assumedFunctions } from './target-functions.ts';
import type { Target } from './target.ts';

/**
 * `--target ws[s]://…`: a deployed stack. Before any fleet starts, one probe connection proves
 * the URL answers a WebSocket handshake; otherwise the run stops with one line (exit 2). Its
 * functions are not asked for (yet): the reference stack's are assumed, and marked so.
 */
const PROBE_TIMEOUT_MS = 5_000;

export function checkTargetUrl(spec: string): URL {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new UserError(`--target: expected "local", a ws:// or wss:// URL, or aws:<stackName>, got "${spec}"`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new UserError(`--target: expected "local", a ws:// or wss:// URL, or aws:<stackName>, got "${spec}"`);
  }
  return url;
}

export async function openRemoteTarget(spec: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<Target> {
  const url = checkTargetUrl(spec).toString();
  await probe(url, timeoutMs);
  const functions = assumedFunctions(`the functions behind ${url} are not known to the harness`);
  return {
    kind: 'remote',
    url,
    endpoints: remoteEndpoints(url),
    describeFunctions: async () => functions,
    local: undefined,
    stackArgs: [],
    stop: async () => {},
  };
}

/** One WebSocket handshake, closed at once; a refusal or silence is a UserError naming why. */
export function probe(url: string, timeoutMs: number = PROBE_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
    ws.on('open', () => {
      ws.close(1000);
      resolve();
    });
    ws.on('error', (err: Error & { code?: string }) => {
      ws.terminate();
      const kind = connectErrorKind(err);
      const why = kind.startsWith('handshake:')
        ? `the WebSocket handshake was refused (HTTP ${kind.slice('handshake:'.length)})`
        : kind === 'timeout:connect'
          ? `no WebSocket handshake within ${timeoutMs / 1000} s`
          : `cannot connect (${kind.slice(kind.indexOf(':') + 1)})`;
      reject(new UserError(`target ${url} unreachable: ${why}`));
    });
  });
}
