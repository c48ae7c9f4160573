import { describe, expect, it } from 'vitest';
import { attributeQuotas } from '../../src/metrics/results/quota-attribution.ts';
import { quotaAttributionLine } from '../../src/report/run/quota-text.ts';
import { AWS_DOCUMENTED_QUOTAS, type QuotaLimit, type Quotas } from '../../src/contracts/quotas-schema.ts';
import type { PhaseResult } from '../../src/contracts/results-schema.ts';

// The attribution table on the close codes several limits send (1001) and on the message throttle,
// which the e2e runs (test/e2e/quotas-cli.test.ts) do not reach in CI's time: phases as a run
// records them, each with its errors.

const MIN = 60_000;
const quotas: Quotas = {
  limits: Object.fromEntries(Object.entries(AWS_DOCUMENTED_QUOTAS).map(([k, v]) => [k, { value: v, source: 'aws-documented' }])) as Quotas['limits'],
  frameEnforced: true,
  note: "AWS's documented defaults",
  plan: [],
};

let at = 0;
function phase(kind: PhaseResult['kind'], durationMs: number, errors: Record<string, number> = {}, load: { sent?: number; expected?: number } = {}): PhaseResult {
  const p = { index: 0, name: kind, kind, startedAt: at, durationMs, errors, sends: { sent: load.sent ?? 0 }, deliveries: { expected: load.expected ?? 0 } } as unknown as PhaseResult;
  at += durationMs;
  return p;
}

/** The attribution as every output words it. */
const said = (r: Parameters<typeof attributeQuotas>[0]) => attributeQuotas(r).map(quotaAttributionLine);

function attribute(phases: PhaseResult[]): string[] {
  const errors: Record<string, number> = {};
  for (const p of phases) for (const [k, n] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + n;
  return said({ errors, phases, quotas });
}

describe('refusals and closes attributed to their limit', () => {
  it('1001 after a quiet stretch of 10 minutes: the idle timeout; 1001 before it: nothing', () => {
    at = 0;
    expect(attribute([phase('connect', 1000), phase('join', 1000), phase('idle', 11 * MIN, { 'close:1001': 7 })])).toEqual([
      "7 connections closed with 1001 (going away) after a quiet stretch: API Gateway's 10 min idle timeout (AWS's documented default)",
    ]);
    at = 0;
    expect(attribute([phase('connect', 1000), phase('join', 1000), phase('idle', 2 * MIN, { 'close:1001': 7 })])).toEqual([]);
  });

  it('1001 in a phase ending 2 hours in: the connection lifetime, not also the idle timeout', () => {
    at = 0;
    expect(attribute([phase('connect', 1000), phase('join', 1000), phase('send', 121 * MIN, { 'close:1001': 40 })])).toEqual([
      "40 connections closed with 1001 (going away) at the end of their life: API Gateway's 2 h connection lifetime (AWS's documented default)",
    ]);
  });

  it('"Too Many Requests" on a message: the stage throttle; 429 at handshake and 1009, most frequent first', () => {
    at = 0;
    const limits = { ...quotas.limits, requestsPerSecond: { value: 500, source: 'account' as const } } satisfies Partial<Record<QuotaLimit, unknown>>;
    expect(
      said({
        errors: { 'throttle:Too Many Requests': 12, 'handshake:429': 30, 'close:1009': 2, 'timeout:ack': 5 },
        phases: [],
        quotas: { ...quotas, limits },
      }),
    ).toEqual([
      "30 connects refused with 429 at handshake: the new-connection quota, API Gateway's 500 new connections/s per account and region (AWS's documented default)",
      '12 messages answered "Too Many Requests" (429): the stage\'s throttle of 500 requests/s (read from the account), which holds the clients\' messages',
      "2 connections closed with 1009 (message too big): API Gateway's 131,072-byte WebSocket message (AWS's documented default)",
    ]);
  });

  it('kept as findings: the limit, its value, the evidence and the count, most frequent first', () => {
    expect(attributeQuotas({ errors: { 'close:1009': 2, 'handshake:429': 30 }, phases: [], quotas })).toEqual([
      { limit: 'newConnectionsPerSecond', value: { value: 500, source: 'aws-documented' }, evidence: 'handshake-429', count: 30 },
      { limit: 'messageBytes', value: { value: 131_072, source: 'aws-documented' }, evidence: 'close-1009', count: 2 },
    ]);
  });

  it('no quotas recorded (a stack of your own, older results): nothing attributed', () => {
    expect(said({ errors: { 'handshake:429': 3 }, phases: [] })).toEqual([]);
  });

  it('a message\'s 429: the stage\'s throttle when the phase\'s messages came near it, the account\'s when messages and posts together did', () => {
    const limits = {
      ...quotas.limits,
      requestsPerSecond: { value: 500, source: 'account' as const },
      accountRequestsPerSecond: { value: 10_000, source: 'account' as const },
    } satisfies Partial<Record<QuotaLimit, unknown>>;
    const held = { ...quotas, limits };
    const run = (p: PhaseResult) => said({ errors: p.errors, phases: [p], quotas: held });
    at = 0;
    // 480 messages/s for 10 s, rooms of 2: near the stage's 500
    expect(run(phase('send', 10_000, { 'throttle:Too Many Requests': 9 }, { sent: 4_800, expected: 9_600 }))).toEqual([
      '9 messages answered "Too Many Requests" (429): the stage\'s throttle of 500 requests/s (read from the account), which holds the clients\' messages',
    ]);
    at = 0;
    // 50 messages/s into rooms of 200: 10,050 requests/s, near the account's 10,000; far under the stage's
    expect(run(phase('send', 10_000, { 'throttle:Too Many Requests': 4 }, { sent: 500, expected: 100_000 }))).toEqual([
      '4 messages answered "Too Many Requests" (429): the account\'s throttle of 10,000 requests/s (read from the account), which the clients\' messages and the @connections posts share',
    ]);
  });

  it("a handshake's 429: the lowest limit the phase's connects came near, the stage's throttle ($connect is one of its routes) below the new-connection quota", () => {
    const connecting = (durationMs: number, opened: number, refused: number) => {
      const p = phase('connect', durationMs, { 'handshake:429': refused });
      return { ...p, connect: { count: opened } } as PhaseResult;
    };
    const held = (stage: number) => ({ ...quotas, limits: { ...quotas.limits, requestsPerSecond: { value: stage, source: 'emulator-config' as const } } });
    const run = (p: PhaseResult, q: Quotas) => said({ errors: p.errors, phases: [p], quotas: q });
    at = 0;
    // 40 connects/s for 1 s against a stage held to 10 requests/s: the stage's, not the 500/s quota's
    expect(run(connecting(1000, 12, 28), held(10))).toEqual([
      "28 connects refused with 429 at handshake: the stage's throttle of 10 requests/s (the emulator's config), which holds $connect as one of its routes",
    ]);
    at = 0;
    // 600 connects/s for 2 s: near the 500/s quota, far under a stage's 5,000
    expect(run(connecting(2000, 1000, 200), held(5000))).toEqual([
      "200 connects refused with 429 at handshake: the new-connection quota, API Gateway's 500 new connections/s per account and region (AWS's documented default)",
    ]);
    at = 0;
    // near neither (a short burst): the lowest the run knows
    expect(run(connecting(10_000, 30, 2), held(20))).toEqual([
      "2 connects refused with 429 at handshake: the stage's throttle of 20 requests/s (the emulator's config), which holds $connect as one of its routes",
    ]);
  });
});
