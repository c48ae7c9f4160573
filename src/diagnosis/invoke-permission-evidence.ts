import type { InvokePermissionFailure } from '../contracts/cloudwatch-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import { fmtInt } from '../number-format.ts';
import { errorShare, type Finding, type Symptom } from './limit-detector.ts';

/**
 * Per route (and the $connect authorizer) whose function API Gateway may not invoke, most first:
 * the requests its execution log failed with "Invalid permissions on Lambda function", what the
 * clients were answered ("Internal server error" frames, or a 500 at handshake), the share of the
 * symptom they account for (of the client-facing errors; of the messages sent, for a loss on a
 * route that fans out), and the AWS::Lambda::Permission to add.
 */
export function invokePermissionEvidence(r: Results, symptoms: ReadonlySet<Symptom>): Finding[] {
  const out: Finding[] = [];
  for (const f of r.cloudwatch?.invokePermissionFailures ?? []) {
    const connect = f.authorizer || f.route === '$connect';
    const fansOut = !connect && f.route !== '$disconnect';
    if (!symptoms.has('errors') && !(symptoms.has('loss') && fansOut && r.deliveries.lost > 0)) continue;
    const fn = f.functionArn === null ? undefined : /:function:([^:]+)/.exec(f.functionArn)?.[1];
    const where = f.authorizer ? "the $connect authorizer's function" : `route ${f.route ?? '(not named in the log)'}`;
    const answered = connect ? 'each refused with 500 at handshake' : 'each answered "Internal server error"';
    const line = `API Gateway may not invoke ${fn ?? 'the function'} (${where}): ${fmtInt(f.count)} request${f.count === 1 ? '' : 's'} failed with "Execution failed due to configuration error: Invalid permissions on Lambda function" (its execution log), ${answered}`;
    const share = errorShare(r, symptoms, f.count, fansOut ? f.count : 0);
    out.push({ line, ...(share !== undefined ? { share } : {}), remedy: `add the resource AWS::Lambda::Permission ${JSON.stringify(permissionToAdd(r, f, fn))}` });
  }
  return out.sort((a, b) => (b.share ?? -1) - (a.share ?? -1));
}

/** The AWS::Lambda::Permission that lets API Gateway invoke the function from any route of the API (its region and account from the function's ARN). */
function permissionToAdd(r: Results, f: InvokePermissionFailure, fn: string | undefined): Record<string, string> {
  const arn = f.functionArn === null ? undefined : /^arn:([^:]+):lambda:([^:]+):(\d{12}):/.exec(f.functionArn);
  const api = r.cloudwatch?.apiGateway?.apiId ?? '<api id>';
  return {
    Action: 'lambda:InvokeFunction',
    FunctionName: fn ?? '<function>',
    Principal: 'apigateway.amazonaws.com',
    SourceArn: `arn:${arn?.[1] ?? 'aws'}:execute-api:${arn?.[2] ?? r.cloudwatch?.region ?? '<region>'}:${arn?.[3] ?? '<account>'}:${api}/*`,
  };
}
