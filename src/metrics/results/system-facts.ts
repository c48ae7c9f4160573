import type { Results } from '../../contracts/results-schema.ts';
import { STALE_FIELDS_FROM_ACKS } from './protocol-result.ts';
import { withAttributedSplits } from './results-builder.ts';

/**
 * What the system itself reported about one measurement, each step's finding as it returned it
 * (src/session/system-metrics.ts): absent where the step had nothing to say or could not read it
 * (then a warning said so). `withSystemFacts` puts them into the fleet's results.
 */
export interface SystemFacts {
  cloudwatch?: NonNullable<Results['cloudwatch']>;
  path?: NonNullable<Results['path']>;
  secretsManager?: NonNullable<Results['secretsManager']>;
  hopLatency?: NonNullable<Results['hopLatency']>;
  /** every request traced to its invocation, and the histograms the access log's split adds */
  attribution?: { attribution: NonNullable<Results['attribution']>; histograms?: Results['histograms'] };
  permissions?: NonNullable<Results['permissions']>;
  /** the target's own view of posts to dropped clients: its figures where it has them, and where the stale figures come from */
  stale?: { stale?: NonNullable<Results['stale']>; source: string };
  unservedCalls?: NonNullable<Results['unservedCalls']>;
  dynamodb?: NonNullable<Results['dynamodb']>;
  lambda?: NonNullable<Results['lambda']>;
  cost?: NonNullable<Results['cost']>;
  /** lines kept with the results (results.harness.warnings), in the order the steps found them */
  warnings: string[];
}

/**
 * The fleet's results with what the system reported: a new value (the fleet's results are left as
 * they were), each finding in its section; the access log's cold/warm split into the metrics and
 * the stale figures' source into the protocol's notObservable, where it says where they come from.
 */
export function withSystemFacts(measured: Results, f: SystemFacts): Results {
  const r: Results = {
    ...measured,
    metrics: { ...measured.metrics },
    histograms: { ...measured.histograms, ...f.attribution?.histograms },
    harness: { ...measured.harness, warnings: [...measured.harness.warnings, ...f.warnings] },
    ...(measured.protocol ? { protocol: { ...measured.protocol, notObservable: { ...measured.protocol.notObservable } } } : {}),
    ...(f.cloudwatch ? { cloudwatch: f.cloudwatch } : {}),
    ...(f.path ? { path: f.path } : {}),
    ...(f.secretsManager ? { secretsManager: f.secretsManager } : {}),
    ...(f.hopLatency ? { hopLatency: f.hopLatency } : {}),
    ...(f.attribution ? { attribution: f.attribution.attribution } : {}),
    ...(f.permissions ? { permissions: f.permissions } : {}),
    ...(f.stale?.stale ? { stale: f.stale.stale } : {}),
    ...(f.unservedCalls ? { unservedCalls: f.unservedCalls } : {}),
    ...(f.dynamodb ? { dynamodb: f.dynamodb } : {}),
    ...(f.lambda ? { lambda: f.lambda } : {}),
    ...(f.cost ? { cost: f.cost } : {}),
  };
  // on the copies made above
  if (f.attribution) withAttributedSplits(r);
  const unseen = r.protocol?.notObservable;
  if (f.stale && unseen) for (const field of STALE_FIELDS_FROM_ACKS) unseen[field] = f.stale.source;
  return r;
}
