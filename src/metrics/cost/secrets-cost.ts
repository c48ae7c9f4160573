import type { CostLine } from '../../contracts/cost-schema.ts';
import type { PriceTable } from '../../contracts/prices.ts';
import type { SecretsManagerUsage } from '../../contracts/secrets-manager-schema.ts';
import { fmtInt } from '../../number-format.ts';
import { tablePrices } from './region-prices.ts';

/**
 * What a run's Secrets Manager use bills, from results.secretsManager: its API calls (AWS/Usage
 * CallCount over the CloudWatch window) at the price per 10,000 calls, and the stack's secrets at
 * the secret-month price, prorated to the run's duration (AWS bills a secret by the hour for as
 * long as it exists; the run is charged its own share of that, not the whole month). The prices
 * are the table's own, else the built-in table's of its region (a Price List answer has none).
 * The 30-day free trial of a new secret is not counted, as no free tier is (region-prices.ts).
 */
export function secretsManagerLines(usage: SecretsManagerUsage, o: { prices: PriceTable; runSeconds: number; hoursPerMonth: number }): { lines: CostLine[]; notes: string[] } {
  const ops = Object.entries(usage.calls).sort(([a], [b]) => a.localeCompare(b));
  const calls = ops.reduce((n, [, c]) => n + c, 0);
  return priced(o.prices, usage.secrets.length, {
    calls,
    callsNote: `${ops.length > 0 ? ops.map(([op, c]) => `${fmtInt(c)} ${op}`).join(', ') : 'none'} (AWS/Usage CallCount over the CloudWatch window: every caller's in the account and region, not only the stack's)`,
    secretMonths: (usage.secrets.length * o.runSeconds) / 3600 / o.hoursPerMonth,
    secretsItem: `secrets (${usage.secrets.length}, prorated to the run)`,
    secretsNote: `${usage.secrets.length} secret(s) of the stack × ${round(o.runSeconds)} s of a ${o.hoursPerMonth}-hour month; the 30-day free trial of a new secret not counted`,
  });
}

/**
 * What a planned traffic's Secrets Manager use bills (plan's monthly cost): the calls the work
 * model scales (per cold start or per invocation, as the runs made them) and the stack's secrets
 * over the period.
 */
export function plannedSecretsManagerLines(
  prices: PriceTable,
  o: { secrets: number; calls: number; callsNote: string; secretMonths: number; periodLabel: string; ofTheRun: boolean },
): { lines: CostLine[]; notes: string[] } {
  return priced(prices, o.secrets, {
    calls: o.calls,
    callsNote: o.callsNote,
    secretMonths: o.secretMonths,
    // a run's own traffic: the line its estimate has, to hold them side by side
    secretsItem: o.ofTheRun ? `secrets (${o.secrets}, prorated to the run)` : `secrets (${o.secrets})`,
    secretsNote: `${o.secrets} secret(s) of the stack over the ${o.periodLabel}; the 30-day free trial of a new secret not counted`,
  });
}

interface SecretsUse {
  calls: number;
  callsNote: string;
  secretMonths: number;
  secretsItem: string;
  secretsNote: string;
}

function priced(prices: PriceTable, secrets: number, use: SecretsUse): { lines: CostLine[]; notes: string[] } {
  const table = tablePrices(prices.region);
  const p = prices.secretsManager ?? table?.secretsManager;
  if (!p) {
    return { lines: [], notes: [`no Secrets Manager prices for ${prices.region} (the built-in table has none for it; a price file's secretsManager gives them): its ${secrets} secret(s) and calls are not priced`] };
  }
  const notes: string[] = [];
  if (!prices.secretsManager) notes.push(`Secrets Manager at the built-in table's ${table!.region} prices of ${table!.asOf} (the prices used do not give them)`);
  const lines: CostLine[] = [
    {
      service: 'Secrets Manager',
      item: 'API calls',
      quantity: use.calls,
      unit: 'calls',
      unitPrice: p.apiCallsPer10k,
      per: 1e4,
      cost: (use.calls * p.apiCallsPer10k) / 1e4,
      // measured: CloudWatch's count, or the runs' counts scaled
      source: 'cloudwatch',
      note: use.callsNote,
    },
    {
      service: 'Secrets Manager',
      item: use.secretsItem,
      quantity: use.secretMonths,
      unit: 'secret-months',
      unitPrice: p.secretMonthly,
      per: 1,
      cost: use.secretMonths * p.secretMonthly,
      source: 'assumption',
      note: use.secretsNote,
    },
  ];
  return { lines, notes };
}

const round = (n: number) => Math.round(n * 100) / 100;
