/**
 * The User-Agent each simulated client sends with its handshake: it names the run, the client
 * and which of the client's connections this is (0 the first, 1 after its first reconnect, …),
 * so that API Gateway's CONNECT access-log line (`$context.identity.userAgent`) names the client
 * behind each connection ID. The fleet writes it; the attribution join reads it back.
 */
const PREFIX = 'fanout-bench/';

export function clientUserAgent(runId: string, client: number, connection: number): string {
  return `${PREFIX}${runId} client/${client}.${connection}`;
}

/** The client and connection a User-Agent of `runId` names; undefined for any other (another run's, a browser's, none). */
export function parseClientUserAgent(userAgent: string | undefined, runId: string): { client: number; connection: number } | undefined {
  if (userAgent === undefined) return undefined;
  const head = `${PREFIX}${runId} client/`;
  if (!userAgent.startsWith(head)) return undefined;
  const rest = userAgent.slice(head.length);
  const dot = rest.indexOf('.');
  if (dot <= 0) return undefined;
  const client = Number(rest.slice(0, dot));
  const connection = Number(rest.slice(dot + 1));
  if (!Number.isInteger(client) || client < 0 || !Number.isInteger(connection) || connection < 0) return undefined;
  return { client, connection };
}
