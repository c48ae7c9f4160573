import { z } from 'zod';

/**
 * The emulator's own record of connections that went away and of the @connections posts made to
 * them afterwards (each answered 410 GoneException): what `GET /@emulator/gone-connections` on
 * the gateway's listener answers (emulator/gateway/gone-connections.ts writes it, the harness's
 * local target reads it: src/targets/emulator-gone-posts.ts). No AWS API says this; it is the
 * emulator's, which sees every post. One schema, so the two cannot drift apart.
 */

/** The path on the gateway's HTTP listener: `@` is no stage name's, so it never meets a stage's path. */
export const GONE_CONNECTIONS_PATH = '/@emulator/gone-connections';

/**
 * How a connection went: `no-close-frame`, its socket ended without a close frame from the client
 * (a dropped client: a lost network, a killed process); `client-close`, the client closed it;
 * `gateway-close`, the gateway did (idle timeout, maximum duration, DELETE @connections, shutdown).
 */
export const GONE_CAUSES = ['no-close-frame', 'client-close', 'gateway-close'] as const;
export type GoneCause = (typeof GONE_CAUSES)[number];

export const GoneConnection = z.object({
  connectionId: z.string(),
  /** epoch ms */
  connectedAt: z.number(),
  /** epoch ms the gateway saw the socket end */
  goneAt: z.number(),
  cause: z.enum(GONE_CAUSES),
  /** the close code $disconnect reported (1006 without a close frame) */
  closeCode: z.number().int(),
  /** @connections POSTs to it after it went (each answered 410) */
  posts: z.number().int().nonnegative(),
  /** epoch ms of the first and the last of them; null without any */
  firstPostAt: z.number().nullable(),
  lastPostAt: z.number().nullable(),
});
export type GoneConnection = z.infer<typeof GoneConnection>;

export const GoneConnections = z.object({
  /** the most connections the record keeps; past it the oldest are forgotten */
  cap: z.number().int().positive(),
  /** connections forgotten for the cap since the stack started */
  evicted: z.number().int().nonnegative(),
  /** POSTs answered 410 for ids not in the record (never opened, or forgotten) */
  unrecordedPosts: z.number().int().nonnegative(),
  /** oldest first; only those gone at or after `?since=<epoch ms>` when asked */
  connections: z.array(GoneConnection),
});
export type GoneConnections = z.infer<typeof GoneConnections>;
