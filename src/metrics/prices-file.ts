import { readDataFile } from '../../common/data-file.ts';
import { fieldPath, UserError } from '../../common/errors.ts';
import { applyPriceOverride, DEFAULT_PRICES, PriceOverride, type PriceTable } from './prices.ts';

/**
 * Reads a price file (JSON or YAML, bounded: see data-file.ts) and
 * applies it over the default table. A bad file is the user's to fix: one line naming the file
 * and the field.
 */
export async function loadPrices(file: string, base: PriceTable = DEFAULT_PRICES): Promise<PriceTable> {
  const raw = readDataFile(file, { what: 'price file' });
  const parsed = PriceOverride.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // an unknown key (a typo) is named by its own path, not its parent's
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    throw new UserError(`${file}: ${fieldPath(path)}: ${issue.message}`);
  }
  return applyPriceOverride(base, parsed.data);
}
