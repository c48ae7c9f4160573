import type { Results } from '../../src/contracts/results-schema.ts';
import { buildResults } from '../report/fixtures.ts';

/**
 * The report fixture's results with nothing pointing at a cause or a limit: no errors, the harness
 * not saturated, no throttles, errors or function errors in CloudWatch, the host not busy, no INIT,
 * no DynamoDB figures, no client errors at the API. The evidence a test adds is then the only one.
 */
export function quietResults(): Results {
  const r = buildResults();
  r.errors = {};
  r.harness.saturated = false;
  const cw = r.cloudwatch!;
  for (const t of Object.values(cw.lambda)) Object.assign(t, { throttles: 0, errors: 0, concurrentExecutionsMax: 1 });
  cw.localHost = { hostBusyAvgPercent: 40, hostBusyPeakPercent: 70, stackCpuMs: 1000, heldBack: {} };
  cw.emf = {};
  for (const rep of Object.values(cw.reports)) rep.initDurationMsTotal = 0;
  delete cw.dynamodb;
  cw.apiGatewayTotals = { ...cw.apiGatewayTotals!, clientError: 0 };
  cw.functionErrors = {};
  return r;
}
