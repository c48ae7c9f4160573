import { availableParallelism, totalmem } from 'node:os';
import { z } from 'zod';
import { LAMBDA_MEMORY_MB } from '../../common/lambda-memory.ts';
import { MAX_PREPARED_PER_FUNCTION } from '../../common/stack-settings.ts';
import { UserError, fieldPath } from '../../common/errors.ts';
import type { LogSink, MetricSink } from '../cloudwatch/types.ts';
import { DEFAULT_NODE_RUNTIME, NODE_RUNTIMES } from '../../common/node-runtimes.ts';
import { LAMBDA_RUNTIMES, runsInWorker } from '../../common/lambda-runtimes.ts';

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
  /**
   * Host cap on one function's live environments, per core at a full vCPU share (not an AWS
   * quota; see `functionEnvironmentCap` in function-environment-cap.ts). 0: no such cap.
   */
  hostEnvironmentsPerCore: 0.5,
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

/**
 * A function's code (the stack description's FunctionCode): `entry`, a TS/JS source bundled as
 * CDK's NodejsFunction bundles it (the reference stack); `handler`, code as deployed, loaded as
 * written from `dir` with Lambda's `Handler` setting (`path/file.export`).
 */
const CodeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('entry'), entry: z.string().min(1) }),
  z.strictObject({
    kind: z.literal('handler'),
    dir: z.string().min(1),
    /** Lambda's `Handler`: `[path/]module.export[.nested]`; checked at INIT, as Lambda does. */
    handler: z.string().min(1),
    /**
     * How messages name the code (`src/http/get-index`, as the template gives it) and the folder
     * paths in them are shown relative to: an import found outside the package names both.
     */
    shownAs: z.strictObject({ package: z.string().min(1), base: z.string().min(1) }).optional(),
  }),
]);

/**
 * Lambda's advanced logging controls (`LoggingConfig`): the log format, and in JSON the levels
 * Lambda filters application and system logs at (environments/platform-lines.ts), and the log
 * group the function writes to. Absent: Text, `/aws/lambda/<name>`.
 */
export const APPLICATION_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export const SYSTEM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'] as const;
const LoggingSchema = z.strictObject({
  format: z.enum(['Text', 'JSON']).default('Text'),
  applicationLogLevel: z.enum(APPLICATION_LOG_LEVELS).optional(),
  systemLogLevel: z.enum(SYSTEM_LOG_LEVELS).optional(),
  /** Lambda API reference, LoggingConfig.LogGroup: 1-512 of `[\.\-_/#A-Za-z0-9]` */
  logGroup: z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'must be 1-512 letters, digits or . - _ / #').optional(),
});
export type FunctionLogging = z.output<typeof LoggingSchema>;

/** Lambda's alias names: 1-128 letters, digits, hyphens and underscores, not all digits (that is a version). */
export const ALIAS_NAME = /^(?!\d+$)[A-Za-z0-9_-]{1,128}$/;

const FunctionSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, hyphens or underscores'),
  code: CodeSchema,
  /**
   * The Lambda runtime named by the function; default: the runtime's `runtime` option. Node.js runs
   * in worker threads; Python and `provided.*` as processes speaking the Runtime API, from code as
   * written (`code.kind: 'handler'`).
   */
  runtime: z.enum(LAMBDA_RUNTIMES).optional(),
  memoryMB: z.int().min(LAMBDA_MEMORY_MB.min).max(LAMBDA_MEMORY_MB.max),
  timeoutSeconds: z.number().positive().max(900),
  reservedConcurrency: z.int().min(0).optional(),
  /** Environments INIT'd ahead for this function in place of `preparedPerFunction` (a function only some runs invoke: 0). */
  preparedEnvironments: z.int().min(0).max(MAX_PREPARED_PER_FUNCTION).optional(),
  environment: z.record(z.string(), z.string()).default({}),
  /**
   * The function's own session (emulator/iam/role-sessions.ts): AWS_SESSION_TOKEN beside the keys,
   * as Lambda hands each function its role's credentials; not among its variables, so an update
   * of them keeps it and GetFunctionConfiguration does not show it.
   */
  sessionToken: z.string().optional(),
  /**
   * The folder standing in for the function's /opt: its layers' contents, merged in order (a later
   * layer's file replaces an earlier one's), as Lambda extracts them. Its code finds them where
   * Lambda's runtime looks (NODE_PATH's `nodejs/nodeNN/node_modules` and `nodejs/node_modules`,
   * Python's `python/lib/pythonX.Y/site-packages` and `python`). Never the real /opt.
   */
  opt: z.string().min(1).optional(),
  /** The function has the Lambda Insights extension (its layer): it writes Insights' record per invocation. */
  lambdaInsights: z.boolean().optional(),
  /** LoggingConfig; absent: the Text format in `/aws/lambda/<name>` */
  logging: LoggingSchema.optional(),
  /**
   * Published versions (AWS::Lambda::Version, SAM's AutoPublishAlias, …), numbered from 1 in
   * order, each running the configuration above as published; `provisionedConcurrency` is
   * configured on the version itself.
   */
  versions: z.array(z.strictObject({ provisionedConcurrency: z.int().min(1).optional(), declaredAt: z.string().optional() })).default([]),
  /** Aliases, each naming a published version (from 1) or `$LATEST`, with the provisioned concurrency configured on the alias. */
  aliases: z
    .array(
      z.strictObject({
        name: z.string().regex(ALIAS_NAME, 'must be 1-128 letters, digits, hyphens or underscores, not all digits'),
        version: z.union([z.int().min(1), z.literal('$LATEST')]),
        provisionedConcurrency: z.int().min(1).optional(),
        /** where the template declares it (`template.yaml: resource LiveAlias`): a refusal names it */
        declaredAt: z.string().optional(),
      }),
    )
    .default([]),
  /** SnapStart's ApplyOn, as GetFunctionConfiguration reports it (absent: None) */
  snapStart: z.literal('PublishedVersions').optional(),
  /** Fault knob: milliseconds added before each invocation. */
  addedLatencyMs: z.number().min(0).optional(),
  /** Fault knob: share 0..1 of invocations throttled with reason 'forced'. */
  forceThrottle: z.number().min(0).max(1).optional(),
});

/** `{ entry }` → `{ code: { kind: 'entry', entry } }`, before the strict schema sees it. */
function withCode(fn: unknown): unknown {
  if (typeof fn !== 'object' || fn === null || !('entry' in fn) || 'code' in fn) return fn;
  const { entry, ...rest } = fn as { entry: unknown };
  return { ...rest, code: { kind: 'entry', entry } };
}

const OptionsSchema = z.strictObject({
  functions: z.array(z.preprocess(withCode, FunctionSchema)).min(1),
  accountConcurrency: z.int().min(1).default(DEFAULTS.accountConcurrency),
  scalingRate: z
    .strictObject({ environments: z.number().positive(), perMs: z.number().positive() })
    .default({ ...DEFAULTS.scalingRate }),
  hostMaxEnvironments: z.int().min(1).default(DEFAULTS.hostMaxEnvironments),
  hostEnvironmentsPerCore: z.number().min(0).default(DEFAULTS.hostEnvironmentsPerCore),
  idleReapMs: z.number().positive().default(DEFAULTS.idleReapMs),
  initConcurrency: z.int().min(1).default(DEFAULTS.initConcurrency),
  preparedPerFunction: z.int().min(0).max(MAX_PREPARED_PER_FUNCTION).default(DEFAULTS.preparedPerFunction),
  cpuModel: z.enum(['throttle', 'off']).default('throttle'),
  /**
   * Which functions write Lambda Insights' record per invocation (environments/insights-record.ts):
   * every function (the default: one log event per invocation costs the emulator little, and it
   * is where a run reads the CPU its invocations used), or only those with the extension.
   */
  lambdaInsights: z.enum(['all', 'layer']).default('all'),
  /**
   * The Lambda runtime emulated for functions that name none: AWS_EXECUTION_ENV and the
   * bundle's esbuild target (the worker's too).
   */
  runtime: z.enum(NODE_RUNTIMES).default(DEFAULT_NODE_RUNTIME),
  /**
   * Where the functions' AWS calls go when they name an AWS host (`https://dynamodb.us-east-1.amazonaws.com`,
   * `https://{api}.execute-api.{region}.amazonaws.com/{stage}`): endpoint prefix (the host's
   * service label: dynamodb, execute-api, ssm, lambda, monitoring, logs, cloudformation,
   * apigateway, …) → the emulator's local base URL (`http://127.0.0.1:PORT`; for execute-api the
   * gateway's origin, the request's path keeps its /{stage}). Any other AWS host fails in the
   * function as a refused connection naming it (aws-endpoint-redirect.ts), posted to the URL under
   * `@unserved-calls` where there is one (the emulator's record of such calls).
   */
  awsEndpoints: z
    .strictObject({ services: z.record(z.string().regex(/^([a-z0-9-]+|@unserved-calls)$/, 'must be an endpoint prefix'), z.url({ protocol: /^http$/ })) })
    .default({ services: {} }),
  region: z.string().min(1).default(DEFAULTS.region),
  accountId: z.string().regex(/^\d{12}$/, 'must be 12 digits').default(DEFAULTS.accountId),
});

/**
 * One of `code` and `entry`: `entry` is shorthand for `code: { kind: 'entry', entry }` (the
 * reference stack's functions and most tests name a source file to bundle).
 */
export type FunctionDefinition = Omit<z.input<typeof FunctionSchema>, 'code'> & { code?: z.input<typeof CodeSchema>; entry?: string };
export type FunctionCodeConfig = z.output<typeof CodeSchema>;
export type FunctionConfig = z.output<typeof FunctionSchema>;

/** The log group a function writes to: its LoggingConfig.LogGroup, else Lambda's default `/aws/lambda/<name>`. */
export function functionLogGroup(fn: Pick<FunctionConfig, 'name' | 'logging'>): string {
  return fn.logging?.logGroup ?? `/aws/lambda/${fn.name}`;
}

export type LambdaRuntimeOptions = Omit<z.input<typeof OptionsSchema>, 'functions'> & {
  functions: FunctionDefinition[];
  metrics: MetricSink;
  logs: LogSink;
  /** Where the runtime's own lines go (which Python runs a Python runtime); none by default. */
  log?: (line: string) => void;
  /** Where the line naming an import found only outside a function's package goes (runtime.ts); default `log`. */
  outsidePackageLog?: (line: string) => void;
};
export type RuntimeConfig = z.output<typeof OptionsSchema> & { metrics: MetricSink; logs: LogSink };

/**
 * A function's configuration after an update (memory, timeout, environment variables, logging), checked
 * against the same rules as at start-up; a mistake is a one-line UserError naming the field.
 */
export function resolveFunctionUpdate(
  current: FunctionConfig,
  update: { memoryMB?: number; timeoutSeconds?: number; environment?: Record<string, string>; logging?: z.input<typeof LoggingSchema>; snapStart?: 'PublishedVersions' | 'None' },
): FunctionConfig {
  const { snapStart, ...rest } = update;
  // ApplyOn None: no SnapStart (the field left out, as a template without it)
  const parsed = FunctionSchema.safeParse({ ...current, ...rest, ...(snapStart === undefined ? {} : { snapStart: snapStart === 'None' ? undefined : snapStart }) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`lambda runtime: ${current.name}.${fieldPath(issue.path)}: ${issue.message}`);
  }
  return parsed.data;
}

/** Validate options; a mistake becomes a one-line UserError naming the field. */
export function resolveOptions(options: LambdaRuntimeOptions): RuntimeConfig {
  const { metrics, logs, log: _log, outsidePackageLog: _outside, ...rest } = options;
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
    if (fn.code.kind === 'entry' && fn.runtime !== undefined && !runsInWorker(fn.runtime)) {
      throw new UserError(`lambda runtime: functions[${i}].code: a ${fn.runtime} function runs code as written (kind: handler), not a bundled entry`);
    }
  });
  if (reserved > config.accountConcurrency) {
    throw new UserError(
      `lambda runtime: functions[].reservedConcurrency: reserved ${reserved} exceeds accountConcurrency ${config.accountConcurrency}`,
    );
  }
  return { ...config, metrics, logs };
}

/**
 * The credentials every function receives, as Lambda injects the execution role's: always these
 * dummies, never the caller's. The functions reach only local endpoints, which check no
 * signatures; handing them the caller's AWS_ACCESS_KEY_ID/… would put real keys in reach of
 * code under test (and its logs) for nothing. Set, so the SDK never probes instance metadata.
 */
export const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' } as const;

export function functionCredentials(_config: RuntimeConfig, fn: Pick<FunctionConfig, 'sessionToken'>): Record<string, string> {
  return fn.sessionToken === undefined ? { ...LOCAL_CREDENTIALS } : { ...LOCAL_CREDENTIALS, AWS_SESSION_TOKEN: fn.sessionToken };
}
