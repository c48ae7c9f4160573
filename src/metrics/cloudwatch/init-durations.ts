import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { FunctionError, ReportLineStats } from '../../contracts/cloudwatch-schema.ts';
import { classifyLogEvent, classifyReportLine, ERROR_FILTER_TERMS, FunctionErrorAccumulator } from './function-errors.ts';
import { LOGGED_ERROR_FILTER_TERMS } from './logged-errors.ts';
import { LoggedErrorCollector } from './logged-error-collector.ts';
import { encodeHistogram, newHistogram } from '../measurement/histogram.ts';
import { summarize } from '../measurement/latency-summary.ts';
import { filterLogEvents, type LogPullLimits } from './log-events.ts';
import { coldOnRequestPath, initNotInBilledMs, parseAnyReport, type ReportLine } from './report-lines.ts';
import { defaultLogGroup } from './function-log-group.ts';

/**
 * Cold starts, init durations and billed time per function, from the REPORT line Lambda writes
 * after every invocation (or its `platform.report` event, for a function logging JSON). FilterLogEvents with the pattern "REPORT" works the same on AWS and on
 * the emulator; on AWS, Logs Insights (StartQuery `filter @type = "REPORT" | stats …`) would
 * aggregate server-side and scale better, but it is AWS-only and asynchronous. The same pull reads
 * the function's errors in its own words (function-errors.ts): one filter pattern with both, so a
 * function costs one series of FilterLogEvents pages, not two, and an error-free log adds nothing.
 */

/**
 * REPORT lines (and the JSON log format's `platform.report` events: terms match case-sensitively),
 * and every error form function-errors.ts classifies.
 */
export const REPORT_AND_ERRORS_PATTERN = ['REPORT', '"platform.report"', ...ERROR_FILTER_TERMS, ...LOGGED_ERROR_FILTER_TERMS].map((t) => `?${t}`).join(' ');

/** Folds REPORT lines into histograms and totals: no per-invocation array is ever kept. */
export class ReportLineAccumulator {
  private readonly init = newHistogram();
  private readonly restore = newHistogram();
  private restores = 0;
  private restoreMs = 0;
  private billedRestoreMs = 0;
  private readonly duration = newHistogram();
  private readonly coldByPeriod = new Map<number, number>();
  private invocations = 0;
  private coldStarts = 0;
  private durationMs = 0;
  private billedMs = 0;
  private initMs = 0;
  private initExtraMs = 0;
  private memorySizeMB: number | null = null;
  private maxMemoryUsedMB: number | null = null;
  truncated = false;

  constructor(private readonly periodMs: number) {}

  add(line: ReportLine, timestampMs: number): void {
    this.invocations++;
    this.durationMs += line.durationMs;
    this.billedMs += line.billedDurationMs;
    this.duration.recordValue(Math.max(1, Math.round(line.durationMs * 1000)));
    this.memorySizeMB = line.memorySizeMB;
    this.maxMemoryUsedMB = Math.max(this.maxMemoryUsedMB ?? 0, line.maxMemoryUsedMB);
    if (line.initDurationMs !== undefined) {
      this.coldStarts++;
      this.initMs += line.initDurationMs;
      this.initExtraMs += initNotInBilledMs(line);
      this.init.recordValue(Math.max(1, Math.round(line.initDurationMs * 1000)));
    }
    if (line.restoreDurationMs !== undefined) {
      this.restores++;
      this.restoreMs += line.restoreDurationMs;
      this.billedRestoreMs += line.billedRestoreDurationMs ?? 0;
      this.restore.recordValue(Math.max(1, Math.round(line.restoreDurationMs * 1000)));
    }
    if (coldOnRequestPath(line)) {
      const period = Math.floor(timestampMs / this.periodMs) * this.periodMs;
      this.coldByPeriod.set(period, (this.coldByPeriod.get(period) ?? 0) + 1);
    }
  }

  get count(): number {
    return this.invocations;
  }

  stats(): ReportLineStats {
    const cold = [...this.coldByPeriod.entries()].sort((a, b) => a[0] - b[0]);
    const initHistogram = encodeHistogram(this.init);
    return {
      invocations: this.invocations,
      coldStarts: this.coldStarts,
      initDuration: this.coldStarts > 0 ? summarize(this.init) : null,
      ...(initHistogram ? { initHistogram } : {}),
      duration: this.invocations > 0 ? summarize(this.duration) : null,
      durationMsTotal: round3(this.durationMs),
      billedDurationMsTotal: round3(this.billedMs),
      initDurationMsTotal: round3(this.initMs),
      initNotInBilledMs: this.initExtraMs,
      memorySizeMB: this.memorySizeMB,
      maxMemoryUsedMB: this.maxMemoryUsedMB,
      ...(this.restores > 0
        ? { restores: this.restores, restoreDuration: summarize(this.restore), restoreDurationMsTotal: round3(this.restoreMs), billedRestoreDurationMsTotal: round3(this.billedRestoreMs) }
        : {}),
      coldStartsOverTime: { timestamps: cold.map((c) => c[0]), values: cold.map((c) => c[1]) },
      truncated: this.truncated,
    };
  }
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** FilterLogEvents pages and the wall-clock budget per function's log */
export const DEFAULT_REPORT_LIMITS: LogPullLimits = { maxPages: 2_000, deadlineMs: 120_000 };

/** What one function's log says of the window: its REPORT lines, and its errors, most first. */
export interface FunctionLog {
  reports: ReportLineStats;
  errors: FunctionError[];
  /** the errors its code logged and went on (`logged: true`; logged-errors.ts) */
  logged: FunctionError[];
}

/**
 * Reads one function's REPORT lines and error lines in the window. A function never invoked has
 * no log group (ResourceNotFoundException): that is zero lines, not a failure. Returns null in
 * that case.
 */
export async function pullReportLines(
  logs: CloudWatchLogsClient,
  functionName: string,
  window: { startMs: number; endMs: number; periodSec: number },
  limits: LogPullLimits = DEFAULT_REPORT_LIMITS,
  /** every report read, as it is read, with its log stream (the attribution join's invocations: the same pages, no second pass) */
  onReport?: (line: ReportLine, stream: string | undefined) => void,
  /** the function's log group (its LoggingConfig.LogGroup; default `/aws/lambda/<name>`) */
  logGroupName: string = defaultLogGroup(functionName),
): Promise<FunctionLog | null> {
  const acc = new ReportLineAccumulator(window.periodSec * 1000);
  const errors = new FunctionErrorAccumulator();
  const logged = new LoggedErrorCollector();
  const read = await filterLogEvents(logs, { logGroupName, filterPattern: REPORT_AND_ERRORS_PATTERN, ...window }, limits, (event) => {
    const at = event.timestamp ?? window.startMs;
    const line = parseAnyReport(event.message ?? '');
    const error = line ? classifyReportLine(line) : classifyLogEvent(event.message ?? '');
    if (line) {
      acc.add(line, at);
      onReport?.(line, event.logStreamName);
    }
    if (error) errors.add(error, at);
    logged.offer(event, at, line, error !== null);
  });
  if (read.missing) return null;
  acc.truncated = read.truncated;
  return { reports: acc.stats(), errors: errors.errors(), logged: await logged.finish(logs, logGroupName) };
}
