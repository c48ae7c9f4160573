import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCache, writableCacheDir } from '../../common/cache-dir.ts';
import { readDataFile } from '../../common/data-file.ts';
import { DEFAULT_NODE_RUNTIME, isNodeRuntime, nodeMajorOf, type NodeRuntime } from '../../common/node-runtimes.ts';
import { hostNodeRuntimeOf, isLambdaRuntime, runsInWorker } from '../../common/lambda-runtimes.ts';
import { STACK_LAUNCH_ENV, type StackLaunch } from '../../common/stack-launch.ts';
import { findNode, nodeCacheDir, PINNED_NODE_VERSIONS } from './node-binaries.ts';
import { sourcesOf } from './stack-flags.ts';

/**
 * Starts the stack program, the one way both `fanout-bench stack up` and the local target do:
 * its entry by path (the harness imports nothing of the stack), the launch object in its
 * environment (common/stack-launch.ts), in a process group of its own. The functions run in the
 * stack's worker threads, so the Node that runs the stack is the one of the Lambda runtime it
 * emulates: chosen here, once (node-binaries.ts), else this process's Node, and the stack says
 * once why.
 */
export const STACK_PROGRAM = fileURLToPath(new URL('../../emulator/bootstrap.js', import.meta.url));

export interface LaunchOptions {
  stdio: StdioOptions;
  /** the stack's environment (default this process's) */
  env?: NodeJS.ProcessEnv;
  /** Node flags for the stack's process (a profiled harness profiles its stack too) */
  execArgv?: readonly string[];
}

export interface LaunchedStack {
  child: ChildProcess;
  /** the Node binary running it and its version */
  node: { path: string; version: string };
}

export function launchStack(launch: StackLaunch, o: LaunchOptions): LaunchedStack {
  // The stack writes its bundles there: a cache it cannot write is named here, before it starts.
  const bundles = bundleCache(o.env ?? process.env);
  if (bundles) writableCacheDir(bundles);
  const { node, nodeNote } = stackNode(launch);
  const full: StackLaunch = {
    ...launch,
    sources: { ...sourcesOf(launch.settings ?? {}), ...launch.sources },
    ownerPid: process.pid,
    ...(nodeNote ? { nodeNote } : {}),
  };
  // Detached: its own process group, so a terminal's Ctrl-C or a `timeout` signalling the
  // launcher's group reaches the stack only through its launcher, which decides when it stops.
  const child = spawn(node.path, [...(o.execArgv ?? []), STACK_PROGRAM], {
    stdio: o.stdio,
    detached: true,
    env: { ...(o.env ?? process.env), [STACK_LAUNCH_ENV]: JSON.stringify(full) },
  });
  return { child, node };
}

/**
 * The Node that runs a stack: the one of its runtime when one is at hand, else this process's,
 * with the note that says why.
 */
export function stackNode(launch: Pick<StackLaunch, 'settings' | 'configFile'>): { node: LaunchedStack['node']; nodeNote?: string } {
  const named = runtimeOf(launch);
  // Older Node.js runtimes (nodejs16.x) run on the oldest Node the emulator runs on.
  const runtime = isLambdaRuntime(named) && runsInWorker(named) ? hostNodeRuntimeOf(named) : named;
  // An unknown runtime runs on this Node: the stack names the mistake.
  const found = isNodeRuntime(runtime) ? findNode(nodeMajorOf(runtime)) : undefined;
  if (found) return { node: { path: found.path, version: found.version } };
  const node = { path: process.execPath, version: process.versions.node };
  return isNodeRuntime(runtime) ? { node, nodeNote: missingNodeNote(runtime, node.version, named) } : { node };
}

/**
 * The runtime the stack will emulate: the settings', else the one every function of a template
 * names, else the config file's, else the default. The files are only peeked at for it (any
 * problem with them is the stack's to name, when it reads them for real).
 */
export function runtimeOf(launch: Pick<StackLaunch, 'settings' | 'configFile'>): string {
  const set = launch.settings?.lambda?.runtime;
  if (set !== undefined) return set;
  const template = launch.settings?.template?.path;
  const templated = template === undefined ? undefined : templateRuntime(template);
  if (templated !== undefined) return templated;
  if (launch.configFile !== undefined) {
    try {
      const runtime = (readDataFile(launch.configFile, { what: 'emulator config file' }) as { lambda?: { runtime?: unknown } } | null)?.lambda?.runtime;
      if (typeof runtime === 'string') return runtime;
    } catch {
      // the stack reads the file again and says what is wrong with it
    }
  }
  return DEFAULT_NODE_RUNTIME;
}

/**
 * Why the functions run on a Node that is not their runtime's: the one line said once. `named` is
 * the template's runtime when an older one runs on `runtime`'s Node (nodejs16.x on Node 20): the
 * command it names fetches that Node and what the older runtime ships.
 */
export function missingNodeNote(runtime: NodeRuntime, node: string, named: string = runtime): string {
  const major = nodeMajorOf(runtime);
  const pinned = PINNED_NODE_VERSIONS[major];
  const install = pinned ? `; \`npx fanout-bench stack install-node ${named}\` puts Node ${pinned} there` : '';
  return `${named} runs on Node ${major}${named !== runtime ? ' here' : ''}, and none was found in node_modules, ${nodeCacheDir()} or on PATH: the functions run on Node ${node} instead${install}`;
}

/** The runtime every function of a template names (`Runtime: nodejs22.x`), when they agree; a peek, not a read. */
export function templateRuntime(path: string): string | undefined {
  const files = templateFiles(path);
  const runtimes = new Set<string>();
  for (const file of files) {
    let text: string;
    try {
      if (statSync(file).size > 1_048_576) continue;
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/\bRuntime["']?\s*:\s*["']?(nodejs\d+\.x)/g)) runtimes.add(m[1]!);
  }
  return runtimes.size === 1 ? [...runtimes][0] : undefined;
}

/** A template file, a cdk.out's stack templates, or a Serverless package's template. */
function templateFiles(path: string): string[] {
  try {
    if (!statSync(path).isDirectory()) return [path];
    const serverless = [join(path, 'cloudformation-template-update-stack.json'), join(path, '.serverless', 'cloudformation-template-update-stack.json')].filter((f) => existsSync(f));
    if (serverless.length > 0) return serverless;
    return readdirSync(path).filter((f) => f.endsWith('.template.json')).map((f) => join(path, f));
  } catch {
    return [];
  }
}
