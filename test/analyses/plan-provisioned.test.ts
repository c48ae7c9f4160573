import { describe, expect, it } from 'vitest';
import { plannedTraffic } from '../../src/analyses/plan/monthly-cost.ts';
import { provisionedNeeds } from '../../src/analyses/plan/provisioned-need.ts';
import { ProvisionedNeed, type FunctionWork, type WorkModel } from '../../src/analyses/plan/plan-schema.ts';
import { provisionedNeedText } from '../../src/report/plan/provisioned-text.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import { handFunction, handModel } from './plan-models.ts';

/**
 * The provisioned concurrency that would serve a planned peak warm, worked by hand: each
 * function's concurrency at the peak (Little's law on its p99), in whole environments, and the
 * allocation's GB-seconds over the month, busy or not, and what that costs against on demand.
 */
const fn = (name: string, route: string, per: FunctionWork['per'], billedMsPer: number, p99Ms: number | null) => handFunction(name, route, per, billedMsPer, { p99Ms });
const model: WorkModel = handModel([fn('fanout-connect', '$connect', 'connect', 10, 50), fn('fanout-send-message', 'sendMessage', 'message', 2, 40)]);
// 50,000 connections in rooms of 200, 250 messages/s, sessions of 30 min: 27.78 connects/s
const traffic = plannedTraffic(model, { connections: 50_000, roomSize: 200, messagesPerS: 250, sessionSec: 1800 });

describe('provisionedNeeds', () => {
  const needs = provisionedNeeds(model, traffic, { prices: DEFAULT_PRICES, architecture: 'x86_64' });
  const of = (name: string) => needs.find((n) => n.fn === name)!;

  it('is the peak concurrency in whole environments, and their GB-seconds over the month', () => {
    for (const n of needs) expect(ProvisionedNeed.safeParse(n).success).toBe(true);
    // connect: 27.78/s × 0.05 s = 1.39 concurrent: 2 environments
    expect(of('fanout-connect').concurrency).toBeCloseTo((50_000 / 1800) * 0.05, 9);
    expect(of('fanout-connect').environments).toBe(2);
    // send: 250/s × 0.04 s × (200 ÷ 10) = 200 concurrent: 200 environments
    expect(of('fanout-send-message')).toMatchObject({ environments: 200 });
    const { memoryMB } = of('fanout-connect');
    expect(of('fanout-connect').gbSeconds).toBeCloseTo((2 * memoryMB * traffic.periodSec) / 1024, 6);
  });

  it("prices the allocation and the duration it serves at us-east-1's provisioned rates, against the same duration on demand", () => {
    // 72,000,000 connects a month × 10 ms × 0.25 GB = 180,000 GB-s of duration; 2 × 0.25 GB × 2,592,000 s allocated
    const { cost } = of('fanout-connect');
    expect(cost!.allocation).toBeCloseTo(1_296_000 * 0.0000041667, 6);
    expect(cost!.duration).toBeCloseTo(180_000 * 0.0000097222, 6);
    expect(cost!.onDemand).toBeCloseTo(180_000 * 0.0000166667, 6);
    // arm64: Arm's rates
    const arm = provisionedNeeds(model, traffic, { prices: DEFAULT_PRICES, architecture: 'arm64' }).find((n) => n.fn === 'fanout-connect')!;
    expect(arm.cost).toEqual({ allocation: expect.closeTo(1_296_000 * 0.0000033334, 6), duration: expect.closeTo(180_000 * 0.0000077778, 6), onDemand: expect.closeTo(180_000 * 0.0000133334, 6) });
    // prices without provisioned rates (a Price List read): sized, not priced
    const { lambdaProvisioned: _, ...unpriced } = DEFAULT_PRICES;
    expect(provisionedNeeds(model, traffic, { prices: unpriced, architecture: 'x86_64' })[0]!.cost).toBeUndefined();
  });

  it('says it in one line a function, its cost against on demand, naming what fewer would leave', () => {
    const line = provisionedNeedText(of('fanout-connect'), traffic.periodLabel);
    expect(line).toMatch(/^provisioned concurrency to serve the peak warm: fanout-connect 2 environments \(1\.39 concurrent at the peak, Little's law\), 2 × \d+ MB allocated: [\d,]+ GB-seconds over the plan's period \(month \(30 days × 24 h, flat\)\), billed busy or not: /);
    expect(line).toContain(': $5.40, and its duration at the provisioned price $1.75: $7.15 against $3.00 on demand (its duration and INITs; $4.15 more, first-tier prices); ');
    expect(line).toContain('fewer leave the rest of the peak to on-demand environments and their cold starts');
    const { cost: _, ...unpriced } = of('fanout-connect');
    expect(provisionedNeedText(unpriced, traffic.periodLabel)).toContain("billed busy or not at Lambda's provisioned-concurrency price (not in these prices: give it in a price file, lambdaProvisioned); ");
  });
});
