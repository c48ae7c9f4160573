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
 * The evidence, one detector per kind of limit (DETECTORS, in LIMIT_FACTORS' order), each in a
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

/** One detector per kind of limit (each in a file of its own, named for its evidence). */
const DETECTORS: Record<Exclude<LimitFactor, 'none'>, Detector> = {
  'not-emulated': (r, symptoms) => notEmulatedEvidence(r, symptoms.has('loss'), symptoms.has('errors')),
  'queued-path': (r, symptoms) => pathEvidence(r, symptoms.has('loss')),
  'function-errors': functionErrorEvidence,
  'invoke-permission': invokePermissionEvidence,
  'integration-errors': integrationEvidence,
  'iam-denied': (r, symptoms) => denialEvidence(r, symptoms).filter((f) => f.kind === 'iam-denied'),
  'logged-errors': (r, symptoms) => denialEvidence(r, symptoms).filter((f) => f.kind === 'logged-errors'),
  'lambda-throttles': lambdaThrottleEvidence,
  'api-gateway-429': apiGateway429Evidence,
  'dynamodb-throttles': dynamodbThrottleEvidence,
  'connections-post-errors': postErrorEvidence,
  'harness-saturated': harnessEvidence,
  'local-host': localHostEvidence,
  'cold-start-storm': coldStartStormEvidence,
  'cold-start-tail': (r, symptoms, judged) => (symptoms.has('latency') ? coldTailEvidence(r, judged.crossed, judged.asTimed) : undefined),
  'posts-per-invocation': fanoutDurationEvidence,
  'connections-post-latency': postLatencyEvidence,
};

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
    const found = DETECTORS[factor](r, judged.symptoms, judged);
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
