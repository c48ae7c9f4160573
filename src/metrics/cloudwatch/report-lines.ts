/**
 * Lambda's per-invocation REPORT log line:
 * `REPORT RequestId: <id>\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\t
 *  Max Memory Used: 78 MB\tInit Duration: 95.21 ms\t` (Init Duration only on a cold start). A
 * SnapStart function's new environment is restored from its version's snapshot instead: its first
 * REPORT has no Init Duration (INIT ran at publish) but `Restore Duration` (the restore, the runtime's
 * load and the after-restore hooks) and `Billed Restore Duration` (the part billed: the runtime's
 * load and the hooks), AWS's "Monitoring for Lambda SnapStart". An invocation that timed out or
 * whose runtime exited adds `Status: timeout` or `Status: error\tError Type: Runtime.ExitError`.
 */
export interface ReportLine {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  /** present on cold starts */
  initDurationMs?: number;
  /** present on a SnapStart environment's first invocation: its cold start on the request path is this restore */
  restoreDurationMs?: number;
  billedRestoreDurationMs?: number;
  /** present on an invocation that did not end normally */
  status?: string;
  errorType?: string;
}

const FIELD = /([A-Za-z][A-Za-z ]*?):\s*([^\t]+?)\s*(?:\t|$)/g;

export function parseReportLine(message: string): ReportLine | null {
  const text = message.trimStart();
  if (!text.startsWith('REPORT RequestId:')) return null;
  const fields = new Map<string, string>();
  for (const m of text.slice('REPORT '.length).matchAll(FIELD)) fields.set(m[1].trim(), m[2]);
  const num = (key: string) => {
    const v = fields.get(key);
    if (v === undefined) return undefined;
    const n = Number.parseFloat(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const durationMs = num('Duration');
  const billedDurationMs = num('Billed Duration');
  const memorySizeMB = num('Memory Size');
  if (durationMs === undefined || billedDurationMs === undefined || memorySizeMB === undefined) return null;
  const line: ReportLine = {
    requestId: fields.get('RequestId') ?? '',
    durationMs,
    billedDurationMs,
    memorySizeMB,
    maxMemoryUsedMB: num('Max Memory Used') ?? 0,
  };
  const init = num('Init Duration');
  if (init !== undefined) line.initDurationMs = init;
  withRestore(line, num('Restore Duration'), num('Billed Restore Duration'));
  const status = fields.get('Status');
  if (status !== undefined) line.status = status;
  const errorType = fields.get('Error Type');
  if (errorType !== undefined) line.errorType = errorType;
  return line;
}

/**
 * The same report in Lambda's JSON log format (`LoggingConfig.LogFormat: JSON`): a
 * `platform.report` event as the Telemetry API's schema reference writes it,
 * `{"time":…,"type":"platform.report","record":{"requestId":…,"metrics":{"durationMs",
 * "billedDurationMs","memorySizeMB","maxMemoryUsedMB","initDurationMs"?,"restoreDurationMs"?},
 * "status":"success"}}` (a `billedRestoreDurationMs` read where a record has one).
 * A status other than `success` (`error`, `failure`, `timeout`) is kept, with `errorType`.
 */
export function parsePlatformReport(message: string): ReportLine | null {
  const text = message.trim();
  if (!text.startsWith('{') || !text.includes('platform.report')) return null;
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    return null;
  }
  const e = event as { type?: unknown; record?: { requestId?: unknown; metrics?: Record<string, unknown>; status?: unknown; errorType?: unknown } };
  if (e.type !== 'platform.report' || typeof e.record !== 'object' || e.record === null) return null;
  const { requestId, metrics, status, errorType } = e.record;
  const num = (key: string) => {
    const v = metrics?.[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const durationMs = num('durationMs');
  const billedDurationMs = num('billedDurationMs');
  const memorySizeMB = num('memorySizeMB');
  if (typeof requestId !== 'string' || durationMs === undefined || billedDurationMs === undefined || memorySizeMB === undefined) return null;
  const line: ReportLine = { requestId, durationMs, billedDurationMs, memorySizeMB, maxMemoryUsedMB: num('maxMemoryUsedMB') ?? 0 };
  const init = num('initDurationMs');
  if (init !== undefined) line.initDurationMs = init;
  withRestore(line, num('restoreDurationMs'), num('billedRestoreDurationMs'));
  if (typeof status === 'string' && status !== 'success') line.status = status;
  if (typeof errorType === 'string') line.errorType = errorType;
  return line;
}

function withRestore(line: ReportLine, restore: number | undefined, billed: number | undefined): void {
  if (restore === undefined) return;
  line.restoreDurationMs = restore;
  line.billedRestoreDurationMs = billed ?? 0;
}

/** Whether the invocation paid a cold start on the request path: an INIT, or a SnapStart restore. */
export function coldOnRequestPath(line: ReportLine): boolean {
  return line.initDurationMs !== undefined || line.restoreDurationMs !== undefined;
}

/** A report in either of Lambda's log formats (text REPORT line or JSON platform.report). */
export function parseAnyReport(message: string): ReportLine | null {
  return parseReportLine(message) ?? parsePlatformReport(message);
}

/**
 * INIT time not already counted in Billed Duration. Until August 2025 ZIP functions on managed
 * runtimes had INIT unbilled (Billed Duration ≈ ceil(Duration)); container images and custom
 * runtimes, and everything since, bill it (Billed Duration ≈ ceil(Init + Duration)). The line
 * itself tells which case it is, so the cost model neither drops INIT nor counts it twice.
 */
export function initNotInBilledMs(line: ReportLine): number {
  if (line.initDurationMs === undefined) return 0;
  const includesInit = line.billedDurationMs >= Math.floor(line.durationMs + line.initDurationMs);
  return includesInit ? 0 : Math.ceil(line.initDurationMs);
}
