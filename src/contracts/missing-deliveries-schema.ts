import { z } from 'zod';

/**
 * Where a run's lost deliveries went missing (results.json `deliveries.missing`): by room, by
 * message and by recipient connection, and the shape of the loss named. Written only when
 * deliveries were lost. Clients are the harness's ids (the sender's id is in every probe's text
 * "fb1|<origin>|<slot>|<sender>|<seq>|…", which a stack that logs its messages shows); times are
 * ISO, to find them in the target's own logs.
 */

export const SHAPES = ['own-copy', 'connection', 'one-per-message', 'burst', 'scattered', 'after-loss-timeout', 'untraced'] as const;
export type ShapeKind = (typeof SHAPES)[number];

export const MissingShape = z.object({
  /**
   * own-copy: messages whose one missing recipient was their own sender (a target that does not
   * echo a message to its sender, under a protocol that says it does: recipients room);
   * connection: connections that missed every lost message of their room while counted members;
   * one-per-message: most lost messages missed one recipient, different ones;
   * burst: messages lost whole (no member received them);
   * scattered: misses spread over recipients and messages in no simpler shape;
   * after-loss-timeout: lost deliveries that arrived after all, past the loss timeout;
   * untraced: lost deliveries no member of the harness's own count missed (the target counted
   * recipients the harness does not), or that could not be traced (`tracedWhy`)
   */
  kind: z.enum(SHAPES),
  /** lost deliveries this shape accounts for */
  deliveries: z.number().int().nonnegative(),
  line: z.string(),
  /** the clients it names (at most 10) */
  clients: z.array(z.number().int()).optional(),
});
export type MissingShape = z.infer<typeof MissingShape>;

export const MissingDeliveries = z.object({
  /** acknowledged messages with at least one delivery lost; the first `listed` of them are traced */
  messages: z.number().int().nonnegative(),
  listed: z.number().int().nonnegative(),
  /** rooms with a lost delivery, most lost first (at most 20; `rooms` counts them all) */
  rooms: z.number().int().nonnegative(),
  byRoom: z.array(z.object({ room: z.string(), messages: z.number().int(), lost: z.number().int() })),
  /** the first lost messages, by intended send time (at most 50) */
  byMessage: z.array(
    z.object({
      phase: z.string(),
      room: z.string(),
      /** the sending client and its sequence number (the probe's <sender>|<seq>) */
      sender: z.number().int(),
      seq: z.number().int(),
      /** intended send time, ISO */
      at: z.string(),
      expected: z.number().int(),
      received: z.number().int(),
      /** the members that did not receive it (at most 10) */
      missedBy: z.array(z.number().int()).optional(),
    }),
  ),
  /** clients that missed at least one traced message (`byRecipient` lists the 50 that missed most) */
  recipients: z.number().int().nonnegative(),
  byRecipient: z.array(
    z.object({
      client: z.number().int(),
      room: z.string(),
      /** traced lost messages it was a member for, and of those, the ones it did not receive */
      expected: z.number().int(),
      missed: z.number().int(),
      /** deliveries it received in the whole run, the latest at `lastAt` (ISO) */
      received: z.number().int(),
      lastAt: z.string().optional(),
      /** "open" at the end, or why not ("close:1006", "dropped", "never connected": a client that was a member and left) */
      state: z.string(),
      closedAt: z.string().optional(),
    }),
  ),
  shapes: z.array(MissingShape),
  /** why recipients are not named, when they are not (a shard failed, its receipt book filled) */
  tracedWhy: z.string().optional(),
});
export type MissingDeliveries = z.infer<typeof MissingDeliveries>;
