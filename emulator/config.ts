import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { accountThrottleDefault } from '../common/api-gateway-quotas.ts';
import { LAMBDA_MEMORY_MB } from '../common/lambda-memory.ts';
import { MAX_PREPARED_PER_FUNCTION, type StackSettingPath } from '../common/stack-settings.ts';
import { readDataFile } from '../common/data-file.ts';
import { DEFAULTS as LAMBDA_DEFAULTS } from './lambda/options.ts';
import { UserError, fieldPath } from '../common/errors.ts';
import { AwsMetricsLag } from './cloudwatch/aws-timing.ts';
import { DEFAULT_NODE_RUNTIME, NODE_RUNTIMES } from '../common/node-runtimes.ts';
import { IAM_MODES } from './iam/execution-role.ts';
import { readJwks } from './http-api/jwks.ts';
import type { HttpApiDescription, StackSource } from './stack-model/stack-description.ts';

/**
 * The emulator's configuration: one schema, AWS's documented values as defaults, so a config
 * file only names what differs from AWS. Sources: API Gateway quotas for WebSocket APIs
 * (128 KB message, 32 KB frame, 10 min idle, 2 h connection, 500 new connections/s, account
 * throttle 10,000 rps with burst 5,000) and Lambda quotas (1,000 concurrent executions); the
 * stage's throttle is the one the CDK app deploys (manifest.ts).
 */

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** API Gateway API ids are 10 lowercase alphanumerics, e.g. "a1b2c3d4e5". */
export function randomApiId(): string {
  const bytes = randomBytes(10);
  let id = '';
  for (const b of bytes) id += ALNUM[b % ALNUM.length];
  return id;
}


/**
 * The config's rule and default for each setting of one value, by its path in the settings' table
 * (common/stack-settings.ts, which gives each its `stack up` flag and scenario knob): a table
 * entry without a rule here, or a rule for no entry, is a type error. Each group's schema below
 * takes its settings from here (`rulesOf`), beside its settings of other shapes.
 */
const SETTING_RULES = {
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 = any free port. */
  port: z.int().min(0).max(65_535).default(0),
  stage: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, 'letters, digits, "-" and "_" only')
    .default('local'),
  /**
   * The CloudFormation stack this one stands in for: DescribeStacks answers it, and its functions,
   * tables and token parameter are named after it as the CDK app names them (stack-names.ts).
   */
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'must start with a letter and hold only letters, digits and "-"')
    .max(128)
    .optional(),
  /**
   * The reference stack's server push: `direct` (default; its push function posts to every
   * recipient) or `queued` (a fan-out function, an SQS queue and posting workers): the CDK app's
   * `-c pushFanout`. Not for a template, whose own paths run as written.
   */
  pushFanout: z.enum(['direct', 'queued']).optional(),
  /**
   * The reference stack's provisioned concurrency for its $connect and sendMessage functions, on
   * the alias `live` the route then invokes (the CDK app's `-c connectProvisioned`, `-c
   * sendProvisioned`; 0 or absent: none, the route invokes `$LATEST`). Not for a template, whose
   * own provisioned concurrency runs as written.
   */
  provisionedConnect: z.int().min(0).optional(),
  provisionedSend: z.int().min(0).optional(),
  /**
   * Whether a function's calls are authorized against its execution role, as IAM would (emulator/iam/),
   * and API Gateway's right to invoke each route's function (AWS::Lambda::Permission): `enforce`
   * (the faithful one) answers a denied call as the service does (AccessDeniedException) and fails
   * an unpermitted route as AWS does, `report` lets both through and records them, `off` checks
   * nothing. The harness's `target.iam`.
   */
  iam: z.enum(IAM_MODES).default('enforce'),

  'limits.idleTimeoutSeconds': z.number().positive().default(600),
  'limits.maxConnectionSeconds': z.number().positive().default(7_200),
  /** Account throttle shared by inbound messages, @connections calls and HTTP and REST API requests; default: AWS's for the stack's region (accountThrottleDefault). */
  'limits.accountRps': z.number().positive().optional(),
  'limits.accountBurst': z.number().positive().optional(),
  /**
   * The stage's default route throttle (DefaultRouteSettings): client messages and $connect, not
   * @connections calls. Default: the stack's own (the template's stage, the reference stack's
   * DEFAULT_STAGE_THROTTLE), else the account's, as on API Gateway; AWS's burst is an integer,
   * 0 refuses everything.
   */
  'limits.stageRps': z.number().positive().optional(),
  'limits.stageBurst': z.int().min(0).optional(),
  /**
   * What resets the idle timer: `either`, traffic either way (published experience: server-sent
   * messages keep a connection open; AWS does not document the direction), or `client`, only the
   * client's own messages.
   */
  'limits.idleTimeoutRule': z.enum(['client', 'either']).default('either'),

  /** AWS's default account concurrency quota. */
  'lambda.accountConcurrency': z.int().min(1).default(1_000),
  /**
   * Host cap on live execution environments (not an AWS quota): what the host's memory holds.
   * Cold starts beyond it evict idle environments, or wait (results say the host held them).
   */
  'lambda.hostMaxEnvironments': z.int().min(1).default(LAMBDA_DEFAULTS.hostMaxEnvironments),
  /**
   * Host cap on one function's live environments: this many per core at a full vCPU share, so
   * cores × this ÷ the function's CPU share (at least 4). Beyond what the host's cores can keep
   * busy, another environment adds no throughput, only its own JIT warm-up; invocations past the
   * cap wait for one of the function's environments (results count them as held back by the
   * host). 0: no such cap (every concurrent invocation gets its own environment, as on AWS).
   */
  'lambda.hostEnvironmentsPerCore': z.number().min(0).default(LAMBDA_DEFAULTS.hostEnvironmentsPerCore),
  /** INITs running at once on this host (not an AWS quota); default: cores - 1. */
  'lambda.initConcurrency': z.int().min(1).default(LAMBDA_DEFAULTS.initConcurrency),
  /**
   * Environments per function whose INIT runs before they are needed; a cold start takes one and
   * is charged its INIT duration. 0: every INIT runs inside the invocation that needs it.
   */
  'lambda.preparedPerFunction': z.int().min(0).max(MAX_PREPARED_PER_FUNCTION).default(2),
  /** Idle environments are reaped after this long (AWS does not document it; ~5-15 min observed). */
  'lambda.idleReapSeconds': z.number().positive().default(300),
  /** 'throttle' slows each invocation to its memory size's CPU share (1,769 MB = 1 vCPU). */
  'lambda.cpuModel': z.enum(['throttle', 'off']).default('throttle'),
  /**
   * The Lambda runtime emulated (what the CDK app deploys by default). The functions run in the
   * stack's own process, so `stack up` runs on that Node major when it can find one.
   */
  'lambda.runtime': z.enum(NODE_RUNTIMES).default(DEFAULT_NODE_RUNTIME),

  /** Share of $disconnect events silently not delivered (AWS delivers them best effort). */
  'faults.lostDisconnectShare': z.number().min(0).max(1).default(0),
  /**
   * Share of DynamoDB data-plane calls answered with ProvisionedThroughputExceededException (the
   * SDK retries them, 3 attempts in the reference functions, so callers see far fewer).
   */
  'faults.dynamodbThrottleShare': z.number().min(0).max(1).default(0),

  /** where clients put the token, the authorizer's identity source: header x-api-key, or query parameter token */
  'auth.identitySource': z.enum(['header', 'query']).default('header'),
  /** a file holding the expected token (else FANOUT_BENCH_TOKEN); relative to the current directory */
  'auth.tokenFile': z.string().min(1).optional(),

  /** the Lambda / API Gateway lag after a minute ends (DynamoDB and EMF: twice it); default 60 s */
  'awsMetrics.lag': AwsMetricsLag.optional(),
} satisfies Record<StackSettingPath, z.ZodType>;

type Rules = typeof SETTING_RULES;
type Group = keyof Rules extends infer P ? (P extends `${infer G}.${string}` ? G : never) : never;
type RulesOf<G extends Group> = { [P in keyof Rules as P extends `${G}.${infer K}` ? K : never]: Rules[P] };

/** One group's rules by their names in it: `rulesOf('faults')` → `{ lostDisconnectShare, dynamodbThrottleShare }`. */
function rulesOf<G extends Group>(group: G): RulesOf<G> {
  return Object.fromEntries(Object.entries(SETTING_RULES).flatMap(([path, rule]) => (path.startsWith(`${group}.`) ? [[path.slice(group.length + 1), rule]] : []))) as RulesOf<G>;
}

/** The rules of the settings outside any group (`port`, `iam`, …). */
const TOP_RULES = Object.fromEntries(Object.entries(SETTING_RULES).filter(([path]) => !path.includes('.'))) as {
  [P in keyof Rules as P extends `${string}.${string}` ? never : P]: Rules[P];
};

const LimitsSchema = z.strictObject({
  ...rulesOf('limits'),
  /** Max WebSocket message (and @connections payload); larger messages close with 1009. */
  maxMessageBytes: z.int().min(1).default(131_072),
  /** AWS's frame limit; documented, not enforced (ws enforces message size only). */
  frameBytes: z.int().min(1).default(32_768),
  /** New connections per second per account (token bucket, burst = rate). */
  newConnectionsPerSecond: z.number().positive().default(500),
  /** Routes with a throttle of their own (the stage's RouteSettings), by route key; in place of the stage's. */
  routeThrottles: z.record(z.string(), z.strictObject({ rps: z.number().positive(), burst: z.int().min(0) })).default({}),
});

const LambdaSchema = z.strictObject({
  ...rulesOf('lambda'),
  /**
   * The waits before the retries of an asynchronous event whose function failed: AWS's 1 and 2
   * minutes. Shorter ones rehearse the retries within a short run (not an AWS setting).
   */
  asyncRetryDelaysSeconds: z.array(z.number().min(0).max(3600)).max(2).default([60, 120]),
  /** 'all': every function writes Lambda Insights' record per invocation; 'layer': only those with the extension's layer. */
  lambdaInsights: z.enum(['all', 'layer']).default('all'),
});

const FunctionOverrideSchema = z.strictObject({
  memoryMB: z.int().min(LAMBDA_MEMORY_MB.min).max(LAMBDA_MEMORY_MB.max).optional(),
  reservedConcurrency: z.int().min(0).optional(),
  /** Extra latency added to every invocation (simulates a slower dependency). */
  addedLatencyMs: z.number().min(0).optional(),
  /** Share of invocations rejected as throttled, whatever the concurrency. */
  forceThrottleShare: z.number().min(0).max(1).optional(),
  /**
   * Extra environment variables for the function (FANOUT_CONCURRENCY, POST_TIMEOUT_MS, …), in
   * place of the template's where it sets one. What the emulator wires itself (AWS_*, _*) cannot be
   * replaced: the functions must reach only the local endpoints.
   */
  environment: z
    .record(
      z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
        .refine((name) => !name.startsWith('AWS_') && !name.startsWith('_'), {
          error: 'is set by the emulator and cannot be replaced',
        }),
      // YAML writes `POST_TIMEOUT_MS: 500` as a number; the environment holds its text.
      z.union([z.string(), z.number(), z.boolean()]).transform(String),
    )
    .optional(),
});

const FaultsSchema = z.strictObject({
  ...rulesOf('faults'),
  /**
   * Share of @connections POSTs that stall: never answered (and never delivered) until the caller
   * aborts or the stack closes, like a post stuck in the network. Exercises the functions' abort.
   */
  stallPostShare: z.number().min(0).max(1).default(0),
});

/**
 * The $connect authorizer (a Lambda REQUEST authorizer, fanout-authorizer). Its expected token is
 * seeded into the emulator's Parameter Store at start, from `tokenFile` or else the
 * FANOUT_BENCH_TOKEN environment variable; never from the config itself, and never printed.
 */
const AuthSchema = z.strictObject({
  ...rulesOf('auth'),
  enabled: z.boolean().default(false),
  /**
   * the Parameter Store parameter the authorizer reads (AUTH_TOKEN_PARAMETER); default the one the
   * CDK app creates for the stack, /fanout-bench/<stackName>/connect-token (stack-names.ts)
   */
  parameterName: z
    .string()
    .regex(/^\/[a-zA-Z0-9_.\-/]{1,1000}$/, 'a parameter path such as /fanout-bench/connect-token')
    .optional(),
});

/** AWS's metric timing in CloudWatch: 60 s periods only, each published after a lag (aws-timing.ts); off by default (a local run wants its metrics at once). */
const AwsMetricsSchema = z.strictObject({
  ...rulesOf('awsMetrics'),
  enabled: z.boolean().default(false),
});

const DynamoDbSchema = z
  .strictObject({
    inMemory: z.boolean().default(true),
    /** LevelDB directory when inMemory is false. */
    path: z.string().min(1).optional(),
  })
  .refine((d) => d.inMemory || d.path !== undefined, {
    message: 'path is required when inMemory is false',
    path: ['path'],
  });

export const StackConfigSchema = z.strictObject({
  ...TOP_RULES,
  /**
   * A stack of the user's own instead of the reference stack: a CloudFormation or SAM template,
   * a CDK cloud assembly (cdk.out) or a Serverless Framework package, with its parameters.
   */
  template: z
    .strictObject({
      path: z.string().min(1),
      parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
      /**
       * Layers the template's functions name by an ARN from outside it, each mapped to a local
       * folder holding its content (`nodejs/node_modules/…`, `python/…`): ARN → folder (relative to
       * the current directory). A layer from outside with no folder here is refused when the
       * template is read (emulator/stack-model/lambda-layers.ts).
       */
      layers: z.record(z.string().regex(/^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:layer:[\w-]+:\d+$/, 'must be a layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)'), z.string().min(1)).optional(),
      /**
       * Secrets Manager secrets the account already has, outside the template: name → SecretString.
       * The template's `{{resolve:secretsmanager:…}}` references and the functions' GetSecretValue
       * calls find them, as on AWS; a reference to a secret neither here nor in the template is refused.
       */
      secrets: z.record(z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a secret name (letters, digits and /_+=.@-)'), z.string()).optional(),
      /** Parameter Store parameters the account already has: name → value (String), for `{{resolve:ssm:…}}` and GetParameter. */
      ssmParameters: z.record(z.string().regex(/^[a-zA-Z0-9_.\-/]{1,2048}$/, 'must be a parameter name'), z.string()).optional(),
      /**
       * The signing keys of the issuers the template's HTTP API JWT authorizers trust, which API
       * Gateway fetches from each issuer (its jwks_uri) and nothing fetches offline: issuer → a local
       * JWKS file (`{"keys": [...]}`, relative to the current directory). A JWT authorizer whose
       * issuer has none is refused before the stack starts (emulator/http-api/jwks.ts).
       */
      jwks: z.record(z.string().regex(/^https:\/\/\S+$/, 'must be an issuer URL (https://…), as JwtConfiguration.Issuer names it'), z.string().min(1)).optional(),
    })
    .optional(),
  apiId: z
    .string()
    .regex(/^[a-z0-9]{10}$/, '10 lowercase letters or digits')
    .default(randomApiId),
  region: z.string().min(1).default('us-east-1'),
  accountId: z.string().regex(/^\d{12}$/, '12 digits').default('000000000000'),
  limits: LimitsSchema.prefault({}),
  lambda: LambdaSchema.prefault({}),
  /** Per-function overrides, keyed by function name from the manifest. */
  functions: z.record(z.string(), FunctionOverrideSchema).default({}),
  faults: FaultsSchema.prefault({}),
  dynamodb: DynamoDbSchema.prefault({}),
  auth: AuthSchema.prefault({}),
  awsMetrics: AwsMetricsSchema.prefault({}),
  /**
   * Whether the emulated account has API Gateway's CloudWatch role (GetAccount's
   * cloudwatchRoleArn), as an account already set up for logging has; false: an account without
   * one, where enabling a stage's access logging is refused as AWS refuses it. A template's
   * AWS::ApiGateway::Account sets its own role either way.
   */
  apiGatewayCloudWatchRole: z.boolean().default(true),
}).transform((c) => {
  // the account's throttle AWS documents for the stack's region, unless the config sets its own
  const regional = accountThrottleDefault(c.region);
  return { ...c, limits: { ...c.limits, accountRps: c.limits.accountRps ?? regional.rateLimit, accountBurst: c.limits.accountBurst ?? regional.burstLimit } };
});

export type StackConfig = z.output<typeof StackConfigSchema>;
export type StackConfigInput = z.input<typeof StackConfigSchema>;
export type FunctionOverride = z.output<typeof FunctionOverrideSchema>;
export type AuthConfig = z.output<typeof AuthSchema>;

export interface LoadStackConfigOptions {
  /** YAML or JSON file (JSON is YAML). */
  file?: string;
  /** Values from CLI flags; they win over the file. */
  overrides?: Record<string, unknown>;
  /** Names the flag that sets a field (dotted path), for messages about override values. */
  flagFor?: (field: string) => string | undefined;
}

/** Read, merge and validate; any mistake is one UserError line naming file or flag, and field. */
export function loadStackConfig(options: LoadStackConfigOptions = {}): StackConfig {
  const fromFile = options.file === undefined ? {} : readConfigFile(options.file);
  const overrides = options.overrides ?? {};
  const merged = deepMerge(fromFile, overrides);
  const result = StackConfigSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    // An unknown key is reported at the key itself: "limits.idleTimeout: unknown key".
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const path = unknownKey === undefined ? issue.path : [...issue.path, unknownKey];
    // A record key that failed its own check: its message says why ("Invalid key in record" does not).
    const keyIssue = issue.code === 'invalid_key' ? issue.issues[0] : undefined;
    const message = unknownKey !== undefined ? 'unknown key' : (keyIssue?.message ?? issue.message);
    const source = sourceOf(path, overrides, options);
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
    throw new UserError(`${source}: ${fieldPath(path)}: ${message}${more}`);
  }
  return result.data;
}

/** Defaults only (tests, embedded use). */
export function defaultStackConfig(overrides: StackConfigInput = {}): StackConfig {
  return loadStackConfig({ overrides: overrides as Record<string, unknown> });
}

/**
 * What the config names in the stack it runs, checked once the stack is described: functions by
 * physical name or logical id (answered by physical name from then on), route throttles by route
 * key (as UpdateStage refuses RouteSettings for a route the API does not have). Each mistake is one line naming the flag or file and the field.
 */
export function checkConfigAgainstStack(
  config: StackConfig,
  stack: {
    functions: ReadonlyArray<{ name: string; logicalId: string }>;
    routes: ReadonlyArray<{ routeKey: string }>;
    dormantFunctions?: Record<string, string>;
    httpApis?: ReadonlyArray<Pick<HttpApiDescription, 'logicalId' | 'routes' | 'authorizers'>>;
    source?: Pick<StackSource, 'templateFile'>;
  },
  options: Pick<LoadStackConfigOptions, 'file' | 'overrides' | 'flagFor'> = {},
): StackConfig {
  const overrides = options.overrides ?? {};
  // named as the user may name them: the logical id too, where the template's differs
  const known = stack.functions.map((f) => (f.logicalId === f.name ? f.name : `${f.logicalId} (${f.name})`));
  const functions: StackConfig['functions'] = {};
  for (const [name, override] of Object.entries(config.functions)) {
    const source = sourceOf(['functions', name], overrides, options);
    const fn = stack.functions.find((f) => f.name === name) ?? stack.functions.find((f) => f.logicalId === name);
    const dormant = stack.dormantFunctions?.[name];
    if (dormant !== undefined) throw new UserError(`${source}: functions.${name}: ${dormant}`);
    if (!fn) throw new UserError(`${source}: functions.${name}: unknown function "${name}" (known: ${known.join(', ')})`);
    functions[fn.name] = { ...functions[fn.name], ...override };
  }
  const routes = stack.routes.map((r) => r.routeKey);
  for (const key of Object.keys(config.limits.routeThrottles)) {
    if (!routes.includes(key)) {
      const source = sourceOf(['limits', 'routeThrottles', key], overrides, options);
      throw new UserError(`${source}: limits.routeThrottles.${key}: unknown route "${key}" (routes: ${routes.join(', ')})`);
    }
  }
  // the local keys of every JWT authorizer's issuer: given and readable, before anything starts
  if (stack.httpApis?.length) {
    readJwks(stack.httpApis, config.template?.jwks, { templateFile: stack.source?.templateFile ?? 'the template', sourceOf: (issuer) => sourceOf(['template', 'jwks', issuer], overrides, options) });
  }
  return { ...config, functions };
}

/** Bounded, linear-time YAML/JSON reading with line:column errors, shared with the harness's files. */
function readConfigFile(file: string): Record<string, unknown> {
  const parsed = readDataFile(file, { what: 'emulator config file' });
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) throw new UserError(`${file}: (root): expected a mapping of settings`);
  return parsed;
}

/** Which input a failing field came from: the flag that set it, else the file. */
function sourceOf(path: readonly PropertyKey[], overrides: Record<string, unknown>, options: LoadStackConfigOptions): string {
  if (hasPath(overrides, path)) {
    return options.flagFor?.(fieldPath(path)) ?? 'overrides';
  }
  return options.file ?? 'config';
}

function hasPath(obj: unknown, path: readonly PropertyKey[]): boolean {
  let cur: unknown = obj;
  for (const key of path) {
    if (!isPlainObject(cur) || !(String(key) in cur)) return false;
    cur = cur[String(key)];
  }
  return path.length > 0 && cur !== undefined;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
