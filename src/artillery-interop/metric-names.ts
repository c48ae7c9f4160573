/**
 * The names artillery-engine-fanout gives its Artillery metrics (the engine is bundled with this
 * file) and the report reads them back by.
 *
 * Histograms are in milliseconds (Artillery keeps them as DDSketch summaries); counters are summed
 * over workers and, per period, over the period; error kinds become Artillery's `errors.<kind>`.
 */
export const HISTOGRAMS = {
  /** intended connect time → open */
  connect: 'fanout.connect',
  /** intended join time → joined */
  join: 'fanout.join',
  /** intended send time → the sender's `sent` ack */
  ack: 'fanout.ack',
  /** intended send time → each member's delivery (cold and warm together) */
  broadcast: 'fanout.broadcast',
  broadcastCold: 'fanout.broadcast_cold',
  broadcastWarm: 'fanout.broadcast_warm',
  /** intended send time → the last member's delivery, for messages that reached every expected member */
  fanoutCompletion: 'fanout.fanout_completion',
  /** per worker per second: event-loop lag p99 */
  loopLag: 'fanout.worker.loop_lag',
  /** per worker per second: CPU in cores of the worker's process */
  cpuCores: 'fanout.worker.cpu_cores',
  /** one per worker: event-loop lag p99 over its whole run */
  runLagP99: 'fanout.worker.run_lag_p99',
  /** one per worker: the longest event-loop lag of its run */
  runLagMax: 'fanout.worker.run_lag_max',
  /** one per worker: its busiest 3 seconds, in cores */
  cpuPeak: 'fanout.worker.cpu_peak',
  /** one per worker: peak resident memory, MB */
  rss: 'fanout.worker.rss_mb',
  /** one per worker that saw stale connections cleaned: first send after the drop → ack of the last message still hitting one */
  staleTimeToClean: 'fanout.stale.time_to_clean',
} as const;

export const COUNTERS = {
  /** virtual users that started playing a plan: one per worker */
  workers: 'fanout.workers',
  /** the plan of the workers that started: clients and rooms */
  planClients: 'fanout.plan.clients',
  planRooms: 'fanout.plan.rooms',
  /** the workers' hosts: cores and memory (MB), summed */
  hostCpus: 'fanout.host.cpus',
  hostMemoryMB: 'fanout.host.memory_mb',
  /** workers whose event loop or CPU was the bottleneck (the harness's saturation rule) */
  saturated: 'fanout.worker.saturated',
  /** CPU time of the workers' processes, ms */
  cpuMs: 'fanout.worker.cpu_ms',

  connectsAttempted: 'fanout.connections.attempted',
  connectsOpened: 'fanout.connections.opened',
  connectsFailed: 'fanout.connections.failed',
  connectsMissed: 'fanout.connections.missed_slots',
  /** a socket that had opened closed (drops and the end of the run included) */
  connectsClosed: 'fanout.connections.closed',
  /** open at the end of the last phase */
  openAtEnd: 'fanout.connections.open_at_end',
  joined: 'fanout.joins.ok',
  joinFailed: 'fanout.joins.failed',

  sendsIntended: 'fanout.sends.intended',
  sendsSent: 'fanout.sends.sent',
  sendsSkipped: 'fanout.sends.skipped',
  /** a sender not open and joined had a member of its room send in its place (a phase's first time) */
  sendsStoodIn: 'fanout.sends.stood_in',
  sendsMissed: 'fanout.sends.missed_slots',
  sendsAcked: 'fanout.sends.acked',
  sendsFailed: 'fanout.sends.failed',

  /** every delivery frame as it arrives (duplicates included): throughput */
  arrived: 'fanout.deliveries.arrived',
  expected: 'fanout.deliveries.expected',
  received: 'fanout.deliveries.received',
  lost: 'fanout.deliveries.lost',
  late: 'fanout.deliveries.late',
  lostEarly: 'fanout.deliveries.lost_early',
  afterLossTimeout: 'fanout.deliveries.after_loss_timeout',
  unacknowledged: 'fanout.deliveries.unacknowledged',
  surplus: 'fanout.deliveries.surplus',
  foreign: 'fanout.deliveries.foreign',
  underreported: 'fanout.deliveries.underreported',
  duplicates: 'fanout.deliveries.duplicates',
  outOfOrder: 'fanout.deliveries.out_of_order',
  /** deliveries of messages a cold sendMessage environment handled */
  arrivedCold: 'fanout.deliveries.cold',

  dropped: 'fanout.stale.dropped',
  gone410: 'fanout.stale.gone410',
  wastedPosts: 'fanout.stale.wasted_posts',
  /** workers with a drop whose broadcasts never ran clean */
  neverClean: 'fanout.stale.never_clean',
  /** workers with a drop phase */
  staleWatched: 'fanout.stale.workers',
} as const;

/** `fanout.phase.<index>`: a worker began phase <index> of its plan (1 per worker). */
export const PHASE_PREFIX = 'fanout.phase.';
