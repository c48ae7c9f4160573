import type { FunctionError } from '../contracts/cloudwatch-schema.ts';
import type { Denial, ForeignApiPost } from '../contracts/permissions-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import { fmtCount, fmtInt } from '../number-format.ts';
import { clipText } from './clip-text.ts';
import type { Finding, Symptom } from './limit-detector.ts';
import { goneRemedy, noRunConnectionClosed } from './gone-posts.ts';
import { ranInRun } from './started-functions.ts';

/**
 * Causes a run's own code hides: calls IAM refused a function (results.permissions.denied), posts
 * to an API that is not the stack's (results.permissions.foreignApiPosts), and the errors a
 * function caught and logged (results.cloudwatch.loggedErrors), where nothing thrown names them.
 * A cause is named only for a symptom it can produce: denied or misaddressed @connections posts
 * lose deliveries (their share: posts of the lost deliveries); another denied call, and a logged
 * error, are named for a loss or for errors without a share (what they cost is not counted). A
 * call `iam: report` let through lost nothing and is no cause (the permissions report lists it).
 *
 * For limit-evidence.ts, which ranks these with the other factors: `kind` says which factor each
 * line belongs to ('iam-denied' for denials and foreign posts, 'logged-errors' for the rest).
 */
export interface DenialFinding extends Finding {
  kind: 'iam-denied' | 'logged-errors';
}

const POST = /^arn:[^:]+:execute-api:[^:]*:[^:]*:[^/]+\/[^/]+\/POST\/@connections\//;

export function denialEvidence(r: Results, symptoms: ReadonlySet<Symptom>): DenialFinding[] {
  const lossAsked = symptoms.has('loss') && r.deliveries.lost > 0;
  if (!lossAsked && !symptoms.has('errors')) return [];
  const out: DenialFinding[] = [];
  const denied = (r.permissions?.denied ?? []).filter((d) => d.enforced !== false);
  const posting = new Set(denied.filter((d) => POST.test(d.resource)).map((d) => d.function));
  for (const d of denied) out.push(deniedFinding(r, d, lossAsked));
  for (const f of r.permissions?.foreignApiPosts ?? []) out.push(foreignFinding(r, f, lossAsked && (f.function === null || !posting.has(f.function))));
  out.push(...loggedFindings(r, denied));
  return out.sort((a, b) => (b.share ?? -1) - (a.share ?? -1));
}

/** "fn: 24 calls denied: execute-api:ManageConnections on …/POST/@connections/* (no statement of its role R allows it); its code caught them and logged …" */
function deniedFinding(r: Results, d: Denial, lossAsked: boolean): DenialFinding {
  const why = d.reason === 'explicit-deny' ? `a Deny in its role${d.role ? ` ${d.role}` : ''} refuses it` : `no statement of its role${d.role ? ` ${d.role}` : ''} allows it`;
  const counted = d.source === 'log' ? `${fmtCount(d.count, 'log line')} name a denied call` : `${fmtCount(d.count, 'call')} denied`;
  const said = saidOf(r, d.function, (e) => e.denied?.action === d.action);
  const line = `${d.function}: ${counted}: ${d.action} on ${d.resource} (${why})${said}`;
  const share = lossAsked && POST.test(d.resource) ? Math.min(1, d.count / r.deliveries.lost) : undefined;
  const remedy =
    d.reason === 'explicit-deny'
      ? `remove the Deny of ${d.action} on ${d.resource} from ${d.role ? `the role ${d.role}` : "the function's execution role"}`
      : `add to ${d.role ? `the role ${d.role}` : "the function's execution role"} the statement ${JSON.stringify(d.allow)}`;
  return { kind: 'iam-denied', line, ...(share !== undefined ? { share } : {}), remedy };
}

function foreignFinding(r: Results, f: ForeignApiPost, withShare: boolean): DenialFinding {
  const who = f.function ?? 'a function';
  const said = f.function ? saidOf(r, f.function, (e) => e.kind === 'ForbiddenException') : '';
  return {
    kind: 'iam-denied',
    line: `${who} posted to ${f.endpoint}, which is not this stack's API (${f.stackApiId}): ${fmtCount(f.count, 'post')}, none reaching the run's clients${said}`,
    ...(withShare ? { share: Math.min(1, f.count / r.deliveries.lost) } : {}),
    remedy: "build the @connections endpoint from the event (https://{requestContext.domainName}/{requestContext.stage}) or from the stack's own API (!Sub https://${Api}.execute-api.${AWS::Region}.amazonaws.com/<stage>), not an endpoint written into the code or its configuration",
  };
}

/** "; its code caught them and logged "posts failed: …" ×24 (logged, not thrown, at send.mjs:12)" where its logged errors say so. */
function saidOf(r: Results, fn: string, matches: (e: FunctionError) => boolean): string {
  const e = (r.cloudwatch?.loggedErrors?.[fn] ?? []).find(matches);
  if (!e) return '';
  // the denial's own words are said already: the function's words up to them
  const words = e.denied ? e.message.replace(/:?\s*User: arn:\S+ is not authorized[\s\S]*$/, '') : e.message;
  return `; its code caught them and logged "${clipText(words, 100)}" ×${fmtInt(e.count)} (logged, not thrown${e.firstFrame ? `, at ${e.firstFrame}` : ''})`;
}

/**
 * The errors a function logged without failing, where nothing else names them: not a denial
 * already said, and only for a function whose log names no thrown error (a thrown one is the
 * function-errors factor's).
 */
function loggedFindings(r: Results, denied: readonly Denial[]): DenialFinding[] {
  const out: DenialFinding[] = [];
  const deniedActions = new Set(denied.map((d) => `${d.function}\u0000${d.action}`));
  const foreign = new Set((r.permissions?.foreignApiPosts ?? []).map((f) => f.function));
  for (const [fn, errors] of Object.entries(r.cloudwatch?.loggedErrors ?? {})) {
    if ((r.cloudwatch?.functionErrors?.[fn] ?? []).some((e) => e.phase === 'invoke') || !ranInRun(r, fn)) continue;
    const unsaid = errors.filter((e) => !(e.denied && deniedActions.has(`${fn}\u0000${e.denied.action}`)) && !(e.kind === 'ForbiddenException' && foreign.has(fn)));
    if (unsaid.length === 0) continue;
    const total = unsaid.reduce((n, e) => n + e.count, 0);
    // the function's own words, its error's name before them where they do not say it
    const kinds = unsaid.slice(0, 3).map((e) => `${e.kind === 'logged error' || e.message.includes(e.kind) ? '' : `${e.kind}: `}${clipText(e.message)} ×${fmtInt(e.count)}${e.firstFrame ? ` (at ${e.firstFrame})` : ''}`);
    const more = unsaid.length > 3 ? `; ${fmtInt(unsaid.length - 3)} more kinds` : '';
    out.push({
      kind: 'logged-errors',
      line: `${fn} logged ${fmtCount(total, 'error')} and went on (logged, not thrown; Lambda counts no error for them): ${kinds.join('; ')}${more}`,
      // a post answered 410 is not retried into success: where the ids were never connections, say so
      remedy:
        unsaid[0]!.kind === 'GoneException' && noRunConnectionClosed(r)
          ? goneRemedy(r)
          : 'read what the function caught: a failure it logs and goes on from still loses its work; let it fail the invocation, or retry what it caught',
    });
  }
  return out;
}
