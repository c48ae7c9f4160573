import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStackConfig } from '../../emulator/config.ts';
import { accountThrottleDefault, LOWER_THROTTLE_REGIONS } from '../../common/api-gateway-quotas.ts';
import { validateScenario } from '../../src/scenarios/load-scenario.ts';
import { quotaPlan, withOwnLimits } from '../../src/session/quota-preflight.ts';
import { quotaPlanLine } from '../../src/report/run/quota-text.ts';
import { emulatorQuotas, stackThrottleLimits, urlQuotas, type TargetQuotas } from '../../src/targets/target-quotas.ts';

/**
 * The plan's lines for what API Gateway throttles (the aws: path is held against the emulator
 * answering GetStage and GetAccount in test/e2e/quotas-cli.test.ts): the stage holds the clients'
 * messages, the account holds messages and posts together, the account's default follows the
 * region, and the idle line says which rule it assumed.
 */

/** The plan's findings as every output words them. */
const planLines = (...args: Parameters<typeof quotaPlan>) => quotaPlan(...args).expectations.map(quotaPlanLine);

const scenario = (send: string, extra = '') =>
  validateScenario(
    (() => {
      const [rate, clients, rooms] = send.split('/').map(Number) as [number, number, number];
      return {
        name: 'plan',
        clients,
        rooms,
        phases: [{ connect: { rate: 100 } }, { join: { rate: 100 } }, { send: { duration: '10s', rate, senders: { perRoom: 1 } } }, ...(extra ? [{ idle: { duration: extra } }] : [])],
      };
    })(),
    'plan.yaml',
  );

describe('the stage holds messages, the account holds messages and posts', () => {
  const local = emulatorQuotas({});

  it('50 messages/s into rooms of 20 passes the CDK stage (500/s) and the account (10,000/s): 1,000 posts/s are not the stage\'s', () => {
    expect(planLines(scenario('50/400/20'), local)).toEqual([]);
  });

  it('600 messages/s are over the stage; 100 messages/s into rooms of 100 are over the account (10,100 requests/s)', () => {
    expect(planLines(scenario('600/600/600'), local)).toEqual([
      `quota: send phase "send" sends 600 messages/s, over the stage's throttle of 500 requests/s (the emulator's config), burst 1,000: expect 429s ("Too Many Requests") on messages; @connections posts do not count against it`,
    ]);
    expect(planLines(scenario('100/2000/20'), local)).toEqual([
      `quota: send phase "send" makes about 10,100 requests/s (100 messages/s + 10,000 @connections posts/s = rate × room size), over the account's throttle of 10,000 requests/s (AWS's documented default), burst 5,000, which messages and posts share: expect 429s on messages and LimitExceededException on posts`,
    ]);
  });

  it('kept as findings: the phase, its figure and the limit it passes, with the value and its source', () => {
    expect(quotaPlan(scenario('600/600/600'), local).expectations).toEqual([
      {
        kind: 'message-rate',
        phase: 'send',
        messagesPerSecond: 600,
        over: { limit: 'requestsPerSecond', value: { value: 500, source: 'emulator-config' }, burst: { value: 1_000, source: 'emulator-config' } },
      },
    ]);
  });

  it("a route's own throttle holds its route, the stage's the others", () => {
    const q: TargetQuotas = { ...local, routes: { sendMessage: { rate: { value: 20, source: 'account' }, burst: { value: 5, source: 'account' } } } };
    expect(planLines(scenario('50/400/20'), q)).toEqual([
      `quota: send phase "send" sends 50 messages/s, over the sendMessage route's throttle of 20 requests/s (read from the account), burst 5: expect 429s ("Too Many Requests") on messages; @connections posts do not count against it`,
    ]);
  });
});

describe("a template's stage throttle is its own, known once its stack starts", () => {
  it('planned before the start: none assumed (never the reference stack\'s 500/s), unless a knob sets it', () => {
    const q = emulatorQuotas({ template: 'template.yaml' });
    expect(q.limits.requestsPerSecond).toBeUndefined();
    expect(q.limits.requestBurst).toBeUndefined();
    expect(q.note).toContain("the template's own stage throttle, read from its stack when it starts");
    expect(q.note).not.toContain('CDK');
    expect(emulatorQuotas({ template: 'template.yaml', stageRps: 50 }).limits.requestsPerSecond).toEqual({ value: 50, source: 'emulator-config' });
  });

  it("held with what the started stack says: the plan's lines against its stage and its routes said then, the plan's own kept", () => {
    const planned = emulatorQuotas({ template: 'template.yaml' });
    const quotas = { limits: planned.limits, idleRule: planned.idleRule, frameEnforced: planned.frameEnforced, note: planned.note, plan: ['quota: a line of the plan'] };
    const own = stackThrottleLimits({ stage: { rateLimit: 200, burstLimit: 400 }, routes: { publish: { rateLimit: 20, burstLimit: 10 } } });
    const said: string[] = [];
    const held = withOwnLimits(scenario('300/600/600'), quotas, own, (l) => said.push(l));
    expect(held.limits.requestsPerSecond).toEqual({ value: 200, source: 'emulator-config' });
    expect(held.routes).toEqual({ publish: { rate: { value: 20, source: 'emulator-config' }, burst: { value: 10, source: 'emulator-config' } } });
    expect(said).toEqual([
      `quota: send phase "send" sends 300 messages/s, over the stage's throttle of 200 requests/s (the emulator's config), burst 400: expect 429s ("Too Many Requests") on messages; @connections posts do not count against it`,
    ]);
    expect(held.plan.map(quotaPlanLine)).toEqual(['quota: a line of the plan', ...said]);
    // what the plan knew is kept: a stage the knobs set is not replaced
    const knob = emulatorQuotas({ template: 'template.yaml', stageRps: 50 });
    const kept = withOwnLimits(scenario('10/20/20'), { ...quotas, limits: knob.limits }, own, () => {});
    expect(kept.limits.requestsPerSecond).toEqual({ value: 50, source: 'emulator-config' });
  });
});

describe("the account's default follows the region", () => {
  it('13 regions at 2,500/s, burst 1,250, as AWS lists them; the rest at 10,000/s, burst 5,000', () => {
    expect(LOWER_THROTTLE_REGIONS).toHaveLength(13);
    expect(accountThrottleDefault('eu-south-1')).toEqual({ rateLimit: 2_500, burstLimit: 1_250 });
    expect(accountThrottleDefault('us-east-1')).toEqual({ rateLimit: 10_000, burstLimit: 5_000 });
  });

  it('an execute-api URL in Milan is planned against 2,500/s, and says where the figure comes from', () => {
    const milan = urlQuotas('wss://abc123.execute-api.eu-south-1.amazonaws.com/prod')!;
    expect(milan.limits.accountRequestsPerSecond).toEqual({ value: 2_500, source: 'aws-documented-region' });
    // the stage's own throttle is not known from a URL
    expect(milan.limits.requestsPerSecond).toBeUndefined();
    expect(planLines(scenario('50/3000/50'), milan)).toEqual([
      `quota: send phase "send" makes about 3,050 requests/s (50 messages/s + 3,000 @connections posts/s = rate × room size), over the account's throttle of 2,500 requests/s (AWS's documented default for the region), burst 1,250, which messages and posts share: expect 429s on messages and LimitExceededException on posts`,
    ]);
    expect(urlQuotas('wss://abc123.execute-api.us-east-1.amazonaws.com/prod')!.limits.accountRequestsPerSecond?.value).toBe(10_000);
  });
});

describe('the idle line says which rule it assumed', () => {
  it('either (the default): a room that hears a message every 2 s is not quiet; an 11-minute idle phase is', () => {
    const lines = planLines(scenario('10/200/20', '11m'), urlQuotas('wss://abc123.execute-api.us-east-1.amazonaws.com/prod')!);
    expect(lines).toEqual([
      expect.stringMatching(
        /^quota: clients stay quiet \(no message of their own, none delivered to them\) for about \S+ \(idle\), over API Gateway's 10 min idle timeout \(AWS's documented default\): expect closes with 1001 \(going away\) \(assumed: traffic either way resets the idle timer; AWS does not document which\)$/,
      ),
    ]);
  });

  it('client: receiving does not count, so the send phase in which most clients only receive is quiet too', () => {
    const lines = planLines(scenario('10/200/20', '11m'), emulatorQuotas({ idleTimeoutRule: 'client' }));
    expect(lines).toEqual([
      expect.stringMatching(
        /^quota: clients stay quiet \(no message of their own\) for about \S+ \(send, idle\), over API Gateway's 10 min idle timeout \(AWS's documented default\): expect closes with 1001 \(going away\) \(the emulator's rule: only a client's own messages reset the idle timer; AWS does not document which\)$/,
      ),
    ]);
  });
});

describe("the emulator's account throttle follows its region too", () => {
  it('a stack config in Milan: the plan and the emulator both hold the account to 2,500/s, burst 1,250', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-milan-'));
    try {
      const config = join(dir, 'milan.yaml');
      writeFileSync(config, 'region: eu-south-1\n');
      const q = emulatorQuotas({ config });
      expect([q.limits.accountRequestsPerSecond, q.limits.accountRequestBurst]).toEqual([
        { value: 2_500, source: 'aws-documented-region' },
        { value: 1_250, source: 'aws-documented-region' },
      ]);
      const stack = loadStackConfig({ file: config });
      expect([stack.limits.accountRps, stack.limits.accountBurst]).toEqual([2_500, 1_250]);
      // set, it is the config's in both
      writeFileSync(config, 'region: eu-south-1\nlimits: { accountRps: 4000 }\n');
      expect(emulatorQuotas({ config }).limits.accountRequestsPerSecond).toEqual({ value: 4_000, source: 'emulator-config' });
      expect(loadStackConfig({ file: config }).limits.accountRps).toBe(4_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
