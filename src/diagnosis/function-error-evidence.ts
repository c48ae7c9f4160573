import type { FunctionError } from '../contracts/cloudwatch-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import { fmtInt, fmtNum, fmtShare } from '../number-format.ts';
import { clipText } from './clip-text.ts';
import { goneRemedy } from './gone-posts.ts';
import { importRemedy } from './import-remedy.ts';
import { DYNAMODB_THROTTLE_KINDS, errorShare, fansOutOf, sum, type Finding, type Symptom } from './limit-detector.ts';
import { ranInRun } from './started-functions.ts';

/**
 * Per function with errors, most share first: its error kinds in its own words with their counts
 * and first frame, and the share of the symptom they account for (of the client-facing errors;
 * of the messages whose fan-out they ended, for a loss). Where its log names none, AWS/Lambda
 * Errors' count alone.
 */
export function functionErrorEvidence(r: Results, symptoms: ReadonlySet<Symptom>): Finding[] {
  const lambda = r.cloudwatch?.lambda ?? {};
  const logged = r.cloudwatch?.functionErrors ?? {};
  const names = new Set([...Object.keys(logged), ...Object.entries(lambda).filter(([, t]) => t.errors > 0).map(([fn]) => fn)]);
  const out: Finding[] = [];
  for (const fn of names) {
    const kinds = logged[fn] ?? [];
    const errors = Math.max(lambda[fn]?.errors ?? 0, sum(kinds.filter((k) => k.phase === 'invoke').map((k) => k.count)));
    const invocations = lambda[fn]?.invocations ?? r.cloudwatch?.reports[fn]?.invocations ?? 0;
    const fansOut = fansOutOf(r, fn);
    if (!symptoms.has('errors') && !(symptoms.has('loss') && fansOut && r.deliveries.lost > 0)) continue;
    if (errors + kinds.length === 0 || !ranInRun(r, fn)) continue;
    // errors another cause produced (a DynamoDB throttle) count toward that cause's share, not this one's
    const own = errors - sum(kinds.filter((k) => k.phase === 'invoke' && DYNAMODB_THROTTLE_KINDS.has(k.kind)).map((k) => k.count));
    const share = errorShare(r, symptoms, own, fansOut ? own : 0);
    const head = `${fn}: ${fmtInt(errors)} error${errors === 1 ? '' : 's'} in ${fmtInt(invocations)} invocations`;
    // results pulled before the logs were read for errors have no functionErrors at all
    const unsaid = r.cloudwatch?.functionErrors === undefined ? ' (AWS/Lambda Errors)' : ' (AWS/Lambda Errors; its log names none of them)';
    const said = kinds.length > 0 ? `: ${kinds.map((k) => kindText(r, fn, k)).join('; ')}` : unsaid;
    const gone = kinds.some((k) => k.kind === 'GoneException') && symptoms.has('loss') && (r.stale?.gone410 ?? 0) > 0
      ? `; ${fmtInt(r.stale!.gone410)} posts answered 410 (stale connections), each ending its invocation's loop before the connections after it`
      : '';
    out.push({ line: `${head}${said}${gone}`, ...(share !== undefined ? { share } : {}), ...(kinds[0] ? { remedy: remedyOf(r, fn, kinds[0]) } : {}) });
  }
  return out.sort((a, b) => (b.share ?? -1) - (a.share ?? -1));
}

/**
 * An import error whose module the emulator found where Lambda would not look (emulator/lambda/
 * runtimes/package-boundary.ts, python-bootstrap.py): `<error>: found in <where>, which <why>; <what
 * to do>`. The where and the why are the cause, kept whole; what to do is the remedy.
 */
const FOUND_OUTSIDE = /^(.*?: found in .*?, which (?:is not part of the function's package|Lambda's runtime does not have)[^;]*(?:; Lambda would not find it)?)[;:] (.+)$/;

function messageText(e: FunctionError): string {
  const outside = e.kind === 'Runtime.ImportModuleError' ? FOUND_OUTSIDE.exec(e.message) : null;
  return outside ? outside[1]! : clipText(e.message);
}

/** `GoneException: An error occurred … ×17 (at app.py:32 in send_message)`; a timeout with its CPU share; a denied call by its action and resource. */
function kindText(r: Results, fn: string, e: FunctionError): string {
  const what = e.denied
    ? `AccessDeniedException: not authorized to perform ${e.denied.action} on ${e.denied.resource}`
    : e.kind === 'Task timed out' ? e.message : `${e.kind}${e.message ? `: ${messageText(e)}` : ''}`;
  const where = [e.phase === 'init' ? 'at INIT' : '', e.firstFrame ? `at ${e.firstFrame}` : ''].filter(Boolean).join(', ');
  return `${what} ×${fmtInt(e.count)}${where ? ` (${where})` : ''}${e.kind === 'Task timed out' ? timeoutFigures(r, fn, e) : ''}`;
}

/** Lambda's CPU follows memory: this many MB is one vCPU. */
const ONE_VCPU_MB = 1_769;

function sizeOf(r: Results, fn: string, e: FunctionError): { memoryMB?: number; timeoutS?: number } {
  const f = r.config.target.functions?.functions.find((x) => x.name === fn);
  const logged = /after ([\d.]+) seconds/.exec(e.message);
  return { memoryMB: f?.memoryMB ?? r.cloudwatch?.reports[fn]?.memorySizeMB ?? undefined, timeoutS: logged ? Number(logged[1]) : f?.timeoutSeconds };
}

/** A CPU time this close to all the Timeout allows at the share is all of it (the share is kept in ticks, not exactly). */
const ALL_OF_IT = 0.9;

/**
 * "; 128 MB = 7.2 % of a vCPU; its invocations used p50 240 ms of CPU (3.33 s at that share)
 * against its 3.00 s Timeout", from Lambda Insights' cpu_total_time; where even the least of them
 * used all the Timeout allows at that share, says so (their work needs more than it holds); with
 * no Insights, what the Timeout holds and that the CPU figure needs Insights.
 */
function timeoutFigures(r: Results, fn: string, e: FunctionError): string {
  const { memoryMB, timeoutS } = sizeOf(r, fn, e);
  if (memoryMB === undefined || timeoutS === undefined) return '';
  const share = Math.min(1, memoryMB / ONE_VCPU_MB);
  const size = `; ${fmtInt(memoryMB)} MB = ${fmtShare(share)} of a vCPU`;
  const allowedMs = timeoutS * 1000 * share;
  // to the hundredth, as Lambda words it ("Task timed out after 3.00 seconds")
  const timeout = `${timeoutS.toFixed(2)} s Timeout`;
  const cpu = r.cloudwatch?.lambda[fn]?.cpuTime;
  if (cpu?.p50Ms === null || cpu?.p50Ms === undefined) {
    return `${size}, so its ${timeout} holds at most ${fmtInt(allowedMs)} ms of CPU: work needing more than that at full speed cannot finish (the CPU its invocations used needs Lambda Insights on the function)`;
  }
  if (cpu.minMs !== null && cpu.minMs >= ALL_OF_IT * allowedMs) {
    return `${size}; every invocation used all ${fmtInt(allowedMs)} ms of CPU its ${timeout} allows at that share (p50 ${fmtInt(cpu.p50Ms)} ms): at full speed its work would need more`;
  }
  return `${size}; its invocations used p50 ${fmtInt(cpu.p50Ms)} ms of CPU (${fmtNum(cpu.p50Ms / share / 1000)} s at that share) against its ${timeout}`;
}

/** What would move a function's commonest error. */
function remedyOf(r: Results, fn: string, e: FunctionError): string {
  if (e.denied) {
    const role = /:assumed-role\/([^/]+)\//.exec(e.denied.principal)?.[1];
    return `add to ${role ? `the role ${role}` : "the function's execution role"} the statement ${JSON.stringify(statementToAdd(e.denied))}`;
  }
  if (e.kind === 'Task timed out') {
    const { memoryMB } = sizeOf(r, fn, e);
    const more = memoryMB !== undefined && memoryMB < ONE_VCPU_MB ? ` (${fmtInt(Math.min(ONE_VCPU_MB, memoryMB * 4))} MB gives it ${fmtNum(Math.min(ONE_VCPU_MB, memoryMB * 4) / memoryMB)}× the CPU; ${fmtInt(ONE_VCPU_MB)} MB is one vCPU)` : '';
    return `more memory, since Lambda's CPU share follows it${more}; SDK clients built once at module scope, in INIT, rather than in every call; or a longer Timeout`;
  }
  if (e.kind === 'GoneException') return goneRemedy(r);
  const outside = e.kind === 'Runtime.ImportModuleError' ? FOUND_OUTSIDE.exec(e.message) : null;
  if (outside) return `${outside[2]}; every invocation fails until it loads`;
  const runtime = r.config.target.functions?.functions.find((x) => x.name === fn)?.runtime;
  if (e.kind === 'Runtime.ImportModuleError') return importRemedy(e.message, runtime);
  if (e.kind === 'Runtime.CallbackHandlerDeprecated') return callbackRemedy(runtime);
  if (e.kind === 'Runtime.OutOfMemory') return 'more memory (MemorySize), or less held at once in an invocation';
  if (e.phase === 'init') return "fix the function's INIT (its module fails to load): every invocation fails until it does";
  return `handle or fix the error where it is raised${e.firstFrame ? ` (${e.firstFrame})` : ''}`;
}

/** A callback handler on Node.js 24 or later, whose runtime client refuses it at INIT (docs/aws-facts.md: nodejs24.x supports no callback handlers). */
function callbackRemedy(runtime: string | undefined): string {
  return `${runtime ?? 'Node.js 24 and later'} has no callback handlers: make the handler async (return its result and throw its error, in place of the callback and context.succeed, fail or done), or run it on nodejs22.x; every invocation fails until it does`;
}

/**
 * The statement that allows a denied call, as a policy writes it: the account the message masks
 * (`********0000`, as @connections writes it) taken from the principal's ARN, a literal
 * `{connectionId}` as any connection (`*`).
 */
export function statementToAdd(d: { principal: string; action: string; resource: string }): { Effect: 'Allow'; Action: string; Resource: string } {
  const account = /^arn:[^:]+:sts::(\d{12}):/.exec(d.principal)?.[1];
  const resource = d.resource.replace(/^(arn:[^:]+:[^:]+:[^:]*:)\*+\d{0,4}(?=:)/, (all, head: string) => (account ? `${head}${account}` : all)).replace(/\{[A-Za-z]+\}/g, '*');
  return { Effect: 'Allow', Action: d.action, Resource: resource };
}
