import { clientUserAgent } from '../../contracts/client-user-agent.ts';
import type { Handshake } from './wire-protocol.ts';

/**
 * A fleet client's handshake with its User-Agent (src/contracts/client-user-agent.ts): the run, the
 * client and which of its connections this is, so API Gateway's CONNECT access-log line names the
 * client behind its connection ID. Every protocol's handshake goes through here. Without a run id
 * (a handshake of no run's) or a connection (the first probe, no fleet client) it adds none; a
 * protocol that sets its own User-Agent keeps it (the stack may need it; the run then cannot
 * attribute that protocol's requests, and says so).
 */
export function withUserAgent(h: Handshake, run: string, client: number, connection: number | undefined): Handshake {
  if (run === '' || connection === undefined || connection < 0) return h;
  if (h.headers) for (const name of Object.keys(h.headers)) if (name.toLowerCase() === 'user-agent') return h;
  return { ...h, headers: { ...h.headers, 'User-Agent': clientUserAgent(run, client, connection) } };
}
