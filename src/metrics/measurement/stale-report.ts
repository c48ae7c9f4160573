/** One message as the stale-cleanup analysis reads it. */
export interface MessageView {
  phase: number;
  intended: number;
  ackAt: number;
  acked: boolean;
  recipients: number;
  gone: number;
  received: number;
}

/**
 * Stale-connection cleanup, read from the messages after a drop: clients vanished without a close
 * frame and their $disconnect was lost, so the system still lists them until a fan-out's 410
 * makes it delete them.
 *   gone410       Σ gone in the acks (the whole run)
 *   timeToCleanMs from the first message sent after the drop until the ack of the last message
 *                 that still hit a stale connection, if a later message was seen clean; null if
 *                 broadcasts never stopped hitting stale connections
 *   wastedPosts   Σ (recipients − deliveries received) over acknowledged messages after the drop
 */
export interface StaleResult {
  dropped: number;
  gone410: number;
  timeToCleanMs: number | null;
  wastedPosts: number;
}

/**
 * The same, kept as messages become final (the ledger feeds it), so no message needs to be kept
 * until the end of the run: a few numbers, however long the run.
 */
export class StaleTally {
  private gone410 = 0;
  private wastedPosts = 0;
  private firstAfter = Infinity;
  private ackedAfter = 0;
  /** the last message (by intended time) after the drop that still hit a stale connection */
  private lastHit: { intended: number; ackAt: number } | undefined;
  /** the latest intended time of an acknowledged message after the drop that hit none */
  private lastClean = -Infinity;
  /** the latest intended time of a message after the drop that reached the target (acknowledged or fire-and-forget) */
  private lastSent = -Infinity;

  constructor(readonly dropPhase: number) {}

  add(m: MessageView): void {
    if (m.acked) this.gone410 += m.gone;
    if (m.phase <= this.dropPhase) return;
    this.firstAfter = Math.min(this.firstAfter, m.intended);
    if (!m.acked) return;
    this.lastSent = Math.max(this.lastSent, m.intended);
    this.ackedAfter++;
    this.wastedPosts += Math.max(0, m.recipients - m.received);
    if (m.gone > 0) {
      if (!this.lastHit || m.intended > this.lastHit.intended) this.lastHit = { intended: m.intended, ackAt: m.ackAt };
    } else {
      this.lastClean = Math.max(this.lastClean, m.intended);
    }
  }

  /**
   * A fire-and-forget message (no ack says whom it reached) of `phase`, sent at `intended`: it says
   * nothing of 410s, only that sends went on after the drop.
   */
  sent(phase: number, intended: number): void {
    if (phase > this.dropPhase) this.lastSent = Math.max(this.lastSent, intended);
  }

  /** The intended time of the last message after the drop that reached the target; undefined: none did. */
  lastSentAfterDrop(): number | undefined {
    return this.lastSent === -Infinity ? undefined : this.lastSent;
  }

  result(dropped: number): StaleResult {
    let timeToCleanMs: number | null = null;
    if (this.ackedAfter > 0) {
      if (!this.lastHit) timeToCleanMs = 0;
      else if (this.lastClean > this.lastHit.intended) {
        timeToCleanMs = Math.max(0, Math.round((this.lastHit.ackAt - this.firstAfter) * 1000) / 1000);
      }
    }
    return { dropped, gone410: this.gone410, timeToCleanMs, wastedPosts: this.wastedPosts };
  }
}

export function staleReport(messages: Iterable<MessageView>, dropPhase: number, dropped: number): StaleResult {
  const tally = new StaleTally(dropPhase);
  for (const m of messages) tally.add(m);
  return tally.result(dropped);
}

/**
 * What a target saw itself of posts to the connections of dropped clients (each answered 410
 * Gone), for a protocol whose answers do not count them: the emulator's gateway record, the
 * functions' logs (src/targets/). `source` says where from, as results keep it.
 */
export interface StalePostsSeen {
  posts: number;
  /** epoch ms of the last such post; null when there was none */
  lastPostAt: number | null;
  /** where the figures come from, one phrase ("the emulator's gateway: …") */
  source: string;
}

/** A target's view of stale posts, or why it has none for this run. */
export type StalePostsView = StalePostsSeen | { unseen: string };

/**
 * Stale-connection cleanup from the target's view instead of the acks:
 *   gone410, wastedPosts  the posts the target saw to dropped clients' connections
 *   timeToCleanMs         from the drop (`dropAt`, the harness's own time) to the last of them,
 *                         0 without any; null when they did not stop before the run's last
 *                         message after the drop (`lastSentAt`) went out, or when none went out
 */
export function staleFromTarget(seen: StalePostsSeen, o: { dropped: number; dropAt: number; lastSentAt: number | undefined }): StaleResult {
  let timeToCleanMs: number | null = null;
  if (o.lastSentAt !== undefined) {
    if (seen.lastPostAt === null) timeToCleanMs = 0;
    else if (seen.lastPostAt < o.lastSentAt) timeToCleanMs = Math.max(0, Math.round((seen.lastPostAt - o.dropAt) * 1000) / 1000);
  }
  return { dropped: o.dropped, gone410: seen.posts, timeToCleanMs, wastedPosts: seen.posts };
}
