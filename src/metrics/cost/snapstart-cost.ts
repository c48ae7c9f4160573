import type { CostLine } from '../../contracts/cost-schema.ts';
import type { PriceTable } from '../../contracts/prices.ts';
import { fmtInt } from '../../number-format.ts';

/** A function the run saw restored from a SnapStart snapshot: its memory and how many restores its REPORT lines had. */
export interface RestoredFunction {
  name: string;
  memoryMB: number;
  restores: number;
}

/**
 * What SnapStart adds to a function's bill beside its duration (Lambda pricing, "SnapStart", for
 * Python and .NET): each restore, the function's memory in GB restored; and each published
 * version's snapshot cached for as long as the version exists, per GB-second of its memory (at
 * least 3 hours). A run's estimate counts the restores its REPORT lines had, and the cache over the
 * run's duration: a standing charge, prorated as a secret's month is. A function the run never saw
 * restored is not known to have SnapStart, and is not charged either. The billed restore duration
 * is in the function's compute line (cost-model.ts).
 */
export function snapStartLines(restored: readonly RestoredFunction[], o: { prices: PriceTable; runSeconds: number }): { lines: CostLine[]; notes: string[] } {
  if (restored.length === 0) return { lines: [], notes: [] };
  const rates = o.prices.lambdaSnapStart;
  if (!rates) return { lines: [], notes: [`SnapStart's restore and cache charges of ${restored.map((f) => f.name).join(', ')} not priced: these prices have none (lambdaSnapStart in a price file)`] };
  const lines = restored.flatMap((f): CostLine[] => {
    const gb = f.memoryMB / 1024;
    const restoredGb = f.restores * gb;
    const cachedGbS = gb * o.runSeconds;
    return [
      { service: 'Lambda', item: `SnapStart restores: ${f.name} (${fmtInt(f.restores)} × ${fmtInt(f.memoryMB)} MB)`, quantity: restoredGb, unit: 'GB restored', unitPrice: rates.restorePerGb, per: 1, cost: restoredGb * rates.restorePerGb, source: 'report-lines' },
      { service: 'Lambda', item: `SnapStart cache: ${f.name} (${fmtInt(f.memoryMB)} MB, the run's duration)`, quantity: cachedGbS, unit: 'GB-s', unitPrice: rates.cacheGbSecond, per: 1, cost: cachedGbS * rates.cacheGbSecond, source: 'assumption' },
    ];
  });
  return { lines, notes: ["SnapStart: each restore bills the function's memory in GB restored; its version's snapshot cache bills per GB-second while the version exists (prorated here to the run's duration; at least 3 hours on AWS)"] };
}
