import type { CostEstimate } from '../../contracts/cost-schema.ts';
import type { PriceTable } from '../../contracts/prices.ts';
import { fmtNum, fmtUsd } from '../../number-format.ts';

/**
 * Estimates recorded before fanout-bench knew that AWS charges no data transfer out on WebSocket
 * APIs (only messages and connection minutes: docs/aws-prices.md) carry a "Data transfer" line
 * their default prices added. Pure: a recorded estimate in, what that line added out, so a
 * re-rendered report can say so next to the recorded figures, which stay as they were recorded.
 */
export interface UnchargedTransfer {
  /** what the line cost, USD */
  transfer: number;
  /** the recorded whole estimate, and without the line */
  total: number;
  totalWithout: number;
  perMillionDeliveriesWithout: number | null;
  perThousandUsersPerMonthWithout: number | null;
  /** what the line added and the estimate without it, for every report */
  text: string;
  /** the command that estimates the run again without the line (at its recorded architecture) */
  command: string;
}

/** What an old estimate's data-transfer line added; undefined for an estimate without one or made since (`transferOut` set). */
export function unchargedTransfer(cost: CostEstimate): UnchargedTransfer | undefined {
  if (cost.transferOut !== undefined) return undefined;
  const lines = cost.lines.filter((l) => l.service === 'Data transfer');
  if (lines.length === 0 && cost.totals.dataTransfer === undefined) return undefined;
  const transfer = cost.totals.dataTransfer ?? lines.reduce((s, l) => s + l.cost, 0);
  const totalWithout = Math.max(0, cost.totals.total - transfer);
  // both are the total over a fixed basis (cost-model.ts), so they shrink with it
  const share = cost.totals.total > 0 ? totalWithout / cost.totals.total : 1;
  const perMillionDeliveriesWithout = cost.perMillionDeliveries === null ? null : cost.perMillionDeliveries * share;
  const perThousandUsersPerMonthWithout = cost.perThousandUsersPerMonth === null ? null : cost.perThousandUsersPerMonth * share;
  const gb = lines.reduce((s, l) => s + l.quantity, 0);
  const priced = lines[0] ? ` (${fmtNum(gb)} GB at $${lines[0].unitPrice} per GB)` : '';
  const without = [
    `${fmtUsd(totalWithout)} this run`,
    ...(perMillionDeliveriesWithout === null ? [] : [`${fmtUsd(perMillionDeliveriesWithout)} per 1M deliveries`]),
    ...(perThousandUsersPerMonthWithout === null ? [] : [`${fmtUsd(perThousandUsersPerMonthWithout)} per 1,000 users per month`]),
  ].join(', ');
  const text =
    `This estimate was recorded with a data-transfer-out line of ${fmtUsd(transfer)}${priced}, which AWS does not charge on WebSocket APIs ` +
    `(they are billed for messages and connection minutes only). Without it: ${without}.`;
  const command = `fanout-bench report --arch ${cost.architecture} <run-dir>`;
  return { transfer, total: cost.totals.total, totalWithout, perMillionDeliveriesWithout, perThousandUsersPerMonthWithout, text, command };
}

/**
 * The prices a recorded estimate is estimated again at (`report --arch/--prices`, `report
 * --repull`): its own, less a transfer price the defaults added before AWS's rule was known. A
 * transfer price a price file gave since (`transferOut: 'priced'`) is kept.
 */
export function pricesToReestimate(cost: CostEstimate): PriceTable {
  if (cost.transferOut === 'priced' || cost.prices.dataTransferOut === undefined) return cost.prices;
  const prices = { ...cost.prices };
  delete prices.dataTransferOut;
  return prices;
}
