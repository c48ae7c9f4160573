import { type CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { endsTraceback, isTracebackHeader, LOGGED_ERROR_KIND, tracebackBlock, type CaughtError } from './logged-errors.ts';

/**
 * A traceback a Python function printed without raising (`traceback.print_exc()`, `print(…)`)
 * reaches its log one event per line: the error pull's filter finds its `Traceback (most recent
 * call last):` line alone, and the frames and the exception line follow it in the same stream.
 * Each header found is read on from there (FilterLogEvents on its stream, a few seconds, no
 * pattern) to its exception line, up to `MAX_READ` per function: past that, a header is counted
 * as a printed traceback whose lines were not read, never guessed to be another's kind.
 */
export interface TracebackHeader {
  stream: string;
  /** epoch ms */
  at: number;
  eventId?: string;
}

export const MAX_READ = 20;
/** How far after its header a traceback's lines are looked for, and how many of them. */
const SPAN_MS = 5_000;
const MAX_LINES = 200;

export async function readPrintedTracebacks(logs: CloudWatchLogsClient, logGroupName: string, headers: readonly TracebackHeader[]): Promise<{ error: CaughtError; at: number }[]> {
  const out: { error: CaughtError; at: number }[] = [];
  for (const [i, h] of headers.entries()) {
    const read = i < MAX_READ ? await readOne(logs, logGroupName, h).catch(() => null) : null;
    out.push({ error: read ?? unread(i < MAX_READ), at: h.at });
  }
  return out;
}

async function readOne(logs: CloudWatchLogsClient, logGroupName: string, h: TracebackHeader): Promise<CaughtError | null> {
  const page = await logs.send(new FilterLogEventsCommand({ logGroupName, logStreamNames: [h.stream], startTime: Math.floor(h.at), endTime: Math.ceil(h.at + SPAN_MS), limit: MAX_LINES }));
  const events = page.events ?? [];
  let start = h.eventId === undefined ? -1 : events.findIndex((e) => e.eventId === h.eventId);
  if (start < 0) start = events.findIndex((e) => isTracebackHeader(e.message ?? ''));
  if (start < 0) return null;
  const lines: string[] = [];
  for (const e of events.slice(start)) {
    lines.push((e.message ?? '').replace(/\r?\n$/, ''));
    if (endsTraceback(lines)) return tracebackBlock(lines, 'invoke');
  }
  return null;
}

function unread(tried: boolean): CaughtError {
  const why = tried ? 'its lines could not be read' : `its lines not read: past the first ${MAX_READ} of the function`;
  return { kind: LOGGED_ERROR_KIND, message: `a printed traceback (${why})`, phase: 'invoke', firstFrame: null, logged: true };
}
