import type { PriceTable } from '../../contracts/prices.ts';

/** Which prices an estimate used, in words: the region, the date and where they came from. */
export function pricesLabel(p: PriceTable): string {
  if (p.source === 'aws-price-list') return `${p.region} list prices from the AWS Price List API, read ${p.asOf}`;
  if (p.source?.startsWith('file ')) return `${p.region} list prices as of ${p.asOf} (price ${p.source})`;
  return `${p.region} list prices as of ${p.asOf} (built-in table)`;
}
