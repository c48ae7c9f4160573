import { z } from 'zod';
import { LatencySummary } from './latency-summary-schema.ts';
import { PUBLISH_VIAS } from './publish-phase.ts';

/**
 * results.publish: each publish phase as it ran (issue 61), beside its entry in results.phases
 * (kind `publish`: its calls as sends, its deliveries' ledger, the latencies recorded while it
 * ran). What only a publish has is here: what it called, the API's answers, and the latency from
 * each publish's intended time to every recipient's delivery of it, whenever that arrived.
 */
export const PublishResult = z.object({
  /** the phase's name (results.phases[].name) */
  phase: z.string(),
  via: z.enum(PUBLISH_VIAS),
  /** the resource as the scenario names it */
  to: z.string(),
  /** what the calls named: the topic's ARN, the bus's name, the queue's URL, the table's or function's name, the URL */
  resource: z.string(),
  recipients: z.union([z.literal('everyone'), z.object({ room: z.number().int().nonnegative() })]),
  /** the deliveries each publish expected: the recipients open (and joined) when the phase began */
  recipientsPerPublish: z.number().int().nonnegative(),
  calls: z.object({
    /** publishes the schedule asked for */
    intended: z.number().int().nonnegative(),
    /** calls made */
    sent: z.number().int().nonnegative(),
    /** calls made more than 5 ms after their slot (still made; latency counts from the slot) */
    missedSlots: z.number().int().nonnegative(),
    /** calls the API accepted */
    acked: z.number().int().nonnegative(),
    /** calls refused or failed (their kinds in errors) */
    failed: z.number().int().nonnegative(),
  }),
  /** intended publish time → the API's answer, accepted calls */
  call: LatencySummary.optional(),
  /** intended publish time → each recipient's delivery (publish → delivery) */
  delivery: LatencySummary.optional(),
  /** the ledger of the phase's publishes: expected = received + lost (results.phases[] has the rest of it) */
  deliveries: z.object({
    expected: z.number().int().nonnegative(),
    received: z.number().int().nonnegative(),
    lost: z.number().int().nonnegative(),
    duplicates: z.number().int().nonnegative(),
  }),
  /** failed calls by kind ("publish:AccessDeniedException", "publish:http:500") */
  errors: z.record(z.string(), z.number().int().nonnegative()),
  /** the first failure's words, as the API said them */
  firstFailure: z.string().optional(),
});
export type PublishResult = z.infer<typeof PublishResult>;
