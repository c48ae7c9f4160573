import type { StackLaunch, StackSettings } from '../../common/stack-launch.ts';
import { STACK_SETTING_ENTRIES, type StackSettingPath } from '../../common/stack-settings.ts';

/**
 * `fanout-bench stack up`'s flags and the stack settings they set (common/stack-launch.ts), both
 * ways: `stack up` turns its flags into settings, a launch names each setting by its flag (so
 * the stack reports a bad value as `--memory: …`), and results.json records a local stack's
 * settings as the `stack up` command line that starts the same stack.
 */

/** The flag of each setting (dotted path): the table's, and the switches and the template's path. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  ...Object.fromEntries(STACK_SETTING_ENTRIES.map(({ path, flag }) => [path, flag])),
  'auth.enabled': '--auth',
  'template.path': '--template',
  'awsMetrics.enabled': '--aws-metrics',
};

/** The flag that sets a field (dotted path), if one does. */
export function flagOf(field: string, settings: StackSettings): string | undefined {
  if (FLAG_OF_FIELD[field]) return FLAG_OF_FIELD[field];
  if (field.startsWith('template.parameters')) return '--parameter';
  if (field.endsWith('.memoryMB')) return '--memory';
  if (field.endsWith('.reservedConcurrency')) return '--reserved';
  if (field.startsWith('functions.')) return settings.functions?.[field.slice('functions.'.length)]?.memoryMB !== undefined ? '--memory' : '--reserved';
  return undefined;
}

/** Every field the settings set (and each function they name), with the flag that sets it. */
export function sourcesOf(settings: StackSettings): Record<string, string> {
  const sources: Record<string, string> = {};
  const walk = (value: unknown, path: string) => {
    if (path) {
      const flag = flagOf(path, settings);
      if (flag) sources[path] = flag;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, v] of Object.entries(value)) if (v !== undefined) walk(v, path ? `${path}.${key}` : key);
  };
  walk(settings, '');
  return sources;
}

/** The `stack up` flags that start a stack with these settings (beyond --port 0 and --exit-with-stdin). */
export function stackUpArgs(launch: Pick<StackLaunch, 'settings' | 'configFile'>): string[] {
  const s = launch.settings ?? {};
  const args: string[] = [];
  const add = (flag: string, value: string | number | undefined) => {
    if (value !== undefined) args.push(flag, String(value));
  };
  // the flags of other shapes, each written beside its kin: before the setting named
  const before: Partial<Record<StackSettingPath, () => void>> = {
    'lambda.cpuModel': () => {
      const functions = Object.entries(s.functions ?? {});
      for (const [fn, f] of functions) if (f.memoryMB !== undefined) args.push('--memory', `${fn}=${f.memoryMB}`);
      for (const [fn, f] of functions) if (f.reservedConcurrency !== undefined) args.push('--reserved', `${fn}=${f.reservedConcurrency}`);
    },
    'auth.identitySource': () => {
      add('--config', launch.configFile);
      if (s.auth?.enabled) args.push('--auth');
    },
    'awsMetrics.lag': () => {
      add('--template', s.template?.path);
      for (const [key, value] of Object.entries(s.template?.parameters ?? {})) args.push('--parameter', `${key}=${value}`);
      if (s.awsMetrics?.enabled && s.awsMetrics.lag === undefined) args.push('--aws-metrics');
    },
  };
  for (const { path, keys, flag } of STACK_SETTING_ENTRIES) {
    before[path]?.();
    const value = keys.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], s);
    if (typeof value === 'number' || typeof value === 'string') add(flag, value);
  }
  return args;
}
