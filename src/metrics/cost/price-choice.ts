import type { PriceFile } from './prices-file.ts';
import { applyPriceOverride, completePriceFile, type PriceTable } from '../../contracts/prices.ts';
import { DEFAULT_PRICES } from './region-prices.ts';
import { REGION_PRICES, tablePrices } from './region-prices.ts';

/**
 * Which prices an estimate uses, for the region the stack runs in: a complete table given (the
 * Price List API's answer, a comparison's), else the built-in table's prices of that region, with
 * a price file's overrides on top. A region the built-in table does not know is never priced at
 * another region's rates: without a price file that covers it the estimate is refused
 * (UnknownPrices), and the run says so in one line.
 */
export class UnknownPrices extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownPrices';
  }
}

export interface PriceChoiceOptions {
  /** a complete table (`--prices aws`'s answer, or a comparison's runs' table) */
  prices?: PriceTable;
  /** `--prices FILE` */
  priceFile?: PriceFile;
}

export interface PriceChoice {
  prices: PriceTable;
  /** what the estimate's assumptions should say about the choice */
  notes: string[];
}

/** The line a run prints (and results keep) when its region's prices are unknown. */
export function unknownPricesLine(region: string): string {
  return `prices for region ${region} unknown (the built-in table has ${knownRegions()} only): no cost estimate; use --prices <file> or --prices aws`;
}

function knownRegions(): string {
  return Object.keys(REGION_PRICES).join(', ');
}

/** `region`: the stack's, undefined when the target names none (a stack of your own at a URL). */
export function choosePrices(region: string | undefined, o: PriceChoiceOptions = {}): PriceChoice {
  const notes: string[] = [];
  let base = o.prices ?? (region === undefined ? DEFAULT_PRICES : tablePrices(region));
  if (region === undefined && o.prices === undefined) notes.push(`the target names no AWS region: priced at ${DEFAULT_PRICES.region}'s list prices`);
  const file = o.priceFile;
  if (!file) {
    if (!base) throw new UnknownPrices(unknownPricesLine(region!));
    return { prices: base, notes };
  }
  const fileRegion = file.override.region ?? region ?? base?.region ?? DEFAULT_PRICES.region;
  if (region !== undefined && fileRegion !== region) {
    notes.push(`the price file ${file.file} is for ${fileRegion}, the stack runs in ${region}: priced with the file's region`);
  }
  if (base?.region !== fileRegion) base = tablePrices(fileRegion);
  if (base) {
    return { prices: { ...applyPriceOverride(base, file.override), region: fileRegion, source: `file ${file.file} over ${base.source ?? 'table'}` }, notes };
  }
  const whole = completePriceFile(file.override, fileRegion);
  if ('missing' in whole) {
    throw new UnknownPrices(
      `${file.file}: prices for region ${fileRegion} are not in the built-in table, so the price file must give every one of them (asOf and all prices); missing: ${whole.missing.join(', ')}`,
    );
  }
  return { prices: { ...whole.table, source: `file ${file.file}` }, notes };
}
