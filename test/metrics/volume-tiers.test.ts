import { describe, expect, it } from 'vitest';
import type { CostLine } from '../../src/contracts/cost-schema.ts';
import { lambdaInitLines } from '../../src/metrics/cost/cost-model.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { applyVolumeTiers, REGION_TIERS, tieredCost } from '../../src/metrics/cost/volume-tiers.ts';

/** us-east-1's monthly volume tiers, every figure worked by hand. */
const tiers = REGION_TIERS['us-east-1']!;
const line = (service: CostLine['service'], item: string, quantity: number, unit: string, unitPrice: number, per: number): CostLine => ({
  service,
  item,
  quantity,
  unit,
  unitPrice,
  per,
  cost: (quantity * unitPrice) / per,
  source: 'cloudwatch',
});

describe('monthly volume tiers', () => {
  it('prices each tier in turn', () => {
    // 1.5 billion messages: 1,000 M × $1.00 + 500 M × $0.80 = $1,400
    expect(tieredCost(1.5e9, tiers.messages)).toBeCloseTo(1_400, 6);
    // 10 billion x86 GB-s: 6e9 × 0.0000166667 + 4e9 × 0.000015 = 100,000.2 + 60,000
    expect(tieredCost(10e9, tiers.gbSecondX86)).toBeCloseTo(160_000.2, 3);
    // 20 billion arm64 GB-s: 7.5e9 × 0.0000133334 + 11.25e9 × 0.0000120001 + 1.25e9 × 0.0000106667
    expect(tieredCost(20e9, tiers.gbSecondArm64)).toBeCloseTo(100_000.5 + 135_001.125 + 13_333.375, 2);
    expect(tieredCost(0, tiers.messages)).toBe(0);
  });

  it('shares the tiered cost of the message lines between them, in proportion, with a note', () => {
    const lines = [
      line('API Gateway', 'messages client → API (32 KB units)', 1e9, 'messages', 1, 1e6),
      line('API Gateway', 'messages API → clients: route responses + @connections posts (32 KB units)', 0.5e9, 'messages', 1, 1e6),
      line('API Gateway', 'connection-minutes', 1e10, 'minutes', 0.25, 1e6),
      line('DynamoDB', 'read request units', 1e10, 'RRU', 0.125, 1e6),
    ];
    const out = applyVolumeTiers(lines, tiers, 'x86_64');
    // $1,500 at the first tier's price becomes $1,400: each line × 1,400 / 1,500
    expect(out[0]!.cost).toBeCloseTo(933.333, 3);
    expect(out[1]!.cost).toBeCloseTo(466.667, 3);
    expect(out[0]!.unitPrice).toBeCloseTo(1400 / 1500, 9);
    expect(out[0]!.tiered).toBe(true);
    expect(out[0]!.note).toMatch(/^the month's volume tiers over 1,500,000,000 messages, both directions: 1B messages at \$1 per M, the rest at \$0\.8 per M/);
    // connection minutes and DynamoDB have no volume tiers
    expect(out[2]).toBe(lines[2]);
    expect(out[3]).toBe(lines[3]);
  });

  it('tiers the GB-s of every function of the architecture together, and leaves a volume inside the first tier alone', () => {
    const gbs = (name: string, q: number) => line('Lambda', `${name} compute (1024 MB, arm64)`, q, 'GB-s', 0.0000133334, 1);
    const big = applyVolumeTiers([gbs('a', 5e9), gbs('b', 5e9)], tiers, 'arm64');
    const tiered = tieredCost(10e9, tiers.gbSecondArm64); // 7.5e9 × 0.0000133334 + 2.5e9 × 0.0000120001
    expect(big[0]!.cost + big[1]!.cost).toBeCloseTo(tiered, 3);
    expect(big[0]!.cost).toBeCloseTo(tiered / 2, 3);
    const small = [gbs('a', 1e6)];
    expect(applyVolumeTiers(small, tiers, 'arm64')[0]).toBe(small[0]);
  });

  it('tiers a plan\'s INIT lines with the compute lines: they are GB-s of the same functions', () => {
    // 2e10 cold starts × 250 ms × 1 GB = 5e9 GB-s of INIT beside 5e9 GB-s of compute
    const init = lambdaInitLines([{ fn: { name: 'a', route: 'sendMessage', memoryMB: 1024 }, memoryMB: 1024, coldStarts: 2e10, initBilledMsPerColdStart: 250 }], DEFAULT_PRICES, 'arm64');
    const out = applyVolumeTiers([line('Lambda', 'a compute (1024 MB, arm64)', 5e9, 'GB-s', 0.0000133334, 1), ...init], tiers, 'arm64');
    expect(out[1]!.item).toBe('a INIT (1024 MB, arm64)');
    expect(out[1]!.tiered).toBe(true);
    expect(out[0]!.cost + out[1]!.cost).toBeCloseTo(tieredCost(10e9, tiers.gbSecondArm64), 3);
  });
});
