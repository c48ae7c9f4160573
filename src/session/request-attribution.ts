import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ownSettings } from '../aws/sdk-settings.ts';
import type { Results } from '../contracts/results-schema.ts';
import { TRACE_CONNECT, TRACE_FRAME } from '../metrics/measurement/trace-records.ts';
import type { RequestTrace } from '../metrics/measurement/request-trace.ts';
import { accessLogFormat, type ApiRequestLine } from '../metrics/attribution/access-log-format.ts';
import { AttributionJoin } from '../metrics/attribution/attribution-join.ts';
import { subprotocolAttribution } from '../metrics/attribution/subprotocol-attribution.ts';
import { AWS_ACCESS_LOG_WAIT, LOCAL_ACCESS_LOG_WAIT, pullAccessLog, runLines, type AccessLogWait } from '../metrics/cloudwatch/access-log-pull.ts';
import { pullHostWaits } from '../metrics/cloudwatch/host-wait-pull.ts';
import { coldOnRequestPath, type ReportLine } from '../metrics/cloudwatch/report-lines.ts';
import { EnvironmentKinds } from '../metrics/cloudwatch/environment-kinds.ts';
import type { SystemFacts } from '../metrics/results/system-facts.ts';
import { runFunctions } from '../metrics/cost/run-functions.ts';
import type { RunAccessLog } from '../targets/access-logging.ts';
import type { PublishStageLog } from '../targets/publish-stage-logging.ts';
import type { Target } from '../targets/target.ts';

/**
 * Every request the clients timed traced to the invocation that served it (results.attribution),
 * in the order the pull reads what it needs: the stage's access log first (waited for until the
 * run's lines have settled), its lines into the join; then the CloudWatch pull's own REPORT pages
 * feed the join the invocations it wants (`onReport`: no second pass over the functions' logs);
 * then, on the local emulator only, the host's waits; then the join is finished: the attribution
 * and the histograms of its cold/warm split (withSystemFacts puts them into the results).
 * Without an access log (`--access-log off`), the reference stack's cold subprotocol where the
 * target answers it, else nothing and a note.
 */
export interface RequestAttribution {
  /** the CloudWatch pull's hook: each report of each function, as it is read, with its log stream */
  onReport(functionName: string, line: ReportLine, stream: string | undefined): void;
  /** the host's waits (local), then the join's figures */
  finish(): Promise<NonNullable<SystemFacts['attribution']>>;
}

export interface AttributionOptions {
  trace: RequestTrace;
  accessLog: RunAccessLog;
  /** the stages of the publish phases' own routes: each publish traced to its invocation by its request ID */
  publishLogs?: PublishStageLog[];
  /** `--metrics-wait` (AWS's timing: the longest wait for the lines) */
  metricsWaitMs?: number;
  /** the local emulator's bound (an interrupted run has less time) */
  settleMaxMs?: number;
  onStatus?: (line: string) => void;
  /** said once, kept in the attribution's notes */
  onWarning?: (line: string) => void;
}

export async function startAttribution(results: Results, target: Target, o: AttributionOptions): Promise<RequestAttribution | undefined> {
  const source = target.cloudWatch;
  if (!source) return undefined;
  const format = accessLogFormat(o.accessLog.format);
  const local = target.endpoints.services === 'local';
  const window = { startMs: Date.parse(results.startedAt) - source.marginSec * 1000, endMs: Date.parse(results.endedAt) + source.marginSec * 1000 };
  const logs = new CloudWatchLogsClient(ownSettings(source.clients.logs));
  const notes: string[] = [];
  const note = (line: string) => {
    notes.push(line);
    o.onWarning?.(line);
  };
  try {
    const wait: AccessLogWait =
      source.wait.rule === 'settle'
        ? { ...LOCAL_ACCESS_LOG_WAIT, ...(o.settleMaxMs !== undefined ? { maxMs: o.settleMaxMs } : {}) }
        : { ...AWS_ACCESS_LOG_WAIT, maxMs: o.metricsWaitMs ?? source.wait.maxMs };
    const pulled = await pullAccessLog(logs, {
      logGroupName: o.accessLog.logGroup,
      window,
      parse: (m) => format.parse(m),
      ours: (lines) => runLines(lines, results.runId),
      expected: owedLines(o.trace),
      wait,
      ...(o.onStatus ? { onStatus: o.onStatus } : {}),
    });
    if (pulled.note) note(pulled.note);
    if (pulled.truncated) note(`the access log ${o.accessLog.logGroup} stopped at the page limit: later requests are unattributed`);
    const publishes = o.trace.publishes();
    const publishLines = o.publishLogs?.length && publishes.count > 0 ? await pullPublishLines(logs, o.publishLogs, publishes.apiRequestId, { window, wait, note, ...(o.onStatus ? { onStatus: o.onStatus } : {}) }) : undefined;
    const functions = runFunctions(results);
    const join = new AttributionJoin(o.trace.requests(), o.trace.deliveries(), o.trace.completions(), {
      runId: results.runId,
      source: { accessLog: o.accessLog.mode, logGroup: o.accessLog.logGroup },
      routeFunctions: Object.fromEntries(functions.filter((f) => !f.authorizer).map((f) => [f.route, f.name])),
      local,
      window: { startMs: Date.parse(results.startedAt), endMs: Date.parse(results.endedAt) },
      ...(publishLines ? { publishes } : {}),
    });
    for (const line of pulled.lines) join.addAccessLine(line);
    pulled.lines.length = 0;
    for (const line of publishLines ?? []) join.addRequestLine(line);
    // every report is classified, wanted or not: a stream's first REPORT says how it was initialized
    const listed = results.config.target.functions?.functions ?? [];
    const kinds = new EnvironmentKinds(new Map(listed.map((f) => [f.name, new Set((f.provisioned ?? []).map((p) => p.version))])));
    return {
      onReport: (functionName, line, stream) => {
        const environment = kinds.of(functionName, line, stream);
        if (!join.wants(line.requestId)) return;
        join.addInvocation(line.requestId, {
          environment,
          cold: coldOnRequestPath(line),
          ...(line.initDurationMs !== undefined ? { initDurationMs: line.initDurationMs } : {}),
          ...(line.restoreDurationMs !== undefined ? { restoreDurationMs: line.restoreDurationMs } : {}),
          functionName,
        });
      },
      finish: async () => {
        try {
          // the emulator's own log group: never asked of AWS
          if (local) {
            const waits = await pullHostWaits(logs, { startMs: window.startMs, endMs: Math.max(window.endMs, Date.now()) }, (l) => join.addHostWait(l.requestId, l.hostWaitMs)).catch((err: unknown) => {
              note(`the local host's waits could not be read (${(err as Error).name}: ${(err as Error).message}): latencies are the client's, host waits included`);
              return undefined;
            });
            if (waits?.truncated) note("the local host's waits stopped at the page limit: some requests keep their host wait");
          }
          const { attribution, histograms } = join.finish();
          attribution.notes.push(...notes);
          return { attribution, histograms };
        } finally {
          logs.destroy();
        }
      },
    };
  } catch (err) {
    logs.destroy();
    throw err;
  }
}

/**
 * The lines of the publish routes' stages (every stage's, as one list), waited for as the
 * WebSocket stage's are until each publish the APIs accepted has its line.
 */
async function pullPublishLines(
  logs: CloudWatchLogsClient,
  stages: readonly PublishStageLog[],
  ids: readonly string[],
  o: { window: { startMs: number; endMs: number }; wait: AccessLogWait; note: (line: string) => void; onStatus?: (line: string) => void },
): Promise<ApiRequestLine[]> {
  const ours = new Set(ids);
  const lines: ApiRequestLine[] = [];
  for (const stage of stages) {
    const format = accessLogFormat(stage.format);
    const pulled = await pullAccessLog(logs, {
      logGroupName: stage.logGroup,
      window: o.window,
      parse: (m) => format.parseRequest(m),
      // one stage holds every publish's line; where the run's publishes went to several stages, which
      // went where is not kept, so each stage's read waits for a line and for its count to settle
      expected: { connects: 0, messages: stages.length === 1 ? ours.size : 1 },
      ours: (read) => ({ connects: 0, messages: read.filter((l) => ours.has(l.requestId)).length }),
      names: { connects: 'CONNECT lines', messages: 'publish request lines' },
      wait: o.wait,
      ...(o.onStatus ? { onStatus: o.onStatus } : {}),
    });
    if (pulled.note) o.note(pulled.note);
    if (pulled.truncated) o.note(`the access log ${stage.logGroup} stopped at the page limit: later publishes are unattributed`);
    lines.push(...pulled.lines);
  }
  return lines;
}

/** The lines the run's clients are owed: a CONNECT line for each connect that opened, a MESSAGE line for each frame answered. */
export function owedLines(trace: RequestTrace): { connects: number; messages: number } {
  const r = trace.requests();
  let connects = 0;
  let messages = 0;
  for (let i = 0; i < r.count; i++) {
    if (r.doneMs[i]! <= 0) continue;
    if (r.kind[i] === TRACE_CONNECT) connects++;
    else if (r.kind[i] === TRACE_FRAME) messages++;
  }
  return { connects, messages };
}

/**
 * `--access-log off`: the reference stack's cold subprotocol where the target answers it (chat-v1
 * with the flag); otherwise nothing, and where the target has a stage whose log could have been
 * read, a note to keep saying so (a URL's results say why in protocol.notObservable, as they did).
 */
export function attributionWithoutAccessLog(results: Results, target: Target): { attribution: SystemFacts['attribution'] } | { note: string } | undefined {
  // results.protocol is absent for chat-v1
  if ((results.protocol?.kind ?? 'chat-v1') === 'chat-v1' && target.connectColdFlag) return { attribution: { attribution: subprotocolAttribution(results) } };
  if (target.apiGatewayApi && target.endpoints.apiGateway) {
    return { note: "requests not traced to their invocations (no access log read): no cold/warm split by invocation; --access-log use or enable reads the stage's access log" };
  }
  return undefined;
}
