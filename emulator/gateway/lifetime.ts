import type { GatewayContext } from './context.ts';

/**
 * Idle timeout and maximum connection duration: both close with 1001 "Going away", then
 * $disconnect. One periodic sweep instead of a timer per connection, so a message does not have
 * to reset a timer; the sweep period is a tenth of the shorter limit (20 ms to 1 s), which bounds
 * how late a close can be.
 *
 * What counts as activity is `limits.idleTimeoutRule`: `client`, only the client's own messages;
 * `either` (default), traffic either way: its messages, @connections posts delivered to it and
 * route responses. AWS documents the 10-minute idle timeout but not the direction; published
 * experience (server-sent keep-alives holding connections open) says either.
 */
export function startLifetimeSweep(ctx: GatewayContext): () => void {
  const idleMs = ctx.config.limits.idleTimeoutSeconds * 1000;
  const maxMs = ctx.config.limits.maxConnectionSeconds * 1000;
  const either = ctx.config.limits.idleTimeoutRule === 'either';
  const period = Math.min(1000, Math.max(20, Math.min(idleMs, maxMs) / 10));
  const timer = setInterval(() => {
    const now = Date.now();
    for (const conn of ctx.registry.values()) {
      if (conn.state !== 'open') continue;
      // lastClientMessageAt starts when the socket opens; lastActiveAt is also moved by traffic out.
      const last = either ? Math.max(conn.lastActiveAt, conn.lastClientMessageAt) : conn.lastClientMessageAt;
      if (now - conn.connectedAt >= maxMs || now - last >= idleMs) {
        conn.close(1001, 'Going away');
      }
    }
  }, period);
  timer.unref();
  return () => clearInterval(timer);
}
