import type { Plan } from '../../analyses/plan/plan-schema.ts';
import { fmtNum, fmtUsd } from '../../number-format.ts';

/** The plan on the console: the total, the cost by service, and (a run's own traffic) measured against planned. Pure. */
export function renderPlanConsole(p: Plan): string[] {
  const c = p.cost;
  const lines = [
    `plan: ${fmtUsd(c.totals.total)} per ${p.traffic.periodLabel} (Lambda ${fmtUsd(c.totals.lambda)}, API Gateway ${fmtUsd(c.totals.apiGateway)}, DynamoDB ${fmtUsd(c.totals.dynamodb)}; ${c.region} prices)`,
  ];
  for (const l of c.lines) lines.push(`  ${l.service}: ${l.item}: ${fmtNum(l.quantity)} ${l.unit}, ${fmtUsd(l.cost)}`);
  if (p.check) lines.push(`  measured ${fmtUsd(p.check.total.measured)}, planned ${fmtUsd(p.check.total.planned)} (run ${p.check.runId} at its own traffic)`);
  if (p.workModel.runs.some((r) => r.measuredOn === 'emulator')) lines.push('  measured on the local emulator: billed durations are this host\'s, not Lambda\'s');
  return lines;
}
