import type { CostOptions } from '../metrics/cost/cost-model.ts';
import { createPricingClient, readPriceList } from '../metrics/cost/price-list.ts';
import type { PriceTable } from '../contracts/prices.ts';
import { awsCallError } from '../aws/aws-call-errors.ts';
import type { Target } from '../targets/target.ts';

/** `--prices aws`: the Price List API's answer, asked once per target (a comparison measures many times). */
const priceLists = new WeakMap<Pick<Target, 'endpoints'> & { lambdaApi?: Target['lambdaApi'] }, Promise<{ prices: PriceTable } | { note: string }>>();

/**
 * The cost options with `--prices aws` resolved: the Price List API's prices of the stack's
 * region, or, when that call fails, the options as they are (the built-in table) with a note
 * saying why. The failure is said once, as one line.
 */
export async function withPriceList(target: Pick<Target, 'endpoints'> & { lambdaApi?: Target['lambdaApi'] }, cost: CostOptions | undefined, warn: (m: string) => void): Promise<CostOptions | undefined> {
  const region = target.endpoints.region;
  if (!cost?.priceList || region === undefined) return cost;
  let asked = priceLists.get(target);
  const first = asked === undefined;
  if (!asked) {
    asked = askPriceList(region, target.lambdaApi?.profile);
    priceLists.set(target, asked);
  }
  const answer = await asked;
  if (first && 'note' in answer) warn(answer.note);
  return 'prices' in answer ? { ...cost, prices: answer.prices } : { ...cost, priceNotes: [...(cost.priceNotes ?? []), answer.note] };
}

async function askPriceList(region: string, profile: string | undefined): Promise<{ prices: PriceTable } | { note: string }> {
  const client = createPricingClient(region, profile);
  try {
    return { prices: await readPriceList(region, { client }) };
  } catch (err) {
    const why = awsCallError(err, { subject: '--prices aws', action: 'pricing:GetProducts', service: 'the AWS Price List API', ...(profile ? { profile } : {}) }).message;
    return { note: `--prices aws: the AWS Price List API gave no prices for ${region} (${why.replace(/^--prices aws: /, '')}): priced from the built-in table instead` };
  } finally {
    client.destroy();
  }
}
