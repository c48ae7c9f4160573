import { billedDurationMs, textPlatformLines, type PlatformLines } from './report-line.ts';
import type { InitializationType } from '../types.ts';
import type { FunctionLogging } from '../options.ts';

const SYSTEM_RANK = { DEBUG: 0, INFO: 1, WARN: 2 } as const;

/** What the lines need of the function: its name (initStart) and its LoggingConfig. */
export interface PlatformLineSource {
  name: string;
  logging?: FunctionLogging;
}

/** What the lines need of the environment: the version it runs and how it was initialized (default `$LATEST`, on demand). */
export interface PlatformLineEnvironment {
  version: string;
  initializationType: InitializationType;
}

const LATEST_ON_DEMAND: PlatformLineEnvironment = { version: '$LATEST', initializationType: 'on-demand' };

/**
 * The platform's own lines around an invocation, in the function's log format
 * (`LoggingConfig.LogFormat`). Text: START, END, REPORT, INIT_REPORT and the timeout line, as
 * report-line.ts writes them. JSON: the Telemetry API's platform events, one JSON object per log
 * event, as Lambda writes them to CloudWatch Logs (docs/aws-facts.md, "Lambda's JSON log format"):
 *   {"time":"…","type":"platform.start","record":{"requestId":"…","version":"$LATEST"}}
 *   {"time":"…","type":"platform.report","record":{"requestId":"…","metrics":{"durationMs":…,
 *     "billedDurationMs":…,"memorySizeMB":…,"maxMemoryUsedMB":…,"initDurationMs":…},"status":"success"}}
 * filtered by `SystemLogLevel` (default INFO): start, report, initStart and initReport are INFO;
 * runtimeDone (text's END) is DEBUG when it succeeded and WARN when it did not, so a timeout or a
 * crash still says so at INFO. A line the level drops is `undefined`.
 */
export function platformLines(fn: PlatformLineSource, environment = LATEST_ON_DEMAND): PlatformLines {
  return fn.logging?.format === 'JSON' ? jsonPlatformLines(fn.name, fn.logging.systemLogLevel ?? 'INFO', environment) : textPlatformLines(environment.version, environment.initializationType);
}

function jsonPlatformLines(functionName: string, level: keyof typeof SYSTEM_RANK, { version, initializationType }: PlatformLineEnvironment): PlatformLines {
  const min = SYSTEM_RANK[level];
  // one object per line, serialised once: no other allocation per event
  const event = (rank: number, type: string, record: object): string | undefined =>
    rank < min ? undefined : JSON.stringify({ time: new Date().toISOString(), type, record });
  return {
    initStart: () => event(SYSTEM_RANK.INFO, 'platform.initStart', { initializationType, phase: 'init', functionName, functionVersion: version }),
    start: (requestId) => event(SYSTEM_RANK.INFO, 'platform.start', { requestId, version }),
    end: (requestId, status = 'success', errorType) =>
      event(status === 'success' ? SYSTEM_RANK.DEBUG : SYSTEM_RANK.WARN, 'platform.runtimeDone', { requestId, status, ...(errorType ? { errorType } : {}) }),
    report: (f, handlerError) =>
      event(SYSTEM_RANK.INFO, 'platform.report', {
        requestId: f.requestId,
        metrics: {
          durationMs: round2(f.durationMs),
          billedDurationMs: billedDurationMs(f.durationMs, f.initDurationMs),
          memorySizeMB: f.memoryMB,
          maxMemoryUsedMB: f.maxMemoryUsedMB,
          ...(f.initDurationMs !== undefined ? { initDurationMs: round2(f.initDurationMs) } : {}),
          ...(f.restoreDurationMs !== undefined ? { restoreDurationMs: round2(f.restoreDurationMs), billedRestoreDurationMs: Math.ceil(f.billedRestoreDurationMs ?? 0) } : {}),
        },
        status: f.status ?? (handlerError !== undefined ? 'error' : 'success'),
        ...(f.errorType ?? handlerError ? { errorType: f.errorType ?? handlerError } : {}),
      }),
    initReport: (initDurationMs, status, errorType) =>
      event(SYSTEM_RANK.INFO, 'platform.initReport', {
        initializationType,
        phase: 'init',
        status,
        ...(errorType ? { errorType } : {}),
        metrics: { durationMs: round2(initDurationMs) },
      }),
    restoreStart: () => event(SYSTEM_RANK.INFO, 'platform.restoreStart', { functionName, functionVersion: version }),
    restoreReport: (ms, status, errorType) => event(SYSTEM_RANK.INFO, 'platform.restoreReport', { status, ...(errorType ? { errorType } : {}), metrics: { durationMs: round2(ms) } }),
    timedOut: () => undefined,
  };
}

/** The text format's two decimals, as a number. */
const round2 = (ms: number) => Math.round(ms * 100) / 100;

/**
 * What a successful INIT leaves for the environment's first REPORT line: its duration when it ran
 * on demand (on that request's path); nothing for a provisioned environment, whose INIT ran at
 * allocation, before any request; its duration is then in platform.initReport (JSON format).
 */
export function initOnRequestPath(type: InitializationType, initMs: number, write: (line: string | undefined) => void, lines: PlatformLines): number | undefined {
  if (type === 'on-demand') return initMs;
  write(lines.initReport(initMs, 'success'));
  return undefined;
}
