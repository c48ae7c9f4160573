import { CONNECT_VARS, type ProtocolSpec } from '../../contracts/protocol-schema.ts';
import { parseTemplate, usesVariable } from '../../contracts/protocol-template.ts';
import type { TokenPlacement } from '../../contracts/token-placement.ts';

/**
 * How the harness hands a stack's $connect authorizer its token: the `x-api-key` header (the
 * default, the reference stack's default identity source) or the `token` query parameter. Only the
 * handshake carries it: the URL recorded anywhere (results, reports, errors) is the target's own,
 * without it.
 */
export interface ConnectToken {
  token: string;
  in: TokenPlacement;
}

/** The URL to open and the headers to send for one handshake. */
export function handshakeWith(url: string, token: ConnectToken | undefined): { url: string; headers?: Record<string, string> } {
  if (!token) return { url };
  if (token.in === 'header') return { url, headers: { 'x-api-key': token.token } };
  const u = new URL(url);
  u.searchParams.set('token', token.token);
  return { url: u.toString() };
}

/**
 * Where the run's handshakes carry its token, as API Gateway names an authorizer's identity
 * sources: a described protocol's connect fields that hold `{{token}}` (they place it themselves),
 * else where the run puts it (the `x-api-key` header or the `token` query parameter); none when
 * the run has no token.
 */
export function tokenIdentitySources(protocol: ProtocolSpec, token: ConnectToken | undefined): string[] {
  if (protocol.kind === 'described') {
    const c = protocol.description.connect;
    const holds = (v: unknown) => usesVariable(parseTemplate(v, CONNECT_VARS), 'token');
    const named = (part: Record<string, unknown> | undefined, source: string) => Object.entries(part ?? {}).flatMap(([k, v]) => (holds(v) ? [`${source}.${k}`] : []));
    const own = [
      ...named(c?.headers, 'route.request.header'),
      ...named(c?.query, 'route.request.querystring'),
      ...((c?.subprotocols ?? []).some(holds) ? ['route.request.header.Sec-WebSocket-Protocol'] : []),
    ];
    if (own.length > 0) return own;
  }
  if (!token) return [];
  return [token.in === 'header' ? 'route.request.header.x-api-key' : 'route.request.querystring.token'];
}
