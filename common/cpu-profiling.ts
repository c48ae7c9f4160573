/**
 * Node's CPU-profiling flags of a process (`--cpu-prof`, `--cpu-prof-dir`, `--cpu-prof-name`,
 * `--cpu-prof-interval`), passed on to the processes and threads it starts so a profiled harness
 * profiles its stack and a profiled stack its environments. Node accepts a value after `=` or as
 * the next argument; a child gets the `=` form, so a flag never travels without its value.
 */
const WITH_VALUE = new Set(['--cpu-prof-dir', '--cpu-prof-name', '--cpu-prof-interval']);

export function cpuProfilingFlags(execArgv: readonly string[] = process.execArgv): string[] {
  const flags: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (!a.startsWith('--cpu-prof')) continue;
    const value = WITH_VALUE.has(a) ? execArgv[i + 1] : undefined;
    if (value !== undefined) {
      flags.push(`${a}=${value}`);
      i++;
    } else if (!WITH_VALUE.has(a)) flags.push(a);
  }
  return flags;
}

/** The directory profiles are written to, when profiling is on and one is named. */
export function cpuProfileDir(flags: readonly string[]): string | undefined {
  return flags.find((a) => a.startsWith('--cpu-prof-dir='))?.slice('--cpu-prof-dir='.length);
}
