import type { InitializationType } from '../types.ts';

/**
 * The platform lines Lambda writes around every invocation, in Lambda's text format:
 *   START RequestId: <id> Version: $LATEST
 *   END RequestId: <id>
 *   REPORT RequestId: <id>\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 78 MB\tInit Duration: 95.21 ms\t
 * Init Duration only on cold starts. Billed Duration is ceil(Duration) and, on cold starts,
 * ceil(Duration + Init Duration): AWS bills INIT for on-demand functions since 1 August 2025.
 * An environment restored from a SnapStart snapshot has no Init Duration (INIT ran at publish) but
 * `Restore Duration: 12.34 ms\tBilled Restore Duration: 9 ms\t` on its first REPORT line.
 * A timed-out or crashed invocation adds `Status: timeout` / `Status: error\tError Type: …`, and
 * so does one whose INIT failed: every invocation has its REPORT line.
 */
export interface ReportFields {
  requestId: string;
  durationMs: number;
  memoryMB: number;
  maxMemoryUsedMB: number;
  initDurationMs?: number;
  /** a SnapStart restore on this request's path: the whole restore, and its part billed (the runtime's load and the after-restore hooks) */
  restoreDurationMs?: number;
  billedRestoreDurationMs?: number;
  status?: 'timeout' | 'error';
  errorType?: string;
}

/** What a cold start adds to an environment's first REPORT line: an on-demand INIT, or a SnapStart restore. */
export type ColdStart = Pick<ReportFields, 'initDurationMs' | 'restoreDurationMs' | 'billedRestoreDurationMs'>;

export function billedDurationMs(durationMs: number, initDurationMs?: number): number {
  return Math.ceil(durationMs + (initDurationMs ?? 0));
}

/** `version`: the version the environment runs (`$LATEST`, or a published version's number). */
export function startLine(requestId: string, version = '$LATEST'): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

export function reportLine(f: ReportFields): string {
  let line =
    `REPORT RequestId: ${f.requestId}\tDuration: ${f.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${billedDurationMs(f.durationMs, f.initDurationMs)} ms\t` +
    `Memory Size: ${f.memoryMB} MB\tMax Memory Used: ${f.maxMemoryUsedMB} MB\t`;
  if (f.initDurationMs !== undefined) line += `Init Duration: ${f.initDurationMs.toFixed(2)} ms\t`;
  if (f.restoreDurationMs !== undefined) line += `Restore Duration: ${f.restoreDurationMs.toFixed(2)} ms\tBilled Restore Duration: ${Math.ceil(f.billedRestoreDurationMs ?? 0)} ms\t`;
  if (f.status) line += `Status: ${f.status}\t`;
  if (f.errorType) line += `Error Type: ${f.errorType}\t`;
  return line;
}

/** `INIT_REPORT` when INIT fails or times out (Lambda writes it for failed inits), and of a SnapStart version's INIT at publish. */
export function initReportLine(initDurationMs: number, status: 'success' | 'error' | 'timeout', errorType?: string): string {
  return `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: ${status}\t${errorType ? `Error Type: ${errorType}\t` : ''}`;
}

/** `RESTORE_REPORT`: a SnapStart environment's restore (its Restore Duration; a failed one's status and error type). */
export function restoreReportLine(restoreDurationMs: number, status: 'success' | 'error' | 'timeout', errorType?: string): string {
  return `RESTORE_REPORT Restore Duration: ${restoreDurationMs.toFixed(2)} ms\t${status === 'success' ? '' : `Status: ${status}\t`}${errorType ? `Error Type: ${errorType}\t` : ''}`;
}

/** "Task timed out after 3.00 seconds" */
export function timeoutMessage(timeoutSeconds: number): string {
  return `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/** What a function's size and timeout put in the lines below. */
interface FunctionLimits {
  memoryMB: number;
  timeoutSeconds: number;
}

/**
 * The platform's lines in a function's log format: these (text), or the JSON format's events
 * (platform-lines.ts). A line the format's SystemLogLevel drops is `undefined`.
 */
export interface PlatformLines {
  /** platform.initStart (JSON only: the text format writes no line when INIT begins here) */
  initStart(): string | undefined;
  start(requestId: string): string | undefined;
  /** END, or platform.runtimeDone with the invocation's status */
  end(requestId: string, status?: RunStatus, errorType?: string): string | undefined;
  /**
   * REPORT, or platform.report. `handlerError`: the error type of a handler that threw or
   * rejected: the JSON format's report says `"status":"error"` with it, the text REPORT says nothing.
   */
  report(f: ReportFields, handlerError?: string): string | undefined;
  /**
   * INIT_REPORT, or platform.initReport, of an INIT that failed or timed out; of one that
   * succeeded off a request's path, platform.initReport (provisioned concurrency) or both (SnapStart's INIT at publish).
   */
  initReport(initDurationMs: number, status: 'success' | 'error' | 'timeout', errorType?: string): string | undefined;
  /** platform.restoreStart (JSON only, as initStart) */
  restoreStart(): string | undefined;
  /** RESTORE_REPORT, or platform.restoreReport */
  restoreReport(restoreDurationMs: number, status: 'success' | 'error' | 'timeout', errorType?: string): string | undefined;
  /** `<time> <id> Task timed out after …` (text only: JSON says it in runtimeDone's and report's status) */
  timedOut(requestId: string, timeoutSeconds: number, now?: Date): string | undefined;
}

export type RunStatus = 'success' | 'error' | 'timeout';

/**
 * These lines as the PlatformLines of the text format for an environment of `version` (platform-lines.ts
 * has the JSON format's); a successful INIT has its INIT_REPORT line only when it is SnapStart's.
 */
export function textPlatformLines(version: string, initializationType: InitializationType = 'on-demand'): PlatformLines {
  return {
    initStart: () => undefined,
    start: (requestId) => startLine(requestId, version),
    end: (requestId) => endLine(requestId),
    report: (f) => reportLine(f),
    initReport: (initDurationMs, status, errorType) => (status === 'success' && initializationType !== 'snap-start' ? undefined : initReportLine(initDurationMs, status, errorType)),
    restoreStart: () => undefined,
    restoreReport: (ms, status, errorType) => restoreReportLine(ms, status, errorType),
    timedOut: (requestId, timeoutSeconds, now = new Date()) => `${now.toISOString()} ${requestId} ${timeoutMessage(timeoutSeconds)}`,
  };
}

export const TEXT_PLATFORM_LINES = textPlatformLines('$LATEST');

/** Lines that are there (a JSON format's SystemLogLevel may drop some). */
function kept(lines: ReadonlyArray<string | undefined>): string[] {
  return lines.filter((l): l is string => l !== undefined);
}

/**
 * An invocation past its Timeout, as Lambda logs it: the timeout line, END, REPORT with `Status:
 * timeout`, and `Init Duration` when it was the environment's first (a cold start counts as one
 * even when it times out). `lines`: the function's log format (default text).
 */
export function timedOutLines(requestId: string, fn: FunctionLimits, maxMemoryUsedMB: number, cold: ColdStart = {}, now = new Date(), lines = TEXT_PLATFORM_LINES): string[] {
  return kept([
    lines.timedOut(requestId, fn.timeoutSeconds, now),
    lines.end(requestId, 'timeout', 'Sandbox.Timedout'),
    lines.report({ requestId, durationMs: fn.timeoutSeconds * 1000, memoryMB: fn.memoryMB, maxMemoryUsedMB, ...cold, status: 'timeout' }),
  ]);
}

/** END and REPORT of an invocation whose runtime exited under it (`Status: error`, Runtime.ExitError; `Init Duration` when cold). */
export function exitedLines(requestId: string, durationMs: number, fn: FunctionLimits, maxMemoryUsedMB: number, cold: ColdStart = {}, lines = TEXT_PLATFORM_LINES): string[] {
  return kept([
    lines.end(requestId, 'error', 'Runtime.ExitError'),
    lines.report({ requestId, durationMs, memoryMB: fn.memoryMB, maxMemoryUsedMB, ...cold, status: 'error', errorType: 'Runtime.ExitError' }),
  ]);
}

/**
 * START, END and REPORT of an invocation whose INIT failed: Lambda reports every invocation, this
 * one with `Status: error` and the INIT's error type (`Error Type: Runtime.ImportModuleError`), its
 * Duration the INIT it waited for, and no Init Duration (the INIT_REPORT line carries that).
 */
export function initFailedLines(requestId: string, durationMs: number, fn: FunctionLimits, errorType: string, lines = TEXT_PLATFORM_LINES): string[] {
  return kept([
    lines.start(requestId),
    lines.end(requestId, 'error', errorType),
    lines.report({ requestId, durationMs, memoryMB: fn.memoryMB, maxMemoryUsedMB: 0, status: 'error', errorType }),
  ]);
}
