import type { Results } from '../contracts/results-schema.ts';

/**
 * Posts answered 410 GoneException, told apart by what the run knows of its own connections.
 * API Gateway answers 410 for any id that is not an open connection (docs/aws-facts.md, "Using
 * @connections"): one that went away, and one that never was. Where none of the run's connections
 * closed (no drop, every one opened still open at the end), a 410 cannot be a stale connection of
 * the run: the id posted to was never one of its connections, mangled on the way or a row left
 * from an earlier run. Deleting the row and going on, the stale-connection remedy, would hide that.
 */
export function noRunConnectionClosed(r: Results): boolean {
  const c = r.connections;
  return c !== undefined && (r.stale?.dropped ?? 0) === 0 && c.opened > 0 && c.openAtEnd >= c.opened;
}

/** What would move posts answered 410: an id that never was a connection, or a stale one. */
export function goneRemedy(r: Results): string {
  return noRunConnectionClosed(r)
    ? "none of the run's connections had closed, so the ids posted to were never connections of the run: post to the id exactly as $context.connectionId (the event's requestContext.connectionId) gave it; one passed through a form body or a template unencoded arrives changed (a `+` read as a space: `$util.urlEncode(...)` it), and a row left from an earlier run names a connection long gone"
    : 'catch GoneException around each post (the connection is stale), delete its row and go on to the next connection';
}
