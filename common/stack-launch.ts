import { z } from 'zod';
import { STACK_SETTINGS, STACK_SETTING_ENTRIES } from './stack-settings.ts';

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

/** The settings of another shape than one value (the others are stack-settings.ts's table's). */
const OtherSettings = {
  /** per function name */
  functions: z.record(z.string(), z.strictObject({ memoryMB: z.number().optional(), reservedConcurrency: z.number().optional() })).optional(),
  /** a stack of the user's own: a template, a cdk.out or a Serverless package, its parameters and outside layers */
  template: z.strictObject({ path: z.string(), parameters: z.record(z.string(), z.string()).optional(), layers: z.record(z.string(), z.string()).optional() }).optional(),
};
/** Switches beside the table's settings of their group: the authorizer on, AWS's metric timing on. */
const GROUP_SWITCHES = { auth: { enabled: z.boolean().optional() }, awsMetrics: { enabled: z.boolean().optional() } } as const;

type Table = typeof STACK_SETTINGS;
type ValueOf<P extends keyof Table> = Table[P]['kind'] extends 'number' ? number : string;
type GroupName = keyof Table extends infer K ? (K extends `${infer G}.${string}` ? G : never) : never;
/** The table's settings as the config file nests them: `port`, `lambda.runtime` → `{ port?, lambda?: { runtime? } }`. */
type TableSettings = { [P in keyof Table as P extends `${string}.${string}` ? never : P]?: ValueOf<P> } & {
  [G in GroupName]?: { [P in keyof Table as P extends `${G}.${infer B}` ? B : never]?: ValueOf<P> } & (G extends keyof typeof GROUP_SWITCHES ? { [S in keyof (typeof GROUP_SWITCHES)[G]]?: boolean } : unknown);
};
export type StackSettings = TableSettings & { [K in keyof typeof OtherSettings]?: z.infer<(typeof OtherSettings)[K]> };

/**
 * The stack's settings a launcher may set, shaped as the emulator's config file writes them: the
 * table's (common/stack-settings.ts, nested by their paths), each checked for its type only.
 */
export const StackSettings = ((): z.ZodType<StackSettings, StackSettings> => {
  const groups: Record<string, Record<string, z.ZodType>> = {};
  const top: Record<string, z.ZodType> = {};
  for (const { keys, setting } of STACK_SETTING_ENTRIES) {
    const value = (setting.kind === 'number' ? z.number() : z.string()).optional();
    if (keys.length === 1) top[keys[0]!] = value;
    else (groups[keys[0]!] ??= { ...(GROUP_SWITCHES as Record<string, Record<string, z.ZodType>>)[keys[0]!] })[keys[1]!] = value;
  }
  const nested = Object.fromEntries(Object.entries(groups).map(([g, fields]) => [g, z.strictObject(fields).optional()]));
  return z.strictObject({ ...top, ...nested, ...OtherSettings }) as unknown as z.ZodType<StackSettings, StackSettings>;
})();

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
