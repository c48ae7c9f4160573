import type { PriceTable } from '../../contracts/prices.ts';

type Architecture = 'x86_64' | 'arm64';

/** USD per GB-second of duration on demand, at the architecture's price. */
export function gbSecondRate(prices: PriceTable, architecture: Architecture): number {
  return architecture === 'arm64' ? prices.lambda.gbSecondArm64 : prices.lambda.gbSecondX86;
}

/**
 * USD per GB-second of provisioned concurrency allocated, and of duration on a provisioned
 * environment, at the architecture's prices; undefined where the prices have none.
 */
export function provisionedRates(prices: PriceTable | undefined, architecture: Architecture): { concurrency: number; duration: number } | undefined {
  const r = prices?.lambdaProvisioned;
  if (!r) return undefined;
  return architecture === 'arm64' ? { concurrency: r.concurrencyGbSecondArm64, duration: r.durationGbSecondArm64 } : { concurrency: r.concurrencyGbSecondX86, duration: r.durationGbSecondX86 };
}

/** The GB-seconds `environments` provisioned environments of `memoryMB` are billed over `seconds`, busy or not. */
export function allocatedGbSeconds(environments: number, memoryMB: number, seconds: number): number {
  return (environments * memoryMB * seconds) / 1024;
}
