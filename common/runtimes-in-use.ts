import { z } from 'zod';
import { deprecationOf, deprecationPhrase, factsOf, type LambdaRuntimeId } from './lambda-runtimes.ts';
import { nodeMajorOf, NODE_RUNTIMES, type NodeRuntimeId } from './node-runtimes.ts';

/**
 * Each Lambda runtime a stack's functions name, with what ran it here and what Lambda says of
 * it: the ready line carries the list (common/stack-ready.ts) and results.json keeps it
 * (environment.lambdaRuntimes). One stack may name several runtimes (nodejs16.x beside
 * nodejs14.x and python3.12); the stack's one Node runs every Node.js function, so a runtime
 * whose major is not that Node's says so, as its `ranOn` does.
 */
export const RuntimeInUse = z.object({
  /** the template's `Runtime` */
  runtime: z.string(),
  /** the functions that name it, by physical name */
  functions: z.array(z.string()),
  /** what ran them here: `Node 20.20.2`, `the host's Python 3.11.2 (/usr/bin/python3)`, `each function's own bootstrap` */
  ranOn: z.string(),
  /** false when what ran them is not the runtime's own version (Node 20 for nodejs16.x, Python 3.11 for python3.12) */
  matches: z.boolean(),
  /** the date Lambda deprecated it, when it has */
  deprecated: z.string().optional(),
  /** Lambda's line on it once deprecated: what it still invokes, what it refuses and from when */
  deprecation: z.string().optional(),
});
export type RuntimeInUse = z.infer<typeof RuntimeInUse>;

export interface RuntimesInUseOptions {
  /** the Node that runs the stack's worker threads (process.versions.node) */
  node: string;
  /**
   * What runs each runtime that is not Node.js, as the stack resolved it: one phrase per runtime,
   * `python3.12 on the host's Python 3.11.2 (/usr/bin/python3)` (host-runtimes.ts writes them).
   */
  others?: readonly string[];
  today?: Date;
}

/** The runtimes of `functions`, in the order they first appear, each with its functions. */
export function runtimesInUse(functions: ReadonlyArray<{ name: string; runtime: LambdaRuntimeId }>, o: RuntimesInUseOptions): RuntimeInUse[] {
  const byRuntime = new Map<LambdaRuntimeId, string[]>();
  for (const f of functions) {
    const names = byRuntime.get(f.runtime) ?? [];
    names.push(f.name);
    byRuntime.set(f.runtime, names);
  }
  return [...byRuntime].map(([runtime, names]) => {
    const deprecated = deprecationOf(runtime, o.today);
    const deprecation = deprecationPhrase(runtime, o.today);
    return { runtime, functions: names, ...ranOn(runtime, o), ...(deprecated ? { deprecated } : {}), ...(deprecation ? { deprecation } : {}) };
  });
}

function ranOn(runtime: LambdaRuntimeId, o: RuntimesInUseOptions): { ranOn: string; matches: boolean } {
  const facts = factsOf(runtime);
  if (facts.language === 'node') {
    const want = nodeMajorOf(runtime as NodeRuntimeId);
    const major = Number(o.node.split('.')[0]);
    if (major === want) return { ranOn: `Node ${o.node}`, matches: true };
    // older majors than the oldest the worker code runs on can only run on a newer Node here
    const oldest = nodeMajorOf(NODE_RUNTIMES[0]);
    const why = want < oldest ? `: the emulator's worker code runs on Node ${oldest} and later` : '';
    return { ranOn: `Node ${o.node}, not Node ${want} as on Lambda${why}`, matches: false };
  }
  // the stack's own phrase for it, less the runtime's name it starts with
  const said = o.others?.find((p) => p.startsWith(`${runtime} on `))?.slice(`${runtime} on `.length);
  if (facts.language === 'python') {
    if (said === undefined) return { ranOn: "the host's Python", matches: false };
    const version = /Python (\d+\.\d+)(?:\.|\b)/.exec(said)?.[1];
    return { ranOn: said, matches: version === runtime.slice('python'.length) };
  }
  return { ranOn: said ?? (facts.language === 'go' ? "each function's handler binary" : "each function's own bootstrap"), matches: true };
}
