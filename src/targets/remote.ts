import WebSocket from 'ws';
import { UserError } from '../../common/errors.ts';
import type { UrlSpec } from '../contracts/target-spec.ts';
import { CONNECT_COLD_SUBPROTOCOL, CONNECT_WARM_SUBPROTOCOL } from '../../common/chat-protocol.ts';
import { CONNECT_SUBPROTOCOLS } from '../fleet/protocols/chat-v1.ts';
import { connectErrorKind } from '../fleet/client.ts';
import { handshakeWith, type ConnectToken } from '../fleet/protocols/connect-token.ts';
import { cloudWatchFor } from '../aws/cloudwatch-source.ts';
import { deployedStackWarnings } from './deployed-warnings.ts';
import { remoteEndpoints } from '../aws/execute-api.ts';
import { urlLambdaApi } from '../aws/lambda-api.ts';
import { functionsNotListed } from './target-functions.ts';
import type { Target } from './target.ts';
import type { Handshake } from '../fleet/protocols/wire-protocol.ts';

/**
 * The handshake of a protocol other than chat-v1 for the probe (its connect query, headers and
 * subprotocols, the token where it puts it): a stack that needs, say, `?room=` refuses a bare one.
 */
export type ProbeHandshake = (url: string) => Promise<Handshake>;

// AWS answers a cold $connect in a second or two; a local stack on a host busy with other work
// (the emulator holding an invocation back until a core is free) has taken over 5 s. A target that
// refuses or errors fails at once whatever this is: only one that never answers waits it out.
const PROBE_TIMEOUT_MS = 15_000;

/**
 * `--target ws[s]://…`: a deployed stack. Before any fleet starts, one probe connection proves
 * the URL answers a WebSocket handshake; otherwise the run stops with one line (exit 2). Its
 * functions cannot be asked for: the reference stack's are assumed, and marked so, where its
 * $connect answered as the reference stack's; another stack's are not known, and none is read.
 */
export async function openRemoteTarget(spec: UrlSpec, o: { timeoutMs?: number; token?: ConnectToken; probeHandshake?: ProbeHandshake } = {}): Promise<Target> {
  const url = spec.url;
  const connectColdFlag = await probe(url, o.timeoutMs ?? PROBE_TIMEOUT_MS, o.token, o.probeHandshake);
  const functions = functionsNotListed({ connectColdFlag }, `the functions behind ${url} are not known to the harness`);
  const endpoints = remoteEndpoints(url);
  return {
    kind: 'remote',
    url,
    label: url.replace(/[?#].*$/, ''),
    endpoints,
    describeFunctions: async () => functions,
    local: undefined,
    stackArgs: [],
    cloudWatch: cloudWatchFor(endpoints),
    lambdaApi: urlLambdaApi(url),
    scenarioWarnings: deployedStackWarnings,
    startedWith: {},
    connectColdFlag,
    stop: async () => {},
  };
}

/**
 * One WebSocket handshake (with the run's token, if any), closed at once; a refusal or silence is
 * a UserError naming why. A handshake an authorizer refuses (401, 403) is an answer: the fleet
 * then finds out whether every connect is refused, and says so (with results).
 *
 * It offers the cold/warm subprotocols (chat-protocol.ts): resolves true when $connect selected
 * cold or warm. When the target selects none (a stack of another version, or not ours), it
 * shakes hands again without them and resolves false, so that the fleet does not offer them.
 * With `protocol` (a protocol other than chat-v1) it shakes hands once as that protocol's clients
 * do and resolves false: such a protocol offers no cold/warm subprotocols.
 */
export async function probe(url: string, timeoutMs: number = PROBE_TIMEOUT_MS, token?: ConnectToken, protocol?: ProbeHandshake): Promise<boolean> {
  if (protocol) {
    await handshakeOnce(url, timeoutMs, await protocol(url));
    return false;
  }
  const answered = await handshakeOnce(url, timeoutMs, { ...handshakeWith(url, token), protocols: CONNECT_SUBPROTOCOLS });
  if (answered !== 'no-subprotocol') return answered === 'subprotocol';
  await handshakeOnce(url, timeoutMs, handshakeWith(url, token));
  return false;
}

function handshakeOnce(url: string, timeoutMs: number, handshake: Handshake) {
  const protocols = handshake.protocols;
  return new Promise<'subprotocol' | 'no-subprotocol' | 'open' | 'refused'>((resolve, reject) => {
    const ws = new WebSocket(handshake.url, protocols, { handshakeTimeout: timeoutMs, perMessageDeflate: false, headers: handshake.headers });
    ws.on('open', () => {
      ws.close(1000);
      const p = ws.protocol;
      resolve(p === CONNECT_COLD_SUBPROTOCOL || p === CONNECT_WARM_SUBPROTOCOL ? 'subprotocol' : 'open');
    });
    ws.on('error', (err: Error & { code?: string }) => {
      ws.terminate();
      // ws's own checks of the answer (RFC 6455 4.1): the server chose none, or one not offered
      if (protocols && /^Server sent (no|an invalid) subprotocol/.test(err.message)) return resolve('no-subprotocol');
      const kind = connectErrorKind(err);
      if (kind === 'handshake:401' || kind === 'handshake:403') return resolve('refused');
      const why = kind.startsWith('handshake:')
        ? `the WebSocket handshake was refused (HTTP ${kind.slice('handshake:'.length)})`
        : kind === 'timeout:connect'
          ? `no WebSocket handshake within ${timeoutMs / 1000} s`
          : `cannot connect (${kind.slice(kind.indexOf(':') + 1)})`;
      reject(new UserError(`target ${url} unreachable: ${why}`));
    });
  });
}
