import { z } from 'zod';
import { parseSchedule, ScheduleError } from '../application-auto-scaling/schedule.ts';
import { cfnInteger, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { FunctionDescription, ProvisionedScaling } from './stack-description.ts';
import { templateError } from './template-errors.ts';

/** What Application Auto Scaling calls Lambda's provisioned concurrency. */
export const LAMBDA_NAMESPACE = 'lambda';
export const PROVISIONED_DIMENSION = 'lambda:function:ProvisionedConcurrency';
const UTILIZATION_METRIC = 'LambdaProvisionedConcurrencyUtilization';

const scheduledAction = z
  .object({
    ScheduledActionName: z.string(),
    Schedule: z.string(),
    ScalableTargetAction: z.object({ MinCapacity: cfnInteger.optional(), MaxCapacity: cfnInteger.optional() }).loose(),
    StartTime: z.string().optional(),
    EndTime: z.string().optional(),
    Timezone: z.string().optional(),
  })
  .loose();
const targetSchema = z
  .object({
    ServiceNamespace: z.string(),
    ScalableDimension: z.string(),
    ResourceId: z.string(),
    MinCapacity: cfnInteger.pipe(z.number().min(0)),
    MaxCapacity: cfnInteger.pipe(z.number().min(0)),
    ScheduledActions: z.array(scheduledAction).optional(),
    SuspendedState: z.object({ DynamicScalingInSuspended: z.unknown().optional(), DynamicScalingOutSuspended: z.unknown().optional(), ScheduledScalingSuspended: z.unknown().optional() }).loose().optional(),
  })
  .loose();
const policySchema = z
  .object({
    PolicyName: z.string(),
    PolicyType: z.string(),
    ScalingTargetId: z.string().optional(),
    ResourceId: z.string().optional(),
    ScalableDimension: z.string().optional(),
    ServiceNamespace: z.string().optional(),
    TargetTrackingScalingPolicyConfiguration: z
      .object({
        TargetValue: z.coerce.number(),
        PredefinedMetricSpecification: z.object({ PredefinedMetricType: z.string() }).loose().optional(),
        CustomizedMetricSpecification: z.object({ MetricName: z.string().optional(), Namespace: z.string().optional(), Statistic: z.string().optional() }).loose().optional(),
        ScaleOutCooldown: cfnInteger.optional(),
        ScaleInCooldown: cfnInteger.optional(),
        DisableScaleIn: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

export interface ScalingRead {
  targets: ProvisionedScaling[];
  read: string[];
  /** what is read but not run (a step scaling policy, a schedule's time zone) */
  warnings: string[];
}

/**
 * Application Auto Scaling of provisioned concurrency: AWS::ApplicationAutoScaling::ScalableTarget
 * for a function's alias or version (namespace `lambda`, dimension
 * `lambda:function:ProvisionedConcurrency`, ResourceId `function:<name>:<qualifier>`, as CDK's
 * `addAutoScaling` and SAM write it), with its scheduled actions, and the
 * AWS::ApplicationAutoScaling::ScalingPolicy of type TargetTrackingScaling that tracks it on
 * `LambdaProvisionedConcurrencyUtilization` (or the same metric given as a customized one, its
 * statistic kept). A target of another service is left for the not-emulated list; a target or
 * policy that cannot be run is one line naming the property.
 */
export function readProvisionedScaling(t: StackTemplate, functionNames: ReadonlySet<string>): ScalingRead {
  const out: ScalingRead = { targets: [], read: [], warnings: [] };
  const byId = new Map<string, ProvisionedScaling>();
  for (const id of t.ofType('AWS::ApplicationAutoScaling::ScalableTarget')) {
    const p = parseProperties(t.file, id, targetSchema, t.properties(id));
    if (p.ServiceNamespace !== LAMBDA_NAMESPACE) continue;
    const at = (...path: string[]) => ['Resources', id, 'Properties', ...path];
    if (p.ScalableDimension !== PROVISIONED_DIMENSION) throw templateError(t.file, at('ScalableDimension'), `Lambda's one scalable dimension is ${PROVISIONED_DIMENSION}, got ${p.ScalableDimension}`);
    const m = /^function:([^:]+):([^:]+)$/.exec(p.ResourceId);
    if (!m) throw templateError(t.file, at('ResourceId'), `must be function:<name>:<alias or version>, got ${p.ResourceId}`);
    const [, fn, qualifier] = m as unknown as [string, string, string];
    if (!functionNames.has(fn)) continue; // a function that does not run here
    if (p.MinCapacity > p.MaxCapacity) throw templateError(t.file, at('MinCapacity'), `${p.MinCapacity} is above MaxCapacity ${p.MaxCapacity}`);
    const suspended = (v: unknown) => v === true || v === 'true';
    const target: ProvisionedScaling = {
      logicalId: id,
      function: fn,
      qualifier,
      min: p.MinCapacity,
      max: p.MaxCapacity,
      scheduled: (p.ScheduledActions ?? []).map((a, i) => {
        try {
          parseSchedule(a.Schedule, 0);
        } catch (err) {
          if (err instanceof ScheduleError) throw templateError(t.file, at('ScheduledActions', String(i), 'Schedule'), err.message);
          throw err;
        }
        if (a.Timezone !== undefined && a.Timezone !== 'UTC' && a.Timezone !== 'Etc/UTC') {
          out.warnings.push(`${id}: ScheduledActions[${i}] (${a.ScheduledActionName}): its Timezone ${a.Timezone} is not applied: its schedule runs in UTC here`);
        }
        return {
          name: a.ScheduledActionName,
          schedule: a.Schedule,
          ...(a.ScalableTargetAction.MinCapacity !== undefined ? { min: a.ScalableTargetAction.MinCapacity } : {}),
          ...(a.ScalableTargetAction.MaxCapacity !== undefined ? { max: a.ScalableTargetAction.MaxCapacity } : {}),
          ...(a.StartTime !== undefined ? { startTime: a.StartTime } : {}),
          ...(a.EndTime !== undefined ? { endTime: a.EndTime } : {}),
        };
      }),
      suspended: {
        scaleIn: suspended(p.SuspendedState?.DynamicScalingInSuspended),
        scaleOut: suspended(p.SuspendedState?.DynamicScalingOutSuspended),
        scheduled: suspended(p.SuspendedState?.ScheduledScalingSuspended),
      },
    };
    out.targets.push(target);
    out.read.push(id);
    // its Ref, as CloudFormation gives it: the three that identify a scalable target
    byId.set(`${p.ResourceId}|${p.ScalableDimension}|${p.ServiceNamespace}`, target);
  }
  for (const id of t.ofType('AWS::ApplicationAutoScaling::ScalingPolicy')) {
    const p = parseProperties(t.file, id, policySchema, t.properties(id));
    const key = p.ScalingTargetId ?? `${p.ResourceId}|${p.ScalableDimension}|${p.ServiceNamespace}`;
    const target = byId.get(key);
    if (!target) continue; // another service's, or a function that does not run here
    const at = (...path: string[]) => ['Resources', id, 'Properties', ...path];
    out.read.push(id);
    if (p.PolicyType !== 'TargetTrackingScaling') {
      out.warnings.push(`${id}: a ${p.PolicyType} policy on ${target.function}:${target.qualifier} is not run (target tracking is): its capacity changes only by its schedule here`);
      continue;
    }
    const c = p.TargetTrackingScalingPolicyConfiguration;
    if (!c) throw templateError(t.file, at('TargetTrackingScalingPolicyConfiguration'), 'a TargetTrackingScaling policy needs it');
    const predefined = c.PredefinedMetricSpecification?.PredefinedMetricType;
    const custom = c.CustomizedMetricSpecification;
    if (predefined !== undefined && predefined !== UTILIZATION_METRIC) {
      throw templateError(t.file, at('TargetTrackingScalingPolicyConfiguration', 'PredefinedMetricSpecification', 'PredefinedMetricType'), `Lambda's predefined metric is ${UTILIZATION_METRIC}, got ${predefined}`);
    }
    if (predefined === undefined && custom?.MetricName !== 'ProvisionedConcurrencyUtilization') {
      throw templateError(t.file, at('TargetTrackingScalingPolicyConfiguration'), `tracking ${custom?.MetricName ?? 'no metric'} is not emulated: track ${UTILIZATION_METRIC} (or AWS/Lambda's ProvisionedConcurrencyUtilization)`);
    }
    if (!(c.TargetValue > 0 && c.TargetValue <= 1)) {
      throw templateError(t.file, at('TargetTrackingScalingPolicyConfiguration', 'TargetValue'), `ProvisionedConcurrencyUtilization is a share (0 to 1): a target of ${c.TargetValue} is never reached`);
    }
    const statistic = custom?.Statistic === 'Maximum' ? 'Maximum' : 'Average';
    target.targetTracking = {
      policy: p.PolicyName,
      targetValue: c.TargetValue,
      statistic,
      scaleOutCooldownSeconds: c.ScaleOutCooldown ?? 0,
      scaleInCooldownSeconds: c.ScaleInCooldown ?? 0,
      disableScaleIn: c.DisableScaleIn ?? false,
    };
  }
  return out;
}

/**
 * The provisioned concurrency a scalable target leaves when it is registered: Application Auto
 * Scaling brings the current capacity into [min, max] (none configured is 0).
 */
export function registeredCapacity(current: number, s: Pick<ProvisionedScaling, 'min' | 'max'>): number {
  return Math.min(s.max, Math.max(s.min, current));
}

/**
 * A function as the stack's create leaves it once a scalable target of it is registered: the
 * alias's or version's provisioned concurrency brought into [min, max] (CDK's `addAutoScaling` on
 * an alias with none configured is how a template gets its minimum), and the target kept for the
 * scaler. An alias or version the function does not have is refused, naming the ResourceId.
 */
export function registerScalableTarget(file: string, f: FunctionDescription, s: ProvisionedScaling): FunctionDescription {
  const alias = f.aliases?.findIndex((a) => a.name === s.qualifier) ?? -1;
  const version = /^\d+$/.test(s.qualifier) && Number(s.qualifier) <= (f.versions?.length ?? 0) ? Number(s.qualifier) - 1 : -1;
  if (alias < 0 && version < 0) {
    throw templateError(file, ['Resources', s.logicalId, 'Properties', 'ResourceId'], `${f.name} has no alias or published version ${s.qualifier} in this template`);
  }
  const set = <T extends { provisionedConcurrency?: number }>(x: T): T => {
    const { provisionedConcurrency: current, ...rest } = x;
    const n = registeredCapacity(current ?? 0, s);
    return (n > 0 ? { ...rest, provisionedConcurrency: n } : rest) as T;
  };
  return {
    ...f,
    ...(alias >= 0 ? { aliases: f.aliases!.map((a, i) => (i === alias ? set(a) : a)) } : { versions: f.versions!.map((v, i) => (i === version ? set(v) : v)) }),
    provisionedScaling: [...(f.provisionedScaling ?? []), s],
  };
}
