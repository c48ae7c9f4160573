import { describe, expect, it } from 'vitest';
import { periodStart, QuotaCounter } from '../../emulator/rest-api/quota-period.ts';
import { UsagePlans } from '../../emulator/rest-api/usage-plans.ts';

/** Usage plans' quota periods (UTC) and per-method throttles, on a clock of the test's own. */
describe("a usage plan's quota", () => {
  const at = (iso: string) => Date.parse(iso);

  it('counts per day from 00:00 UTC, per week from Sunday, per month from the 1st', () => {
    expect(new Date(periodStart('DAY', at('2026-03-11T23:59:59Z'))).toISOString()).toBe('2026-03-11T00:00:00.000Z');
    // 2026-03-11 is a Wednesday
    expect(new Date(periodStart('WEEK', at('2026-03-11T12:00:00Z'))).toISOString()).toBe('2026-03-08T00:00:00.000Z');
    expect(new Date(periodStart('WEEK', at('2026-03-08T00:00:00Z'))).toISOString()).toBe('2026-03-08T00:00:00.000Z');
    expect(new Date(periodStart('MONTH', at('2026-03-31T23:00:00Z'))).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('allows limit - offset in the period the stack started in, the whole limit in every later one', () => {
    let now = at('2026-03-11T10:00:00Z');
    const counter = new QuotaCounter({ limit: 3, period: 'DAY', offset: 1 }, now, () => now);
    expect([counter.tryTake(), counter.tryTake(), counter.tryTake()]).toEqual([true, true, false]);
    now = at('2026-03-12T00:00:00Z');
    expect([counter.tryTake(), counter.tryTake(), counter.tryTake(), counter.tryTake()]).toEqual([true, true, true, false]);
  });
});

describe('usage plans', () => {
  const keys = [{ logicalId: 'K', id: 'k1', name: 'k', value: 'the-key-value', enabled: true }];
  const plans = [
    {
      logicalId: 'P',
      id: 'p1',
      name: 'p',
      // the plan's own throttle is generous; its stage's per-method one for GET /items is not
      apiStages: [{ apiId: 'api1', stage: 'prod', throttle: { '/items/GET': { rateLimit: 0.001, burstLimit: 1 } } }],
      throttle: { rateLimit: 1000, burstLimit: 1000 },
      keys: ['K'],
    },
  ];

  it("throttles a key by the plan's per-method throttle first, per method; another API's stages are not the plan's", () => {
    const usage = new UsagePlans('api1', keys, plans);
    expect(usage.admit('prod', 'the-key-value', '/items/GET')).toBeUndefined();
    expect(usage.admit('prod', 'the-key-value', '/items/GET')).toMatchObject({ status: 429, body: '{"message":"Too Many Requests"}' });
    expect(usage.admit('prod', 'the-key-value', '/other/GET')).toBeUndefined();
    expect(new UsagePlans('api2', keys, plans).admit('prod', 'the-key-value', '/items/GET')).toMatchObject({ status: 403, body: '{"message":"Forbidden"}' });
  });
});
