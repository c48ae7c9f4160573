import type { Results } from '../contracts/results-schema.ts';
import { fmtCount } from '../number-format.ts';
import { clipText } from './clip-text.ts';
import { errorShare, type Finding, type Symptom } from './limit-detector.ts';
import { unencodedFormValue } from './unencoded-form-value.ts';

/**
 * Per route, service and error, most first: the requests an `AWS` integration's service refused
 * (or API Gateway could not make), as the stage's execution log says: the service, its status,
 * error code and message, the request the route's template built, and what the clients were
 * answered; the share of the symptom, as for a function API Gateway may not invoke.
 */
export function integrationEvidence(r: Results, symptoms: ReadonlySet<Symptom>): Finding[] {
  const out: Finding[] = [];
  for (const f of r.cloudwatch?.integrationFailures ?? []) {
    const connect = f.route === '$connect';
    const fansOut = !connect && f.route !== '$disconnect';
    if (!symptoms.has('errors') && !(symptoms.has('loss') && fansOut && r.deliveries.lost > 0)) continue;
    const answered = connect ? 'each refused at handshake' : 'each answered "Internal server error"';
    const example = f.message ? `${f.count === 1 ? ': ' : ', the first: '}${clipText(f.message)}` : '';
    const said = f.status === null ? f.code : `${f.service.toUpperCase()} answered ${f.status} ${f.code}${example}`;
    const sent = f.requestBody !== undefined ? `; the ${f.count === 1 ? '' : 'first '}request its template built: ${clipText(f.requestBody, 200)}` : '';
    const line = `route ${f.route ?? '(not named in the log)'}'s AWS integration to ${f.service} failed ${fmtCount(f.count, 'request')}: ${said} (the stage's execution log), ${answered}${sent}`;
    const share = errorShare(r, symptoms, f.count, fansOut ? f.count : 0);
    const unencoded = unencodedFormValue(f);
    const remedy = unencoded
      ? `\`$util.urlEncode(...)\` each value the template puts into the form body: ${unencoded.field}=${unencoded.sent} reached ${f.service.toUpperCase()} as ${JSON.stringify(unencoded.received)} (a form body reads \`+\` as a space and \`%xx\` as its character)`
      : undefined;
    out.push({ line, ...(share !== undefined ? { share } : {}), ...(remedy ? { remedy } : {}) });
  }
  return out.sort((a, b) => (b.share ?? -1) - (a.share ?? -1));
}
