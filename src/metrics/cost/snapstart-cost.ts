import type { CostLine } from '../../contracts/cost-schema.ts';
import type { PriceTable } from '../../contracts/prices.ts';
import { fmtInt } from '../../number-format.ts';

/** A function restored from a SnapStart snapshot: its memory and how many restores (a run's REPORT lines, or a plan's count, with how it was counted). */
export interface RestoredFunction {
  name: string;
  memoryMB: number;
  restores: number;
  note?: string;
}

/**
 * What SnapStart adds to a function's bill beside its duration (Lambda pricing, "SnapStart", for
 * Python and .NET): each restore, the function's memory in GB restored; and each published
 * version's snapshot cached for as long as the version exists, per GB-second of its memory (at
 * least 3 hours). A run's estimate counts the restores its REPORT lines had, and the cache over the
 * run's duration: a standing charge, prorated as a secret's month is; a plan, its planned restores
 * and the cache over its period. A function never seen restored is not known to have SnapStart,
 * and is not charged either. The billed restore duration is in the function's compute line
 * (cost-model.ts).
 */
export function snapStartLines(
  restored: readonly RestoredFunction[],
  o: { prices: PriceTable; seconds: number; over: "the run's duration" | "the plan's period"; source: CostLine['source'] },
): { lines: CostLine[]; notes: string[] } {
  if (restored.length === 0) return { lines: [], notes: [] };
  const rates = o.prices.lambdaSnapStart;
  if (!rates) return { lines: [], notes: [`SnapStart's restore and cache charges of ${restored.map((f) => f.name).join(', ')} not priced: these prices have none (lambdaSnapStart in a price file)`] };
  const lines = restored.flatMap((f): CostLine[] => {
    const gb = f.memoryMB / 1024;
    const restoredGb = f.restores * gb;
    const cachedGbS = gb * o.seconds;
    // 'GB-s cached', not compute's 'GB-s': no volume tier of duration applies to it
    return [
      {
        service: 'Lambda',
        item: `SnapStart restores: ${f.name} (${fmtInt(f.restores)} × ${fmtInt(f.memoryMB)} MB)`,
        quantity: restoredGb,
        unit: 'GB restored',
        unitPrice: rates.restorePerGb,
        per: 1,
        cost: restoredGb * rates.restorePerGb,
        source: o.source,
        ...(f.note ? { note: f.note } : {}),
      },
      { service: 'Lambda', item: `SnapStart cache: ${f.name} (${fmtInt(f.memoryMB)} MB, ${o.over})`, quantity: cachedGbS, unit: 'GB-s cached', unitPrice: rates.cacheGbSecond, per: 1, cost: cachedGbS * rates.cacheGbSecond, source: 'assumption' },
    ];
  });
  return { lines, notes: [`SnapStart: each restore bills the function's memory in GB restored; its version's snapshot cache bills per GB-second while the version exists (here over ${o.over}; at least 3 hours on AWS)`] };
}
