import { afterEach, describe, expect, it } from 'vitest';
import { ProvisionedScaler } from '../../emulator/application-auto-scaling/provisioned-scaler.ts';
import { parseSchedule } from '../../emulator/application-auto-scaling/schedule.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import type { ProvisionedScaling } from '../../emulator/stack-model/stack-description.ts';
import { inlineFunction, websocketTemplates } from './websocket-template.ts';
import { expectOk, fixture, until } from './lambda-test-helpers.ts';

/**
 * Application Auto Scaling of provisioned concurrency (issue 68): scalable targets and target
 * tracking policies read from a template (registration brings the alias's provisioned
 * concurrency into [min, max]), schedules as AWS reads them, and the scaler over the real Lambda
 * runtime: one data point of utilization a minute, 3 above the target scale out, 15 below 90 %
 * of it scale in, a scheduled action sets the bounds. The test drives the minutes (the alarms'
 * cadence is what is under test, not a wall clock) and waits for the runtime's own state.
 */
describe('schedules', () => {
  const created = Date.parse('2026-12-01T00:00:30Z');
  it('reads at(), rate() from its creation and cron() in UTC', () => {
    expect(parseSchedule('at(2026-12-24T18:00:00)', created).next(created)).toBe(Date.parse('2026-12-24T18:00:00Z'));
    expect(parseSchedule('at(2026-11-24T18:00:00)', created).next(created)).toBeUndefined();
    expect(parseSchedule('rate(5 minutes)', created).next(created + 1)).toBe(created + 5 * 60_000);
    expect(parseSchedule('rate(1 hour)', created).next(created + 3_600_001)).toBe(created + 2 * 3_600_000);
    // 08:00 on weekdays (MON-FRI); 2026-12-05 is a Saturday
    const weekdays = parseSchedule('cron(0 8 ? * MON-FRI *)', created);
    expect(new Date(weekdays.next(created)!).toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(new Date(weekdays.next(Date.parse('2026-12-04T08:00:01Z'))!).toISOString()).toBe('2026-12-07T08:00:00.000Z');
    expect(new Date(parseSchedule('cron(*/15 18-19 1 12 ? 2026)', created).next(created)!).toISOString()).toBe('2026-12-01T18:00:00.000Z');
  });

  it.each([
    ['cron(0 8 * *)', /cron takes 6 fields/],
    ['cron(0 8 L * ? *)', /day-of-month L: L is not from 1 to 31 \(L, W and # are not read here\)/],
    ['rate(0 minutes)', /a rate of 0/],
    ['every day', /a schedule is at\(/],
  ])('refuses %s by name', (text, message) => {
    expect(() => parseSchedule(text, created)).toThrow(message);
  });
});

describe('the scaler over the Lambda runtime', () => {
  let runtime: LambdaRuntime | undefined;
  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
  });
  const start = async (provisioned: number) => {
    runtime = await createLambdaRuntime({
      metrics: new MetricStore(),
      logs: new LogStore(),
      cpuModel: 'off',
      functions: [{ name: 'p', entry: fixture('behaviour.ts'), memoryMB: 128, timeoutSeconds: 10, versions: [{}], aliases: [{ name: 'live', version: 1, provisionedConcurrency: provisioned }] }],
    });
    await runtime.whenProvisioned('p');
    return runtime;
  };
  const target = (o: Partial<ProvisionedScaling> = {}): ProvisionedScaling => ({
    logicalId: 'Target',
    function: 'p',
    qualifier: 'live',
    min: 1,
    max: 10,
    scheduled: [],
    targetTracking: { policy: 'p-utilization', targetValue: 0.7, statistic: 'Average', scaleOutCooldownSeconds: 0, scaleInCooldownSeconds: 0, disableScaleIn: false },
    suspended: { scaleIn: false, scaleOut: false, scheduled: false },
    ...o,
  });

  it('scales out after 3 one-minute data points above the target, to capacity × utilization ÷ target, and in after 15 below 90 % of it', async () => {
    const rt = await start(2);
    const said: string[] = [];
    let now = 0;
    const scaler = new ProvisionedScaler(rt, target(), (l) => said.push(l), { now: () => now });
    // both provisioned environments busy: utilization 1
    const busy = [0, 1].map(() => rt.invoke('p', { action: 'sleep', ms: 3_000 }, { qualifier: 'live' }));
    await until(() => rt.provisionedConcurrency('p', 'live').available === 0);
    for (let minute = 1; minute <= 2; minute++) {
      scaler.sample();
      now += 60_000;
      scaler.minute();
      expect(scaler.capacity()).toBe(2);
    }
    scaler.sample();
    now += 60_000;
    scaler.minute();
    // ceil(2 × 1 ÷ 0.7) = 3
    expect(rt.provisionedConcurrency('p', 'live').requested).toBe(3);
    expect(said).toEqual(['stack: Application Auto Scaling: p:live 2 → 3 provisioned environments (target tracking: ProvisionedConcurrencyUtilization Average 1.00 above 0.7 for 3 minutes)']);
    for (const o of await Promise.all(busy)) expectOk(o);
    await until(() => rt.provisionedConcurrency('p', 'live').available === 3);

    // idle: 14 minutes below the scale-in threshold are not enough, the 15th scales in to the minimum
    for (let minute = 1; minute <= 15; minute++) {
      scaler.sample();
      now += 60_000;
      scaler.minute();
      expect(scaler.capacity()).toBe(minute < 15 ? 3 : 1);
    }
    expect(said.at(-1)).toBe('stack: Application Auto Scaling: p:live 3 → 1 provisioned environments (target tracking: ProvisionedConcurrencyUtilization Average 0.00 below 0.63 for 15 minutes)');
  });

  it('keeps the maximum, honours DisableScaleIn, and says a change Lambda refuses', async () => {
    const rt = await start(1);
    const said: string[] = [];
    const scaler = new ProvisionedScaler(rt, target({ max: 1, targetTracking: { ...target().targetTracking!, disableScaleIn: true } }), (l) => said.push(l));
    for (let minute = 1; minute <= 20; minute++) {
      scaler.sample();
      scaler.minute();
    }
    expect(scaler.capacity()).toBe(1);
    expect(said).toEqual([]);
    // a schedule asking for more than the account leaves: Lambda's refusal, nothing changed
    scaler.runScheduled({ name: 'launch', schedule: 'at(2026-12-24T18:00:00)', min: 5_000, max: 5_000 });
    expect(scaler.capacity()).toBe(1);
    expect(said.at(-1)).toMatch(/^stack: Application Auto Scaling: p:live could not go from 1 to 5000 \(scheduled action launch: min 5000, max 5000\): Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of \[100\]\.$/);
  });

  it('runs a scheduled action: the bounds set, the capacity brought into them', async () => {
    const rt = await start(1);
    const said: string[] = [];
    const scaler = new ProvisionedScaler(rt, target({ targetTracking: undefined }), (l) => said.push(l));
    scaler.runScheduled({ name: 'launch', schedule: 'cron(45 17 24 12 ? 2026)', min: 4 });
    expect(rt.provisionedConcurrency('p', 'live').requested).toBe(4);
    scaler.runScheduled({ name: 'after', schedule: 'cron(0 23 24 12 ? 2026)', min: 1, max: 2 });
    expect(rt.provisionedConcurrency('p', 'live').requested).toBe(2);
    expect(said).toEqual([
      'stack: Application Auto Scaling: p:live 1 → 4 provisioned environments (scheduled action launch: min 4, max 10)',
      'stack: Application Auto Scaling: p:live 4 → 2 provisioned environments (scheduled action after: min 1, max 2)',
    ]);
  });
});

describe('from a template', () => {
  const templates = websocketTemplates('fanout-aas-template-').read;
  const target = (o: Record<string, unknown> = {}) => ({
    Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
    Properties: {
      ServiceNamespace: 'lambda',
      ScalableDimension: 'lambda:function:ProvisionedConcurrency',
      // as CDK's addAutoScaling writes it: the function's name out of the alias's ARN
      ResourceId: { 'Fn::Join': ['', ['function:', { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: 'Live' }] }] }, ':live']] },
      MinCapacity: 2,
      MaxCapacity: 20,
      ScheduledActions: [{ ScheduledActionName: 'launch', Schedule: 'cron(45 17 24 12 ? 2026)', ScalableTargetAction: { MinCapacity: 10 } }],
      ...o,
    },
  });
  const policy = (targetValue: unknown) => ({
    Type: 'AWS::ApplicationAutoScaling::ScalingPolicy',
    Properties: {
      PolicyName: 'utilization',
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: { Ref: 'Target' },
      TargetTrackingScalingPolicyConfiguration: { TargetValue: targetValue, PredefinedMetricSpecification: { PredefinedMetricType: 'LambdaProvisionedConcurrencyUtilization' } },
    },
  });
  const resources = (o: { target?: Record<string, unknown>; policy?: unknown } = {}) => ({
    Fn: inlineFunction({ FunctionName: 'chat-connect' }),
    V1: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: 'Fn' } } },
    Live: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Fn' }, FunctionVersion: { 'Fn::GetAtt': ['V1', 'Version'] }, Name: 'live' } },
    Target: target(o.target),
    Policy: policy(o.policy ?? 0.6),
  });

  it('registers the target: the alias gets its minimum, the policy and schedule are kept for the scaler', async () => {
    const stack = await templates(resources());
    const fn = stack.functions.find((f) => f.name === 'chat-connect')!;
    expect(fn.aliases).toEqual([expect.objectContaining({ name: 'live', provisionedConcurrency: 2 })]);
    expect(fn.provisionedScaling).toEqual([
      expect.objectContaining({
        qualifier: 'live',
        min: 2,
        max: 20,
        scheduled: [{ name: 'launch', schedule: 'cron(45 17 24 12 ? 2026)', min: 10 }],
        targetTracking: { policy: 'utilization', targetValue: 0.6, statistic: 'Average', scaleOutCooldownSeconds: 0, scaleInCooldownSeconds: 0, disableScaleIn: false },
      }),
    ]);
    expect(stack.notEmulated.map((n) => n.logicalId)).not.toContain('Target');
    expect(stack.notEmulated.map((n) => n.logicalId)).not.toContain('Policy');
  });

  it.each([
    [{ target: { ResourceId: 'function:chat-connect:prod' } }, /resource Target property ResourceId: chat-connect has no alias or published version prod in this template$/],
    [{ target: { ScheduledActions: [{ ScheduledActionName: 'x', Schedule: 'cron(45 17 24 12)', ScalableTargetAction: {} }] } }, /resource Target property ScheduledActions.+Schedule: cron\(45 17 24 12\): cron takes 6 fields/],
    [{ policy: 70 }, /resource Policy property .*TargetValue: ProvisionedConcurrencyUtilization is a share \(0 to 1\): a target of 70 is never reached/],
  ])('refuses what cannot run in one line naming the property (%#)', async (o, message) => {
    await expect(templates(resources(o))).rejects.toThrow(message);
  });
});
