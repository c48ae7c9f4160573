import { apiGateway429Evidence } from './api-gateway-429-evidence.ts';
import { coldStartStormEvidence } from './cold-start-storm-evidence.ts';
import { coldTailEvidence } from './cold-tail-evidence.ts';
import { denialEvidence } from './denial-evidence.ts';
import { dynamodbThrottleEvidence } from './dynamodb-throttle-evidence.ts';
import { fanoutDurationEvidence } from './fanout-duration-evidence.ts';
import { functionErrorEvidence } from './function-error-evidence.ts';
import { harnessEvidence } from './harness-evidence.ts';
import { integrationEvidence } from './integration-evidence.ts';
import { invokePermissionEvidence } from './invoke-permission-evidence.ts';
import { lambdaThrottleEvidence } from './lambda-throttle-evidence.ts';
import { SYMPTOMS, type Detector, type Judged, type Symptom } from './limit-detector.ts';
import { localHostEvidence } from './local-host-evidence.ts';
import type { CrossedLatency } from './local-host-waits.ts';
import { notEmulatedEvidence } from './not-emulated-evidence.ts';
import { pathEvidence } from './path-evidence.ts';
import { postErrorEvidence } from './post-error-evidence.ts';
import { postLatencyEvidence } from './post-latency-evidence.ts';
import type { Results } from '../contracts/results-schema.ts';
import { checkFailed } from '../contracts/verdict-schema.ts';
import { LIMIT_FACTORS, type Evidence, type LimitFactor } from '../contracts/limit-factors.ts';

/** A kind of limit evidence can name (`none`: none found). */
export type Factor = Exclude<LimitFactor, 'none'>;

/**
 * What limited one run (a search's step; a failed run, whose explanations read it too), read from
 * its results.json alone: one line per kind of limit the run's numbers point at, each with its
 * figures. A cause is named only for a symptom it can produce (a failed check's or crossed SLO's:
 * errors, lost deliveries, latency), and says how much of it it accounts for (its share); the
 * lines are ranked by that share, and where no share is known, in the order of LIMIT_FACTORS (the
 * functions' own errors, a hard limit that refused work; then what makes the numbers
 * untrustworthy, the local host or the harness; then what made the work slow). No line: nothing
 * in the results points anywhere.
 *
 * The evidence, one detector per kind of limit (LIMITS, in LIMIT_FACTORS' order), each in a
 * file named for it (`*-evidence.ts`, written in limit-detector.ts's terms): what the functions'
 * logs and AWS/Lambda say of their errors, API Gateway's invoke permissions and AWS integrations,
 * IAM's denials and the errors the functions logged, Lambda's throttles, API Gateway's 429s,
 * DynamoDB's throttling, failed and slow @connections posts, the harness, the emulator's host,
 * cold starts (a storm, a cold tail) and the fan-out's own duration.
 */

/** The symptom of a built-in check (checks.ts) or of a threshold's metric. */
export function symptomOf(check: { name: string } | { metric: string }): Symptom {
  if ('metric' in check) return check.metric.startsWith('deliveries.') ? 'loss' : /^(errors|sends)\./.test(check.metric) ? 'errors' : 'latency';
  const byCheck: Record<string, Symptom> = { 'no lost deliveries': 'loss', 'harness not saturated': 'latency' };
  return byCheck[check.name] ?? 'errors';
}

/**
 * The judged run's own: its failed checks' and crossed thresholds' symptoms; every symptom, as
 * timed, when it has no verdict (or none failed). A crossed latency threshold decides what its
 * latency was judged on; a failed check's latency (the harness's own delay) is read as timed only
 * where no latency threshold was crossed.
 */
function judgedOfVerdict(r: Results): Judged {
  const v = r.verdict;
  const checks = v ? v.checks.filter(checkFailed).map(symptomOf) : [];
  const thresholds = v ? v.thresholds.filter((t) => t.outcome === 'fail') : [];
  const named = [...checks, ...thresholds.map(symptomOf)];
  if (named.length === 0) return { symptoms: new Set(SYMPTOMS), crossed: [], asTimed: true };
  const crossed = thresholds.filter((t) => symptomOf(t) === 'latency');
  return { symptoms: new Set(named), crossed, asTimed: crossed.length === 0 && checks.includes('latency') };
}

/**
 * Each kind of limit: its detector (each in a file of its own, named for its evidence) and what
 * would move it, said beside its evidence where the detector names nothing more fitting.
 */
const LIMITS: Record<Factor, { detect: Detector; remedy: string }> = {
  'not-emulated': {
    detect: (r, symptoms) => notEmulatedEvidence(r, symptoms.has('loss'), symptoms.has('errors')),
    remedy: 'measure this path on AWS, where its trigger invokes the function that posts; the emulator does not run it',
  },
  'queued-path': {
    detect: (r, symptoms) => pathEvidence(r, symptoms.has('loss')),
    remedy: "read the named hop's consumer: what it failed, dropped or was throttled on never reached the clients",
  },
  'function-errors': {
    detect: functionErrorEvidence,
    remedy: "read the function's log for the error's stack: it failed in its own code",
  },
  'invoke-permission': {
    detect: invokePermissionEvidence,
    remedy: "add an AWS::Lambda::Permission letting apigateway.amazonaws.com invoke the function (or give the integration a CredentialsArn role allowed lambda:InvokeFunction)",
  },
  'integration-errors': {
    detect: integrationEvidence,
    remedy: "make the route's request template (and its RequestParameters) build a request the service accepts: the stage's execution log has the request body after transformations beside the service's error",
  },
  'iam-denied': {
    detect: (r, symptoms) => denialEvidence(r, symptoms).filter((f) => f.kind === 'iam-denied'),
    remedy: "add the statement named to the function's execution role (IAM denied the call: the function's code may have caught and logged it)",
  },
  'logged-errors': {
    detect: (r, symptoms) => denialEvidence(r, symptoms).filter((f) => f.kind === 'logged-errors'),
    remedy: "read the function's log: it logged these errors without failing its invocation",
  },
  'lambda-throttles': {
    detect: lambdaThrottleEvidence,
    remedy: "raise the function's reserved concurrency, or the account's concurrent executions (a Service Quotas request)",
  },
  'api-gateway-429': {
    detect: apiGateway429Evidence,
    remedy: "raise the stage's throttle (its rate and burst), or the account's API Gateway throttle (a Service Quotas request)",
  },
  'dynamodb-throttles': {
    detect: dynamodbThrottleEvidence,
    remedy: "raise the table's (or index's) provisioned read or write units, or make it on-demand; spread a hot partition key",
  },
  'connections-post-errors': {
    detect: postErrorEvidence,
    remedy: "read the fan-out function's logs for the posts' errors: 410s are stale connections, 429s the account's throttle",
  },
  'harness-saturated': {
    detect: harnessEvidence,
    remedy: 'the harness was the bottleneck: more shards (--shards), fewer clients per load host, or a bigger one',
  },
  'local-host': {
    detect: localHostEvidence,
    remedy: 'the emulator shared its cores with the load: fewer clients on this host, or measure on AWS',
  },
  'cold-start-storm': {
    detect: coldStartStormEvidence,
    remedy: 'provisioned concurrency, a smaller bundle or more memory (INIT runs on its CPU share), or a warm-up',
  },
  'cold-start-tail': {
    detect: (r, symptoms, judged) => (symptoms.has('latency') ? coldTailEvidence(r, judged.crossed, judged.asTimed) : undefined),
    remedy: "provisioned concurrency for the route's function, a smaller bundle or more memory (INIT runs on its CPU share), or a warm-up phase before the one measured",
  },
  'posts-per-invocation': {
    detect: fanoutDurationEvidence,
    remedy: 'fan out from more invocations (a queue of batches) or post in parallel; smaller rooms',
  },
  'connections-post-latency': {
    detect: postLatencyEvidence,
    remedy: "more memory for the fan-out function (Lambda's CPU follows it), or parallel posts",
  },
};

/** What would move a kind of limit. */
export const limitRemedy = (factor: Factor): string => LIMITS[factor].remedy;


/**
 * The evidence that can produce these symptoms (default: the judged run's own, from its verdict),
 * one line per kind of limit (per function, for the functions' errors), the largest share of the
 * symptom first; lines without a share after those with one, in LIMIT_FACTORS' order. `crossed`:
 * the latency thresholds behind a latency symptom (a crossed threshold's explanation passes its
 * own); without them, a latency as the clients timed it.
 */
export function limitEvidence(r: Results, symptoms?: ReadonlySet<Symptom>, crossed?: readonly CrossedLatency[]): Evidence[] {
  const judged: Judged = symptoms ? { symptoms, crossed: crossed ?? [], asTimed: crossed === undefined } : judgedOfVerdict(r);
  const out: Evidence[] = [];
  for (const factor of LIMIT_FACTORS) {
    if (factor === 'none') continue;
    const found = LIMITS[factor].detect(r, judged.symptoms, judged);
    for (const f of [found ?? []].flat()) {
      const x = typeof f === 'string' ? { line: f } : f;
      out.push({ factor, line: x.line, ...(x.share !== undefined ? { share: x.share } : {}), ...(x.remedy ? { remedy: x.remedy } : {}) });
    }
  }
  // stable: equal shares (and none) keep LIMIT_FACTORS' order
  return out.sort((a, b) => (b.share ?? -1) - (a.share ?? -1));
}

/** The line said when no evidence points anywhere. */
export const NO_EVIDENCE_LINE =
  'no evidence: no throttles, 429s, DynamoDB throttling, post errors, denied calls, logged errors, cold-start storm or held-back invocations, and the harness kept up; the SLO was crossed by the latency of the work itself';
