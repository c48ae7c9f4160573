import { UserError } from '../../common/errors.ts';
import type { CostOptions } from './cost-model.ts';
import { loadPrices } from './prices-file.ts';

/** The `--prices FILE` and `--arch` flags shared by `run` and `report`, validated up front. */
export async function costOptionsFromFlags(flags: { prices?: string; arch?: string }): Promise<CostOptions> {
  const options: CostOptions = {};
  if (flags.arch !== undefined) {
    if (flags.arch !== 'x86_64' && flags.arch !== 'arm64') {
      throw new UserError(`--arch: must be x86_64 or arm64, got "${flags.arch}"`);
    }
    options.architecture = flags.arch;
  }
  if (flags.prices !== undefined) options.prices = await loadPrices(flags.prices);
  return options;
}
