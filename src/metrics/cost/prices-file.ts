import { readDataFile } from '../../../common/data-file.ts';
import { fieldPath, UserError } from '../../../common/errors.ts';
import { applyPriceOverride, PriceOverride, type PriceTable } from '../../contracts/prices.ts';
import { DEFAULT_PRICES } from './region-prices.ts';

/** A price file as read: its path and the prices it sets (one region's; any subset of the table). */
export interface PriceFile {
  file: string;
  override: PriceOverride;
}

/**
 * Reads a price file (JSON or YAML, bounded: see data-file.ts). A bad file is the user's to fix:
 * one line naming the file and the field. The file holds one region's prices (`region`, else the
 * stack's): over the built-in table's prices of that region, or all of them for a region the
 * table does not know (price-choice.ts).
 */
export function readPriceFile(file: string): PriceFile {
  const raw = readDataFile(file, { what: 'price file' });
  const parsed = PriceOverride.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // an unknown key (a typo) is named by its own path, not its parent's
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    throw new UserError(`${file}: ${fieldPath(path)}: ${issue.message}`);
  }
  return { file, override: parsed.data };
}

/** A price file applied over `base` (default: the built-in us-east-1 prices). */
export async function loadPrices(file: string, base: PriceTable = DEFAULT_PRICES): Promise<PriceTable> {
  return { ...applyPriceOverride(base, readPriceFile(file).override), source: `file ${file}` };
}
