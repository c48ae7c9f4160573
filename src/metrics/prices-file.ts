import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { fieldPath, UserError } from '../errors.ts';
import { applyPriceOverride, DEFAULT_PRICES, PriceOverride, type PriceTable } from './prices.ts';

/**
 * Reads a price file (JSON or YAML: YAML is a superset of JSON, so one parser reads both) and
 * applies it over the default table. A bad file is the user's to fix: one line naming the file
 * and the field.
 */
export async function loadPrices(file: string, base: PriceTable = DEFAULT_PRICES): Promise<PriceTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(`${file}: cannot read price file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new UserError(`${file}: not valid JSON or YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const parsed = PriceOverride.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // an unknown key (a typo) is named by its own path, not its parent's
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    throw new UserError(`${file}: ${fieldPath(path)}: ${issue.message}`);
  }
  return applyPriceOverride(base, parsed.data);
}
