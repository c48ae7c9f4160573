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
