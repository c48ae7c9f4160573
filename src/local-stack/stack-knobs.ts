import { setIn, type StackLaunch, type StackSettings } from '../../common/stack-launch.ts';
import { STACK_SETTING_ENTRIES } from '../../common/stack-settings.ts';
import type { StackKnobs } from '../contracts/scenario-schema.ts';

/**
 * A scenario's local-stack knobs (`target:`) as the launch object of the stack program
 * (common/stack-launch.ts): the settings the emulator's config file would write, and the file.
 */
export function stackLaunchOf(k: StackKnobs): StackLaunch {
  const settings: StackSettings = {};
  // the settings of one value, each where the config file puts it (common/stack-settings.ts)
  for (const { keys, setting } of STACK_SETTING_ENTRIES) {
    const value = setting.knob && (k as Record<string, unknown>)[setting.knob.name];
    if (value !== undefined) setIn(settings, keys, value);
  }
  const functions: NonNullable<StackSettings['functions']> = {};
  for (const [fn, mb] of Object.entries(k.memory ?? {})) functions[fn] = { ...functions[fn], memoryMB: mb };
  for (const [fn, n] of Object.entries(k.reserved ?? {})) functions[fn] = { ...functions[fn], reservedConcurrency: n };
  if (Object.keys(functions).length > 0) settings.functions = functions;
  if (k.auth) {
    const where = typeof k.auth === 'object' ? k.auth : {};
    settings.auth = { enabled: true, ...defined({ identitySource: where.identitySource, tokenFile: where.tokenFile }) };
  }
  if (k.template !== undefined) settings.template = { path: k.template, ...(k.parameters ? { parameters: k.parameters } : {}), ...(k.layers ? { layers: k.layers } : {}) };
  return { settings, ...(k.config !== undefined ? { configFile: k.config } : {}) };
}

/**
 * The scenario's knobs with those the run's flags set (`run --memory`, `--runtime`, `--template`,
 * `--parameter`) over them: a function's memory or a template parameter from a flag wins over
 * the scenario's for that function or parameter only.
 */
export function withKnobs(scenario: StackKnobs, flags: StackKnobs | undefined): StackKnobs {
  const set = flags && defined(flags);
  if (!set) return scenario;
  const memory = scenario.memory || set.memory ? { ...scenario.memory, ...set.memory } : undefined;
  const parameters = scenario.parameters || set.parameters ? { ...scenario.parameters, ...set.parameters } : undefined;
  return { ...scenario, ...set, ...(memory ? { memory } : {}), ...(parameters ? { parameters } : {}) };
}

/** The object without its undefined fields, or undefined when none is left. */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
  return Object.keys(out).length > 0 ? out : undefined;
}
