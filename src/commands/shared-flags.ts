import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readToken } from '../../common/auth-token.ts';
import { UserError } from '../../common/errors.ts';
import { LAMBDA_MEMORY_MB } from '../../common/lambda-memory.ts';
import { DEFAULT_NODE_RUNTIME, isNodeRuntime, NODE_RUNTIMES, type NodeRuntime } from '../../common/node-runtimes.ts';
import { formatDuration, parseDuration } from '../contracts/duration.ts';
import { StackKnobs } from '../contracts/scenario-schema.ts';
import { MAX_PREPARED_PER_FUNCTION } from '../../common/stack-settings.ts';
import { TOKEN_PLACEMENTS, type TokenPlacement } from '../contracts/token-placement.ts';
import { costOptionsFromFlags } from '../metrics/cost/cost-flags.ts';
import type { SessionOptions } from '../session/session.ts';
import { MAX_CLIENTS } from '../contracts/scenario-limits.ts';
import { DEFAULT_METRICS_WAIT_MS } from '../aws/cloudwatch-source.ts';
import { ACCESS_LOG_MODES, type AccessLogMode } from '../targets/access-logging.ts';

/**
 * The flags `run`, `compare` and `search` share, declared once so that each reads the same in
 * every command's --help, and read once into a session's options (sessionOptionsFromFlags). Each
 * command adds its own flags around these groups, in this order: target, fleet, stack, closing.
 *
 * Reading a flag checks its form only (a whole number, a duration, fn=MB); what a scenario's
 * field may be is the scenario schema's to say, after the flags are applied to it
 * (src/scenarios/scenario-overrides.ts), so a flag is held to exactly the limits a file is.
 */

/** A repeatable flag's values, in order (never commander's variadic `<x...>`, which takes the scenario after it too). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** What is measured against: the target, and for an aws: stack the identity it is read with. */
export function targetFlags(cmd: Command, targetHelp = '"local" (start the emulator), a ws:// / wss:// URL, or aws:<stackName> (a deployed stack, by its CloudFormation name)'): Command {
  return cmd
    .option('--target <target>', targetHelp, 'local')
    .option('--region <region>', "aws:<stackName>: the stack's AWS region (default: the SDK's chain: AWS_REGION, the profile)")
    .option('--profile <profile>', "aws:<stackName>: the named AWS profile for credentials and region (default: the SDK's chain: AWS_PROFILE, default)")
    .option('--table <name>', 'aws-api:<apiId>/<stage>: a DynamoDB table the API\'s functions use (repeatable; default: the tables their environment variables name)', collect)
    .option(
      '--access-log <mode>',
      "the stage's API Gateway access log, which traces each request to its Lambda invocation (cold or warm): use (the stage's own; default for aws: targets), enable (set for the run and put back after; default locally) or off (default for a URL)",
    );
}

/** The fleet: its size and pace (over the scenario's), its shards and seed, and where results go. */
export function fleetFlags(cmd: Command, o: { duration?: string; rate?: string; shards?: string } = {}): Command {
  cmd.option('--clients <n>', `simulated clients (overrides the scenario; at most ${MAX_CLIENTS})`).option('--rooms <n>', 'rooms (overrides the scenario)');
  if (o.duration) cmd.option('--duration <d>', o.duration);
  return cmd
    .option('--rate <n>', o.rate ?? 'messages per second of every send phase')
    .option('--shards <n>', o.shards ?? 'shard processes (default: 1 up to 30,000 deliveries/s and 2,000 connects/s planned, else one per core)')
    .option('--seed <n>', 'seed for rooms, senders and drops')
    .option('--out <dir>', 'reports directory', 'reports');
}

/** The stack: your own or the reference stack, the runtime the emulator runs, the prices and architecture of the cost estimate, the $connect token. */
export function stackFlags(cmd: Command): Command {
  return cmd
    .option('--template <path>', 'local target: run your own stack, a CloudFormation/SAM template, a CDK cloud assembly (cdk.out) or a Serverless package (.serverless/)')
    .option('--parameter <Key=Value>', "local target: a template parameter's value (repeatable)", collect)
    .option('--stack-name <name>', "local target: the CloudFormation stack the emulator stands in for, the one to run of a cloud assembly's several (default: the assembly's only stack, the template's file name, or FanoutBenchChat)")
    .option('--runtime <runtime>', `local target: Lambda runtime emulated, ${[`${DEFAULT_NODE_RUNTIME} (default)`, ...NODE_RUNTIMES.filter((r) => r !== DEFAULT_NODE_RUNTIME)].join(', ')}`)
    .option('--iam <mode>', "local target: IAM on the functions' calls and API Gateway's invokes, enforce (default, as AWS), report (allowed, what would be denied recorded) or off")
    .option('--prepared <n>', 'local target: execution environments per function initialised before they are needed (default 2; 0 = none: every cold start runs its INIT)')
    .option('--prices <file|aws>', "the cost estimate's prices: a JSON/YAML price file, or aws (the AWS Price List API, aws: targets); default: the dated table of the stack's region")
    .option('--arch <arch>', 'Lambda architecture priced: x86_64 (default) or arm64')
    .option('--token-file <file>', "file holding the token for the stack's $connect authorizer (else FANOUT_BENCH_TOKEN)")
    .option('--token-in <where>', "where the token goes: header (x-api-key) or query (?token=); default header, or the scenario's target.auth.identitySource");
}

/** How every measurement ends: the wait for CloudWatch, the host-limit override, the progress line. */
export function closingFlags(cmd: Command, ignoreHostLimits = "run even if the fleet looks bigger than this host's memory, cores, files or ports can hold"): Command {
  return cmd
    .option('--metrics-wait <d>', `how long to wait after the run for CloudWatch to publish its metrics where they arrive late (AWS, stack up --aws-metrics); default ${formatDuration(DEFAULT_METRICS_WAIT_MS)}`)
    .option('--ignore-host-limits', ignoreHostLimits)
    .option('--no-progress', 'no progress output on stderr');
}

/** The shared flags as commander hands them over. */
export interface SharedFlags {
  target: string;
  region?: string;
  profile?: string;
  table?: string[];
  accessLog?: string;
  clients?: string;
  rooms?: string;
  duration?: string;
  rate?: string;
  shards?: string;
  seed?: string;
  out: string;
  runtime?: string;
  prepared?: string;
  iam?: string;
  template?: string;
  parameter?: string[];
  stackName?: string;
  prices?: string;
  arch?: string;
  tokenFile?: string;
  tokenIn?: string;
  metricsWait?: string;
  ignoreHostLimits?: boolean;
  progress: boolean;
}

/** The shared flags as a session's options, each read for its form (one line naming the flag). */
export async function sessionOptionsFromFlags(scenario: string, flags: SharedFlags, stackKnobs?: StackKnobs): Promise<SessionOptions> {
  const tables = flags.table?.map(tableFlag);
  const aws =
    flags.region !== undefined || flags.profile !== undefined || tables !== undefined
      ? { region: regionFlag(flags.region), profile: profileFlag(flags.profile), ...(tables ? { tables } : {}) }
      : undefined;
  const knobs: StackKnobs = {
    ...stackKnobs,
    ...(flags.runtime !== undefined ? { runtime: runtimeFlag(flags.runtime) } : {}),
    ...(flags.iam !== undefined ? { iam: iamFlag(flags.iam) } : {}),
    ...(flags.prepared !== undefined ? { preparedPerFunction: intFlag('--prepared', flags.prepared, 0, MAX_PREPARED_PER_FUNCTION) } : {}),
    ...templateFlags(flags),
    ...(flags.stackName !== undefined ? { stackName: stackNameFlag(flags.stackName) } : {}),
  };
  return {
    scenario,
    target: flags.target,
    ...(aws ? { aws } : {}),
    clients: intFlag('--clients', flags.clients),
    rooms: intFlag('--rooms', flags.rooms),
    durationMs: durationFlag('--duration', flags.duration),
    rate: numberFlag('--rate', flags.rate),
    shards: intFlag('--shards', flags.shards, 1),
    seed: intFlag('--seed', flags.seed),
    outDir: flags.out,
    ...(Object.keys(knobs).length > 0 ? { stackKnobs: knobs } : {}),
    cost: await costOptionsFromFlags(flags),
    ignoreHostLimits: flags.ignoreHostLimits === true,
    token: readToken({ file: flags.tokenFile, fileField: '--token-file' }),
    tokenIn: tokenInFlag(flags.tokenIn),
    ...(flags.metricsWait !== undefined ? { metricsWaitMs: metricsWaitFlag(flags.metricsWait) } : {}),
    ...(flags.accessLog !== undefined ? { accessLog: accessLogFlag(flags.accessLog) } : {}),
  };
}

/** `--access-log`: use, enable or off; whether the target has a stage to log is the input check's (run-input.ts). */
function accessLogFlag(v: string): AccessLogMode {
  const mode = ACCESS_LOG_MODES.find((m) => m === v);
  if (!mode) throw new UserError(`--access-log: must be one of ${ACCESS_LOG_MODES.join(', ')}, got "${v}"`);
  return mode;
}

/** `Key=Value`: the value may hold "=" (a template parameter's often does), the key may not. */
export function parameterPair(raw: string): [string, string] {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new UserError(`--parameter: expected Key=Value, got "${raw}"`);
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}

/**
 * `--template` (resolved from where the command runs) and each `--parameter Key=Value`: for the
 * scenario's `target.template` too, so whether there is a template is checked with the scenario's
 * knobs (stack-knobs-check.ts).
 */
function templateFlags(flags: Pick<SharedFlags, 'template' | 'parameter'>): Pick<StackKnobs, 'template' | 'parameters'> {
  const parameters = Object.fromEntries((flags.parameter ?? []).map(parameterPair));
  return { ...(flags.template !== undefined ? { template: resolve(flags.template) } : {}), ...(Object.keys(parameters).length > 0 ? { parameters } : {}) };
}

/** `--stack-name`: held to the scenario's `target.stackName` rule (a CloudFormation stack name). */
function stackNameFlag(v: string): string {
  const checked = StackKnobs.shape.stackName.safeParse(v);
  if (!checked.success) throw new UserError(`--stack-name: ${checked.error.issues[0]!.message}, got "${v}"`);
  return v;
}

/** A whole number; `min`/`max` only for flags no scenario field holds (--shards, --repeat, --workers). */
export function intFlag(name: string, v: string | undefined, min?: number, max?: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const inRange = (min === undefined || n >= min) && (max === undefined || n <= max);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || !inRange) {
    const range = min === undefined ? '' : max === undefined ? ` >= ${min}` : ` from ${min} to ${max}`;
    throw new UserError(`${name}: must be an integer${range}, got "${v}"`);
  }
  return n;
}

/** A number, like 200 or 0.5. */
export function numberFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? Number.NaN : Number(v);
  if (!Number.isFinite(n)) throw new UserError(`${name}: must be a number, got "${v}"`);
  return n;
}

/** A duration like "30s", "500ms" or "2m", in ms. */
export function durationFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined) throw new UserError(`${name}: must be a duration like "30s", "500ms" or "2m", got "${v}"`);
  return ms;
}

/**
 * `--memory fn=MB`: a size Lambda allows. Whose function it names (the reference stack's, or a
 * template's by logical id or physical name) is checked with the scenario (stack-knobs-check.ts).
 */
export function memoryFlag(v: string): [string, number] {
  const m = /^([\w.-]+)=(\d+)$/.exec(v);
  if (!m) throw new UserError(`--memory: expected fn=MB, got "${v}"`);
  const mb = Number(m[2]);
  if (mb < LAMBDA_MEMORY_MB.min || mb > LAMBDA_MEMORY_MB.max) {
    throw new UserError(`--memory: ${m[1]}: must be from ${LAMBDA_MEMORY_MB.min} to ${LAMBDA_MEMORY_MB.max} MB, got ${m[2]}`);
  }
  return [m[1]!, mb];
}

/** Each `--memory fn=MB`; a function named twice keeps its last size. */
export function memoryFlags(v: readonly string[] | undefined): Record<string, number> | undefined {
  return v === undefined ? undefined : Object.fromEntries(v.map((item) => memoryFlag(item)));
}

/** `--token-in`: header or query. */
export function tokenInFlag(v: string | undefined): TokenPlacement | undefined {
  if (v === undefined) return undefined;
  if (!(TOKEN_PLACEMENTS as readonly string[]).includes(v)) throw new UserError(`--token-in: must be ${TOKEN_PLACEMENTS.join(' or ')}, got "${v}"`);
  return v as TokenPlacement;
}

/** At most an hour: AWS publishes within minutes; `report --repull` pulls again later. */
const MAX_METRICS_WAIT_MS = 3_600_000;

function metricsWaitFlag(v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms < 0 || ms > MAX_METRICS_WAIT_MS) {
    throw new UserError(`--metrics-wait: must be a duration from 0s to ${formatDuration(MAX_METRICS_WAIT_MS)}, like "90s" or "5m", got "${v}"`);
  }
  return ms;
}

function regionFlag(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(v)) throw new UserError(`--region: must be an AWS region such as us-east-1, got "${v}"`);
  return v;
}

/** A profile name as the shared config files allow it: no whitespace, no brackets. */
function profileFlag(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^[^\s[\]]{1,128}$/.test(v)) throw new UserError(`--profile: must be a profile name of the AWS config files (1-128 characters, no spaces or brackets), got "${v}"`);
  return v;
}

/** A DynamoDB table name: 3-255 letters, digits, "_", "-" or ".". */
function tableFlag(v: string): string {
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(v)) throw new UserError(`--table: must be a DynamoDB table name (3-255 letters, digits, "_", "-" or "."), got "${v}"`);
  return v;
}

function iamFlag(v: string): NonNullable<StackKnobs['iam']> {
  const modes = ['enforce', 'report', 'off'] as const;
  const mode = modes.find((m) => m === v);
  if (!mode) throw new UserError(`--iam: must be one of ${modes.join(', ')}, got "${v}"`);
  return mode;
}

function runtimeFlag(v: string): NodeRuntime {
  if (!isNodeRuntime(v)) throw new UserError(`--runtime: must be one of ${NODE_RUNTIMES.join(', ')}, got "${v}"`);
  return v;
}
