import { z } from 'zod';
import { DEFAULT_NODE_RUNTIME, NODE_RUNTIMES } from './node-runtimes.ts';

/**
 * The emulator's settings that take one value, each written once: keyed by where the emulator's
 * config file puts it, with the `stack up` flag that sets it (and its help), the scenario's
 * `target:` knob that sets it where a scenario may, and its value as a scenario's knob is checked
 * (the stack checks every value again against its config's rule for the same path, with its
 * default: emulator/config.ts's SETTING_RULES, where a path of this table without a rule is a type
 * error; so a mistake reads the same from a flag, a knob or the file). Made from this table: the launch
 * object's settings (common/stack-launch.ts, nested by their paths), `stack up`'s
 * options and its launch object (src/commands/stack.ts), the flag a setting is reported by and
 * the command line results.json records (src/local-stack/stack-flags.ts), a scenario's knobs as a
 * launch (src/local-stack/stack-knobs.ts) and as its schema (src/contracts/scenario-schema.ts).
 * Settings of another shape (a function's memory, a template and its parameters, the authorizer
 * switch, a config file, AWS's metric timing switch) are written out where they are read.
 */
export interface StackSetting {
  /** the `stack up` flag and its argument's name: `--prepared <n>` */
  flag: string;
  help: string;
  /** how the flag's text is read: a number, or the text itself */
  kind: 'number' | 'string';
  /** the scenario's knob (`target:`) that sets it, where a scenario may, and its value as the scenario checks it */
  knob?: { name: string; schema: z.ZodType };
}

/** Environments per function a stack may prepare ahead (the emulator's own bound). */
export const MAX_PREPARED_PER_FUNCTION = 64;

export const STACK_SETTINGS = {
  port: { flag: '--port <n>', kind: 'number', help: 'port for the WebSocket and @connections endpoints (0 = any free port)' },
  host: { flag: '--host <host>', kind: 'string', help: 'address to bind (default 127.0.0.1)' },
  stage: { flag: '--stage <name>', kind: 'string', help: 'stage name, the first path segment (default "local")' },
  'faults.lostDisconnectShare': {
    flag: '--lost-disconnect-share <x>',
    kind: 'number',
    knob: { name: 'lostDisconnectShare', schema: z.number().min(0).max(1) },
    help: 'share of $disconnect events silently dropped, 0..1 (AWS delivers them best effort)',
  },
  'faults.dynamodbThrottleShare': {
    flag: '--dynamodb-throttle-share <x>',
    kind: 'number',
    knob: { name: 'dynamodbThrottleShare', schema: z.number().min(0).max(1) },
    help: 'share of DynamoDB calls answered with ProvisionedThroughputExceededException, 0..1',
  },
  'lambda.idleReapSeconds': { flag: '--idle-reap-seconds <n>', kind: 'number', knob: { name: 'idleReapSeconds', schema: z.number().positive() }, help: 'reap execution environments idle this long' },
  'lambda.cpuModel': { flag: '--cpu-model <model>', kind: 'string', knob: { name: 'cpuModel', schema: z.enum(['throttle', 'off']) }, help: 'throttle|off: scale CPU with memory size like Lambda, or not' },
  'lambda.hostMaxEnvironments': { flag: '--host-max-environments <n>', kind: 'number', knob: { name: 'hostMaxEnvironments', schema: z.int().positive() }, help: 'host cap on live execution environments' },
  'lambda.hostEnvironmentsPerCore': {
    flag: '--host-environments-per-core <x>',
    kind: 'number',
    knob: { name: 'hostEnvironmentsPerCore', schema: z.number().min(0) },
    help: "host cap on one function's environments, per core at a full vCPU share (default 0.5; 0 = none; not an AWS quota)",
  },
  'lambda.initConcurrency': { flag: '--init-concurrency <n>', kind: 'number', knob: { name: 'initConcurrency', schema: z.int().positive() }, help: 'INITs running at once on this host (default: cores - 1; not an AWS quota)' },
  'lambda.preparedPerFunction': {
    flag: '--prepared <n>',
    kind: 'number',
    knob: { name: 'preparedPerFunction', schema: z.int().min(0).max(MAX_PREPARED_PER_FUNCTION) },
    help: 'environments per function initialised before they are needed (default 2; 0 = none: INIT inside the cold invocation)',
  },
  'lambda.runtime': {
    flag: '--runtime <runtime>',
    kind: 'string',
    knob: { name: 'runtime', schema: z.enum(NODE_RUNTIMES) },
    help: `Lambda runtime emulated: ${NODE_RUNTIMES.join('|')} (default ${DEFAULT_NODE_RUNTIME}); runs on that Node major when one is found`,
  },
  'lambda.accountConcurrency': {
    flag: '--account-concurrency <n>',
    kind: 'number',
    knob: { name: 'accountConcurrency', schema: z.int().positive() },
    help: "Lambda's account concurrency (AWS's default 1000): lower it to see throttled invocations",
  },
  'limits.accountRps': {
    flag: '--account-rps <n>',
    kind: 'number',
    knob: { name: 'accountRps', schema: z.number().positive() },
    help: 'the account throttle on messages in and @connections calls, requests/s (default 10000)',
  },
  'limits.accountBurst': { flag: '--account-burst <n>', kind: 'number', knob: { name: 'accountBurst', schema: z.number().positive() }, help: "that throttle's burst (default 5000)" },
  'limits.stageRps': {
    flag: '--stage-rps <n>',
    kind: 'number',
    knob: { name: 'stageRps', schema: z.number().positive() },
    help: "the stage's default route throttle on messages in, requests/s (default 500, as the CDK app deploys the stage)",
  },
  'limits.stageBurst': { flag: '--stage-burst <n>', kind: 'number', knob: { name: 'stageBurst', schema: z.number().positive() }, help: "that throttle's burst (default 1000)" },
  'limits.idleTimeoutRule': {
    flag: '--idle-rule <rule>',
    kind: 'string',
    knob: { name: 'idleTimeoutRule', schema: z.enum(['client', 'either']) },
    help: "what resets a connection's idle timer: client (its own messages) or either (traffic either way; default)",
  },
  'limits.idleTimeoutSeconds': {
    flag: '--idle-timeout-seconds <n>',
    kind: 'number',
    knob: { name: 'idleTimeoutSeconds', schema: z.number().positive() },
    help: "a connection idle this long is closed with 1001 (default 600, AWS's): shorten it to see keep-alives and reconnects in a short run",
  },
  'limits.maxConnectionSeconds': {
    flag: '--max-connection-seconds <n>',
    kind: 'number',
    knob: { name: 'maxConnectionSeconds', schema: z.number().positive() },
    help: "a connection open this long is closed with 1001 (default 7200, AWS's): shorten it to see reconnect waves in a short run",
  },

  'auth.identitySource': { flag: '--auth-identity <where>', kind: 'string', help: 'where clients put the token: header (x-api-key, default) or query (?token=)' },
  'auth.tokenFile': { flag: '--auth-token-file <file>', kind: 'string', help: 'file holding the token the authorizer expects (else FANOUT_BENCH_TOKEN)' },
  pushFanout: {
    flag: '--push-fanout <how>',
    kind: 'string',
    knob: { name: 'pushFanout', schema: z.enum(['direct', 'queued']) },
    help: "the reference stack's server push: direct (its push function posts to every recipient; default) or queued (a fan-out function, an SQS queue, posting workers)",
  },
  provisionedConnect: {
    flag: '--provisioned-connect <n>',
    kind: 'number',
    knob: { name: 'provisionedConnect', schema: z.int().min(0) },
    help: "the reference stack's $connect function: provisioned environments on its alias live, which the route then invokes (default 0: none, the route invokes $LATEST)",
  },
  provisionedSend: {
    flag: '--provisioned-send <n>',
    kind: 'number',
    knob: { name: 'provisionedSend', schema: z.int().min(0) },
    help: "the reference stack's sendMessage function: provisioned environments on its alias live, as --provisioned-connect (default 0)",
  },
  stackName: {
    flag: '--stack-name <name>',
    kind: 'string',
    knob: { name: 'stackName', schema: z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'must start with a letter and hold only letters, digits and "-"').max(128) },
    help: "the CloudFormation stack it answers for (default FanoutBenchChat, or the template's); resources without a name of their own are named after it",
  },
  iam: {
    flag: '--iam <mode>',
    kind: 'string',
    knob: { name: 'iam', schema: z.enum(['enforce', 'report', 'off']) },
    help: "IAM on the functions' calls and API Gateway's invokes: enforce (default, as AWS), report (allowed, what would be denied recorded) or off (local only: AWS always enforces)",
  },
  'awsMetrics.lag': {
    flag: '--aws-metrics-lag <duration>',
    kind: 'string',
    help: 'the lag of --aws-metrics after a minute ends, e.g. 5s (DynamoDB and EMF: twice it); implies --aws-metrics',
  },
} as const satisfies Record<string, StackSetting>;

export type StackSettingPath = keyof typeof STACK_SETTINGS;

type Knobs = { [P in keyof typeof STACK_SETTINGS]: (typeof STACK_SETTINGS)[P] extends { knob: infer K } ? K : never }[keyof typeof STACK_SETTINGS];
/** The scenario knobs of the table, each optional, by knob name. */
export type KnobShape = { [K in Knobs as K['name']]: z.ZodOptional<K['schema']> };

/** The settings a scenario's `target:` may set, as the fields of its schema. */
export function knobShape(): KnobShape {
  return Object.fromEntries(Object.values<StackSetting>(STACK_SETTINGS).flatMap((s) => (s.knob ? [[s.knob.name, s.knob.schema.optional()]] : []))) as KnobShape;
}

/**
 * Each setting of the table with its path split (`['lambda', 'hostEnvironmentsPerCore']`) and its
 * flag's name (`--host-environments-per-core`), in the table's order.
 */
export const STACK_SETTING_ENTRIES: ReadonlyArray<{ path: StackSettingPath; keys: readonly string[]; flag: string; setting: StackSetting }> = (
  Object.entries(STACK_SETTINGS) as Array<[StackSettingPath, StackSetting]>
).map(([path, setting]) => ({ path, keys: path.split('.'), flag: setting.flag.split(' ')[0]!, setting }));
