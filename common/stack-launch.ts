import { z } from 'zod';

/**
 * What starts the stack program (emulator/main.ts): one object, built by the
 * harness (`stack up` from its flags, the local target from a scenario's knobs) and read by the
 * stack. It travels as JSON in the STACK_LAUNCH_ENV environment variable: stdin is the owner's
 * lifeline (`exitWithStdin`: the stack ends when it closes) and a terminal's for `stack up`, a
 * file would have to be written and removed by a process that may be killed, and argv is shown
 * by `ps`. The stack's functions get an environment of their own, so they never see it.
 *
 * The settings are checked here for their types only: their values are checked by the stack,
 * against the same rules as its config file's, so a mistake reads the same from either
 * (`--memory: functions.x.memoryMB: …`).
 */
export const STACK_LAUNCH_ENV = 'FANOUT_BENCH_STACK_LAUNCH';

/** The stack's settings a launcher may set, shaped as the emulator's config file writes them. */
export const StackSettings = z.strictObject({
  host: z.string().optional(),
  port: z.number().optional(),
  stage: z.string().optional(),
  faults: z
    .strictObject({
      lostDisconnectShare: z.number().optional(),
      dynamodbThrottleShare: z.number().optional(),
    })
    .optional(),
  lambda: z
    .strictObject({
      idleReapSeconds: z.number().optional(),
      cpuModel: z.string().optional(),
      hostMaxEnvironments: z.number().optional(),
      hostEnvironmentsPerCore: z.number().optional(),
      initConcurrency: z.number().optional(),
      preparedPerFunction: z.number().optional(),
      /** a Lambda runtime such as nodejs22.x (common/node-runtimes.ts) */
      runtime: z.string().optional(),
      accountConcurrency: z.number().optional(),
    })
    .optional(),
  /**
   * API Gateway's throttles: the account's (messages in and @connections calls), the stage's
   * default route throttle (messages in), and what resets the idle timer (`client` | `either`)
   */
  limits: z
    .strictObject({
      accountRps: z.number().optional(),
      accountBurst: z.number().optional(),
      stageRps: z.number().optional(),
      stageBurst: z.number().optional(),
      idleTimeoutRule: z.string().optional(),
      idleTimeoutSeconds: z.number().optional(),
      maxConnectionSeconds: z.number().optional(),
    })
    .optional(),
  /** per function name */
  functions: z.record(z.string(), z.strictObject({ memoryMB: z.number().optional(), reservedConcurrency: z.number().optional() })).optional(),
  auth: z
    .strictObject({
      enabled: z.boolean().optional(),
      /** header | query */
      identitySource: z.string().optional(),
      /** a file holding the token the authorizer expects (else FANOUT_BENCH_TOKEN) */
      tokenFile: z.string().optional(),
    })
    .optional(),
  /** the reference stack's server push: direct | queued */
  pushFanout: z.string().optional(),
  /** the CloudFormation stack the emulator stands in for; names derive from it */
  stackName: z.string().optional(),
  /** a stack of the user's own: a template, a cdk.out or a Serverless package, and its parameters */
  template: z.strictObject({ path: z.string(), parameters: z.record(z.string(), z.string()).optional(), layers: z.record(z.string(), z.string()).optional() }).optional(),
  /** IAM on the functions' calls and API Gateway's invokes: enforce | report | off */
  iam: z.string().optional(),
  /** AWS's metric timing in CloudWatch: 60 s periods, each published after a lag (a duration such as "5s") */
  awsMetrics: z.strictObject({ enabled: z.boolean().optional(), lag: z.string().optional() }).optional(),
});
export type StackSettings = z.infer<typeof StackSettings>;

/** Sets `value` at `keys` (`['lambda', 'runtime']`) in the settings, making the objects on the way. */
export function setIn(settings: StackSettings, keys: readonly string[], value: unknown): void {
  let cur = settings as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) cur = (cur[key] ??= {}) as Record<string, unknown>;
  cur[keys[keys.length - 1]!] = value;
}

export const StackLaunch = z.strictObject({
  /** a YAML or JSON emulator config file; `settings` win over it */
  configFile: z.string().min(1).optional(),
  settings: StackSettings.default({}),
  /**
   * Where each setting came from, by dotted field path (`faults.lostDisconnectShare` →
   * `--lost-disconnect-share`): a bad value is reported as set there.
   */
  sources: z.record(z.string(), z.string()).default({}),
  /** stop when stdin ends: the process holding its other end owns the stack */
  exitWithStdin: z.boolean().default(false),
  /** the process that launched the stack: when it is gone, so is the stack */
  ownerPid: z.int().positive().optional(),
  /**
   * Why the functions do not run on their runtime's Node, said by the launcher, which chose the
   * Node: the stack prints it once and puts it in its ready line.
   */
  nodeNote: z.string().optional(),
});
/** What a launcher writes (defaults may be left out). */
export type StackLaunch = z.input<typeof StackLaunch>;
/** What the stack reads. */
export type StackLaunchParsed = z.output<typeof StackLaunch>;
