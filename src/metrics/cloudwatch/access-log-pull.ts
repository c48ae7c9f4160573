import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { parseClientUserAgent } from '../../contracts/client-user-agent.ts';
import { filterLogEvents, type LogPullLimits } from './log-events.ts';

/**
 * A stage's API Gateway access log over a run's window, read with FilterLogEvents (every line, no
 * pattern) and parsed in the stage's own format by `parse`, once the lines have settled. AWS does
 * not say how late access-log lines arrive: the group is read again every `pollMs` until the run's
 * CONNECT and MESSAGE lines cover what its clients are owed (each connect that opened, each frame
 * that was answered) and their count has stopped growing; past `maxMs`, or once nothing has arrived
 * for `stableMs` though lines are missing, it gives up and says what is missing. The run's lines
 * are the ones `ours` counts: on a WebSocket stage, those on connections whose CONNECT line
 * carries the run's User-Agent (runLines, src/contracts/client-user-agent.ts); on a publish
 * route's HTTP or REST API stage, those of the publishes' request IDs, under names of their own.
 * Every line of the window is handed back, for the join to keep what is the run's.
 */

/** What runLines reads of a WebSocket stage's line (the attribution's AccessLine has these and more). */
export interface AccessLogLineFacts {
  connectionId: string;
  eventType: string;
  userAgent?: string;
}

export interface AccessLogWait {
  /** the longest wait for the lines (`--metrics-wait` on AWS) */
  maxMs: number;
  /** give up this long after the count last grew, while lines are missing */
  stableMs: number;
  pollMs: number;
}

/** The emulator writes a line as each event completes: a short wait. */
export const LOCAL_ACCESS_LOG_WAIT: AccessLogWait = { maxMs: 15_000, stableMs: 2_000, pollMs: 250 };
/** AWS (and the emulator with AWS's timing): lines arrive late; FilterLogEvents' request rate is low. */
export const AWS_ACCESS_LOG_WAIT: AccessLogWait = { maxMs: 300_000, stableMs: 60_000, pollMs: 5_000 };

/** Pages and time for one read of the group. */
export const DEFAULT_ACCESS_LOG_LIMITS: LogPullLimits = { maxPages: 2_000, deadlineMs: 120_000 };

export interface AccessLogPullOptions<L> {
  logGroupName: string;
  /** the run, epoch ms; each read reaches from `startMs` to now (or `endMs` if later) */
  window: { startMs: number; endMs: number };
  /** a line in the stage's format; null for one that is not */
  parse: (message: string) => L | null;
  /** the lines the run's clients are owed: connects that opened, frames answered */
  expected: { connects: number; messages: number };
  /** how many of the lines read are the run's, by kind (a WebSocket stage's: runLines) */
  ours: (lines: readonly L[]) => { connects: number; messages: number };
  /** what each kind of line is called in the note (default CONNECT lines, MESSAGE lines) */
  names?: { connects: string; messages: string };
  wait: AccessLogWait;
  limits?: LogPullLimits;
  onStatus?: (line: string) => void;
}

export interface AccessLogPull<L> {
  /** every line of the last read, parsed (the run's and any other's in the window) */
  lines: L[];
  /** the run's CONNECT and MESSAGE lines in it */
  seen: { connects: number; messages: number };
  /** events in the group the format did not read */
  unparsed: number;
  /** the group does not exist (nothing was ever logged to it) */
  missing: boolean;
  /** the last read stopped at its page or time limit */
  truncated: boolean;
  waitedMs: number;
  /** the lines covered what the clients were owed, and had stopped growing */
  done: boolean;
  /** what was missing when the wait gave up, one line */
  note?: string;
}

export async function pullAccessLog<L>(logs: CloudWatchLogsClient, o: AccessLogPullOptions<L>): Promise<AccessLogPull<L>> {
  const began = Date.now();
  const limits = o.limits ?? DEFAULT_ACCESS_LOG_LIMITS;
  const owed = o.expected.connects + o.expected.messages;
  let previous = -1;
  let grewAt = began;
  for (;;) {
    const read = await readOnce(logs, o, limits);
    const now = Date.now();
    const total = read.seen.connects + read.seen.messages;
    const covered = read.seen.connects >= o.expected.connects && read.seen.messages >= o.expected.messages;
    const unchanged = total === previous;
    if (total !== previous) grewAt = now;
    previous = total;
    const waitedMs = now - began;
    if ((covered && unchanged) || read.truncated) return { ...read, waitedMs, done: covered };
    if (waitedMs >= o.wait.maxMs || (!covered && now - grewAt >= o.wait.stableMs)) {
      // out of time with every owed line in: only their settling went unconfirmed, nothing is missing
      if (covered) return { ...read, waitedMs, done: true };
      return { ...read, waitedMs, done: false, note: shortNote(o, read, waitedMs) };
    }
    if (!covered) {
      o.onStatus?.(`waiting for the access log: ${total} of ${owed} lines of the run, ${Math.round(waitedMs / 1000)} s (at most ${Math.round(o.wait.maxMs / 1000)} s)`);
    }
    await sleep(Math.min(o.wait.pollMs, Math.max(0, o.wait.maxMs - waitedMs)));
  }
}

async function readOnce<L>(logs: CloudWatchLogsClient, o: AccessLogPullOptions<L>, limits: LogPullLimits) {
  const lines: L[] = [];
  let unparsed = 0;
  const read = await filterLogEvents(logs, { logGroupName: o.logGroupName, startMs: o.window.startMs, endMs: Math.max(o.window.endMs, Date.now()) }, limits, (event) => {
    const line = o.parse(event.message ?? '');
    if (line) lines.push(line);
    else unparsed++;
  });
  return { lines, seen: o.ours(lines), unparsed, missing: read.missing, truncated: read.truncated };
}

/** The run's CONNECT lines (its User-Agent) and the MESSAGE lines on their connections. */
export function runLines(lines: readonly AccessLogLineFacts[], runId: string): { connects: number; messages: number } {
  const ours = new Set<string>();
  for (const l of lines) if (l.eventType === 'CONNECT' && parseClientUserAgent(l.userAgent, runId)) ours.add(l.connectionId);
  let messages = 0;
  for (const l of lines) if (l.eventType === 'MESSAGE' && ours.has(l.connectionId)) messages++;
  return { connects: ours.size, messages };
}

function shortNote<L>(o: AccessLogPullOptions<L>, read: { seen: { connects: number; messages: number }; missing: boolean }, waitedMs: number): string {
  const after = `after ${Math.round(waitedMs / 1000)} s`;
  if (read.missing) return `the access log group ${o.logGroupName} did not exist ${after}: the stage logged none of the run's requests`;
  const short: string[] = [];
  const names = o.names ?? { connects: 'CONNECT lines', messages: 'MESSAGE lines' };
  if (read.seen.connects < o.expected.connects) short.push(`${o.expected.connects - read.seen.connects} of ${o.expected.connects} ${names.connects}`);
  if (read.seen.messages < o.expected.messages) short.push(`${o.expected.messages - read.seen.messages} of ${o.expected.messages} ${names.messages}`);
  return `the access log ${o.logGroupName} lacked ${short.join(' and ')} of the run ${after} (--metrics-wait): their requests are unattributed`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
