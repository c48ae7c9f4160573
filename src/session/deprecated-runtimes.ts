import type { StackReady } from '../../common/stack-ready.ts';

/** Functions named before the rest are counted, as the end of the run names them. */
const NAMED = 3;

function functionsText(names: readonly string[]): string {
  const shown = names.slice(0, NAMED).join(', ');
  return names.length > NAMED ? `${shown} and ${names.length - NAMED} more` : shown;
}

/**
 * One start-of-run line per deprecated runtime a local stack's functions name: the runtime, its
 * functions and Lambda's deprecation line (what it still invokes, and from when a fresh deploy
 * fails), and what ran it here when that is not its own version. Said before any load, since a
 * user reading the console then learns that the stack as written would not deploy anew; the end
 * of the run and results.json (environment.lambdaRuntimes) list every runtime in use.
 */
export function deprecatedRuntimeLines(ready: StackReady | undefined): Array<{ runtime: string; line: string }> {
  return (ready?.lambdaRuntime.runtimes ?? [])
    .filter((x) => x.deprecation !== undefined)
    .map((x) => ({ runtime: x.runtime, line: `lambda ${x.runtime} (${functionsText(x.functions)}): ${x.deprecation}${x.matches ? '' : `; it runs here on ${x.ranOn}`}` }));
}
