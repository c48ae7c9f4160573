import { availableParallelism, totalmem } from 'node:os';
import { z } from 'zod';
import { UserError, fieldPath } from '../../../src/errors.ts';
import type { LogSink, MetricSink } from '../cloudwatch/types.ts';

/** AWS's documented quotas and the emulator's host knobs, with their defaults. */
export const DEFAULTS = {
  accountConcurrency: 1_000,
  /** AWS: each function scales by 1,000 execution environments every 10 seconds. */
  scalingRate: { environments: 1_000, perMs: 10_000 },
  /**
   * Host cap on live environments across all functions (not an AWS quota). An idle environment
   * costs memory (~26 MB of RSS with the reference functions' bundles), not CPU, so the cap is set
   * by memory: 30 % of the host's, at 32 MB each, between 16 and 256.
   */
  hostMaxEnvironments: Math.max(16, Math.min(256, Math.floor((totalmem() * 0.3) / 2 ** 25))),
  /**
   * INITs running at once (not an AWS quota): leave a core to the gateway and the load, so an
   * INIT takes what it takes on an idle host instead of queueing behind forty others.
   */
  initConcurrency: Math.max(1, availableParallelism() - 1),
  /** Environments per function whose INIT runs before they are needed (see env-preparer.ts). */
  preparedPerFunction: 0,
  /**
   * AWS does not document when idle environments are reaped; 5-15 minutes is what is commonly
   * observed. The emulator reaps after 5 minutes idle.
   */
  idleReapMs: 5 * 60_000,
  region: 'us-east-1',
  accountId: '000000000000',
} as const;

const FunctionSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, hyphens or underscores'),
  /** Absolute path of the handler file (TS or JS) exporting `handler`. */
  entry: z.string().min(1),
  memoryMB: z.int().min(128).max(10_240),
  timeoutSeconds: z.number().positive().max(900),
  reservedConcurrency: z.int().min(0).optional(),
  environment: z.record(z.string(), z.string()).default({}),
  /** Fault knob: milliseconds added before each invocation. */
  addedLatencyMs: z.number().min(0).optional(),
  /** Fault knob: share 0..1 of invocations throttled with reason 'forced'. */
  forceThrottle: z.number().min(0).max(1).optional(),
});

const OptionsSchema = z.strictObject({
  functions: z.array(FunctionSchema).min(1),
  accountConcurrency: z.int().min(1).default(DEFAULTS.accountConcurrency),
  scalingRate: z
    .strictObject({ environments: z.number().positive(), perMs: z.number().positive() })
    .default({ ...DEFAULTS.scalingRate }),
  hostMaxEnvironments: z.int().min(1).default(DEFAULTS.hostMaxEnvironments),
  idleReapMs: z.number().positive().default(DEFAULTS.idleReapMs),
  initConcurrency: z.int().min(1).default(DEFAULTS.initConcurrency),
  preparedPerFunction: z.int().min(0).max(64).default(DEFAULTS.preparedPerFunction),
  cpuModel: z.enum(['throttle', 'off']).default('throttle'),
  region: z.string().min(1).default(DEFAULTS.region),
  accountId: z.string().regex(/^\d{12}$/, 'must be 12 digits').default(DEFAULTS.accountId),
  /**
   * Credentials the functions see (AWS_ACCESS_KEY_ID/…), as Lambda injects the execution role's.
   * Default: the caller's AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, else dummy
   * "local" keys (the local endpoints accept any) so the SDK never probes EC2 instance metadata.
   */
  credentials: z
    .strictObject({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1), sessionToken: z.string().optional() })
    .optional(),
});

export type FunctionDefinition = z.input<typeof FunctionSchema>;
export type FunctionConfig = z.output<typeof FunctionSchema>;

export type LambdaRuntimeOptions = z.input<typeof OptionsSchema> & { metrics: MetricSink; logs: LogSink };
export type RuntimeConfig = z.output<typeof OptionsSchema> & { metrics: MetricSink; logs: LogSink };

/** Validate options; a mistake becomes a one-line UserError naming the field. */
export function resolveOptions(options: LambdaRuntimeOptions): RuntimeConfig {
  const { metrics, logs, ...rest } = options;
  const parsed = OptionsSchema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`lambda runtime: ${fieldPath(issue.path)}: ${issue.message}`);
  }
  const config = parsed.data;
  const names = new Set<string>();
  let reserved = 0;
  config.functions.forEach((fn, i) => {
    if (names.has(fn.name)) throw new UserError(`lambda runtime: functions[${i}].name: duplicate function name ${fn.name}`);
    names.add(fn.name);
    reserved += fn.reservedConcurrency ?? 0;
  });
  if (reserved > config.accountConcurrency) {
    throw new UserError(
      `lambda runtime: functions[].reservedConcurrency: reserved ${reserved} exceeds accountConcurrency ${config.accountConcurrency}`,
    );
  }
  return { ...config, metrics, logs };
}

/** The credentials functions receive (see `credentials` above). */
export function functionCredentials(config: RuntimeConfig): Record<string, string> {
  const c = config.credentials;
  if (c) return { AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, ...(c.sessionToken ? { AWS_SESSION_TOKEN: c.sessionToken } : {}) };
  const env = process.env;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { AWS_SESSION_TOKEN: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  return { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
}
