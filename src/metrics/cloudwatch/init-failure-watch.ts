import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchTarget } from '../../aws/cloudwatch-source.ts';
import { classifyLogEvent } from './function-errors.ts';
import { functionLogGroup, type FunctionLogGroups } from './function-log-group.ts';

/** A failed INIT's report: text `INIT_REPORT … Status: error\tError Type: …`, or the JSON log format's `platform.initReport`. */
export function failedInitReport(message: string): { status: string; errorType?: string } | null {
  const text = /^INIT_REPORT .*Status: (error|timeout)\t(?:Error Type: ([^\t]+))?/.exec(message);
  if (text) return { status: text[1]!, ...(text[2] ? { errorType: text[2] } : {}) };
  if (!message.startsWith('{') || !message.includes('"platform.initReport"')) return null;
  try {
    const e = JSON.parse(message) as { type?: unknown; record?: { status?: unknown; errorType?: unknown } };
    const status = e.record?.status;
    if (e.type !== 'platform.initReport' || (status !== 'error' && status !== 'timeout' && status !== 'failure')) return null;
    return { status, ...(typeof e.record?.errorType === 'string' ? { errorType: e.record.errorType } : {}) };
  } catch {
    return null;
  }
}

/**
 * A function whose INIT fails fails every invocation until its code changes: the run names it the
 * first time its log shows it, not only in the verdict. While the fleet runs, each function's log
 * group is asked (FilterLogEvents, one page of at most 20 events) for the lines a failed INIT
 * writes: Node's `Uncaught Exception` at INIT, Python's `[ERROR] Runtime.ImportModuleError` and
 * its kin, and `INIT_REPORT` (Lambda writes it when INIT fails or times out). Soon after the start,
 * then every few seconds and once more when the fleet is done,
 * two functions at a time (FilterLogEvents has a low per-account request rate on AWS); a function
 * already named is not asked again. Never throws: a log that cannot be read is simply not watched.
 */
export const INIT_FAILURE_PATTERN = ['"Uncaught Exception"', 'ImportModuleError', 'HandlerNotFound', 'UserCodeSyntaxError', 'INIT_REPORT', '"platform.initReport"'].map((t) => `?${t}`).join(' ');
/** How often each function's log is looked at: the emulator answers at once; AWS allows few FilterLogEvents a second per account. */
export const INIT_WATCH_EVERY_MS = { local: 2_000, aws: 10_000 } as const;
const FIRST_LOOK_MS = 1_500;

export interface InitFailureWatch {
  stop(): Promise<void>;
}

export function watchInitFailures(
  target: CloudWatchTarget,
  functions: readonly string[],
  startMs: number,
  onFirst: (line: string) => void,
  everyMs: number = INIT_WATCH_EVERY_MS[target.source],
  /** the functions whose log group is not `/aws/lambda/<name>` (their LoggingConfig.LogGroup) */
  logGroups?: FunctionLogGroups,
): InitFailureWatch {
  const logs = new CloudWatchLogsClient(target.clients.logs);
  const pending = new Set(functions);
  let polling: Promise<void> = Promise.resolve();
  const poll = async () => {
    const fns = [...pending];
    for (let i = 0; i < fns.length; i += 2) await Promise.all(fns.slice(i, i + 2).map((fn) => check(fn)));
  };
  const check = async (fn: string) => {
    try {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: functionLogGroup(fn, logGroups), filterPattern: INIT_FAILURE_PATTERN, startTime: Math.floor(startMs), limit: 20 }));
      const events = out.events ?? [];
      const said = events.map((e) => classifyLogEvent(e.message ?? '')).find((e) => e?.phase === 'init');
      const report = events.map((e) => failedInitReport(e.message ?? '')).find((m) => m !== null);
      if (!said && !report) return;
      pending.delete(fn);
      const what = said ? `${said.kind}: ${said.message}${said.firstFrame ? ` (at ${said.firstFrame})` : ''}` : `INIT_REPORT Status: ${report!.status}${report!.errorType ? `, Error Type: ${report!.errorType}` : ''}`;
      onFirst(`${fn}: INIT failed: ${what}; every invocation of it fails until its code loads`);
    } catch {
      // no log group yet (never invoked), or the log cannot be read: asked again next time
    }
  };
  const tick = () => {
    polling = polling.then(poll);
  };
  // the first look soon after the fleet starts: a failing INIT shows with the first connects
  const first = setTimeout(tick, Math.min(FIRST_LOOK_MS, everyMs));
  const timer = setInterval(tick, everyMs);
  return {
    stop: async () => {
      clearTimeout(first);
      clearInterval(timer);
      // a last look: a run shorter than the interval still names its failed INIT before its verdict
      tick();
      await polling;
      logs.destroy();
    },
  };
}
