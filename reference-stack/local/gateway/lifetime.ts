import type { GatewayContext } from './context.ts';

/**
 * Idle timeout (no message from the client for idleTimeoutSeconds) and maximum connection
 * duration: both close with 1001 "Going away", then $disconnect. One periodic sweep instead of a
 * timer per connection, so a message does not have to reset a timer; the sweep period is a tenth
 * of the shorter limit (20 ms to 1 s), which bounds how late a close can be.
 */
export function startLifetimeSweep(ctx: GatewayContext): () => void {
  const idleMs = ctx.config.limits.idleTimeoutSeconds * 1000;
  const maxMs = ctx.config.limits.maxConnectionSeconds * 1000;
  const period = Math.min(1000, Math.max(20, Math.min(idleMs, maxMs) / 10));
  const timer = setInterval(() => {
    const now = Date.now();
    for (const conn of ctx.registry.values()) {
      if (conn.state !== 'open') continue;
      if (now - conn.connectedAt >= maxMs || now - conn.lastClientMessageAt >= idleMs) {
        conn.close(1001, 'Going away');
      }
    }
  }, period);
  timer.unref();
  return () => clearInterval(timer);
}
