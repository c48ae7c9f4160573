import type { CloudWatchLogsClient, FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { FunctionError } from '../../contracts/cloudwatch-schema.ts';
import { FunctionErrorAccumulator } from './function-errors.ts';
import { classifyLoggedLine, isTracebackHeader } from './logged-errors.ts';
import { readPrintedTracebacks, type TracebackHeader } from './printed-tracebacks.ts';
import type { ReportLine } from './report-lines.ts';

/** JSON error lines kept until the reports say which invocations failed (a thrown error's line is the runtime's). */
const MAX_DEFERRED = 20_000;

/**
 * One function's logged errors (logged-errors.ts), from the same FilterLogEvents pages as its
 * REPORT lines and thrown errors: each event the pull read that is neither is offered here. A JSON
 * line waits for the reports (an invocation that failed logged its thrown error at ERROR too), a
 * printed traceback's header for its lines (printed-tracebacks.ts); `finish` counts them all.
 */
export class LoggedErrorCollector {
  private readonly logged = new FunctionErrorAccumulator({ foldNumbers: true });
  private readonly failed = new Set<string>();
  private readonly deferred: { message: string; at: number }[] = [];
  private readonly tracebacks: TracebackHeader[] = [];

  /** Every event the pull read, with what it already made of it (a report, a thrown error). */
  offer(event: FilteredLogEvent, at: number, report: ReportLine | null, thrown: boolean): void {
    if (report) {
      if (report.status !== undefined && report.status !== 'success') this.failed.add(report.requestId);
      return;
    }
    if (thrown) return;
    const message = event.message ?? '';
    if (message.startsWith('{')) {
      if (this.deferred.length < MAX_DEFERRED) this.deferred.push({ message, at });
    } else if (isTracebackHeader(message)) {
      this.tracebacks.push({ stream: event.logStreamName ?? '', at, ...(event.eventId ? { eventId: event.eventId } : {}) });
    } else {
      const caught = classifyLoggedLine(message);
      if (caught) this.logged.add(caught, at);
    }
  }

  /** The logged errors, most first, once the JSON lines are judged and the printed tracebacks read. */
  async finish(logs: CloudWatchLogsClient, logGroupName: string): Promise<FunctionError[]> {
    for (const d of this.deferred) {
      const caught = classifyLoggedLine(d.message, (id) => this.failed.has(id));
      if (caught) this.logged.add(caught, d.at);
    }
    for (const t of await readPrintedTracebacks(logs, logGroupName, this.tracebacks)) this.logged.add(t.error, t.at);
    return this.logged.errors();
  }
}
