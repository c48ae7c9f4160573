import { UserError } from '../../../common/errors.ts';
import type { CostOptions } from './cost-model.ts';
import { readPriceFile } from './prices-file.ts';

/** `--prices aws`: the AWS Price List API instead of a file. */
export const PRICE_LIST_FLAG = 'aws';

/**
 * The `--prices FILE|aws` and `--arch` flags shared by `run`, `compare` and `report`, validated up
 * front. `aws` needs an `aws:<stackName>` target: the run's input check holds it to one
 * (src/session/run-input.ts); `report`, re-rendering a run, has none (`rerender`).
 */
export async function costOptionsFromFlags(flags: { prices?: string; arch?: string }, o: { rerender?: boolean } = {}): Promise<CostOptions> {
  const options: CostOptions = {};
  if (flags.arch !== undefined) {
    if (flags.arch !== 'x86_64' && flags.arch !== 'arm64') {
      throw new UserError(`--arch: must be x86_64 or arm64, got "${flags.arch}"`);
    }
    options.architecture = flags.arch;
  }
  if (flags.prices === PRICE_LIST_FLAG) {
    if (o.rerender) {
      throw new UserError('--prices aws: asks the AWS Price List API for the region of an aws:<stackName> target while it runs; for re-rendering a run, give a price file (--prices <file>)');
    }
    options.priceList = true;
  } else if (flags.prices !== undefined) {
    options.priceFile = readPriceFile(flags.prices);
  }
  return options;
}
