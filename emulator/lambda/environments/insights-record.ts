import { billedDurationMs } from './report-line.ts';

/**
 * CloudWatch Lambda Insights' performance event: with the Insights extension, every invocation
 * writes one log event to `/aws/lambda-insights`, in embedded metric format, whose metrics land
 * in the `LambdaInsights` namespace under the dimension `function_name`. The emulator writes a
 * subset of AWS's documented event (its "Example telemetry event"): the fields it measures.
 * `cpu_total_time` is the CPU the environment used during the invocation (Linux's schedstat of
 * the worker thread or of the runtime's process): AWS splits it into user and system time, which
 * schedstat does not, so neither part is written. Network, /tmp and file-descriptor figures are
 * not measured here and not written.
 */
export const INSIGHTS_LOG_GROUP = '/aws/lambda-insights';
export const INSIGHTS_NAMESPACE = 'LambdaInsights';

export interface InsightsFields {
  functionName: string;
  /** the version that ran (`$LATEST`, or a published version's number) */
  version: string;
  requestId: string;
  durationMs: number;
  /** On the environment's first invocation (a cold start). */
  initDurationMs?: number;
  memoryMB: number;
  maxMemoryUsedMB?: number;
  /** CPU time the environment used in the invocation, ms; absent where it could not be read. */
  cpuMs?: number;
  timedOut: boolean;
}

/** The log event's message: one JSON line, as the extension writes it. */
export function insightsRecord(f: InsightsFields, timestamp: number): string {
  const billed = billedDurationMs(f.durationMs, f.initDurationMs);
  const used = f.maxMemoryUsedMB;
  const measured: Record<string, number> = {
    ...(used !== undefined ? { used_memory_max: used, memory_utilization: Math.round((used / f.memoryMB) * 100) } : {}),
    total_memory: f.memoryMB,
    ...(f.cpuMs !== undefined ? { cpu_total_time: Math.round(f.cpuMs) } : {}),
    ...(f.initDurationMs !== undefined ? { init_duration: Math.round(f.initDurationMs) } : {}),
  };
  const record = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: INSIGHTS_NAMESPACE, Dimensions: [['function_name']], Metrics: Object.keys(measured).map((Name) => ({ Name, Unit: UNITS[Name] })) }],
      LambdaInsights: { ShareTelemetry: true },
    },
    event_type: 'performance',
    function_name: f.functionName,
    version: f.version,
    request_id: f.requestId,
    duration: Math.round(f.durationMs),
    billed_duration: billed,
    billed_mb_ms: billed * f.memoryMB,
    cold_start: f.initDurationMs !== undefined,
    ...measured,
    ...(f.timedOut ? { timeout: true, shutdown_reason: 'Timeout' } : {}),
  };
  return JSON.stringify(record);
}

const UNITS: Record<string, string> = {
  used_memory_max: 'Megabytes',
  memory_utilization: 'Percent',
  total_memory: 'Megabytes',
  cpu_total_time: 'Milliseconds',
  init_duration: 'Milliseconds',
};
