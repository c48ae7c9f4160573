import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { factsOf, isGoRuntime, isPythonRuntime, pythonVersionOf, runsInWorker, type LambdaRuntimeId, type PythonRuntime } from '../../../common/lambda-runtimes.ts';
import { nodeMajorOf, type NodeRuntimeId } from '../../../common/node-runtimes.ts';
import type { SdkModules } from '../bundling/bundled-sdk.ts';
import type { FunctionBundles } from '../bundling/bundle.ts';
import { BundleCodeCache, handlerCompileCacheDir } from '../bundling/code-cache.ts';
import type { EnvironmentSpec, ExecutionEnvironment, ProcessEnvironmentSpec, WorkerEnvironmentSpec } from './execution-environment.ts';
import type { InitializationType } from '../types.ts';
import { PYTHON_BOOTSTRAP, type HostRuntime } from '../runtimes/host-runtimes.ts';
import { functionCredentials, functionLogGroup, type FunctionConfig, type RuntimeConfig } from '../options.ts';
import { ProcessEnvironment } from './process-environment.ts';
import { WorkerEnvironment } from './worker-environment.ts';

/**
 * What a function's execution environments are created from: a worker thread for Node.js, a
 * process for any other runtime (host-runtimes.ts says which), with the variables Lambda sets.
 */
export interface SpecSources {
  config: RuntimeConfig;
  /** where the environments' own /tmp folders go (ephemeral-storage.ts) */
  tmpRoot: string;
  /** the Node functions' bundles and the worker (none when no function runs in a worker) */
  bundles?: FunctionBundles;
  /** what each Node runtime ships, for code as written (bundled-sdk.ts) */
  sdkModules: SdkModules;
  /** each process function's command, by function name */
  hostRuntimes: ReadonlyMap<string, HostRuntime>;
  /** where the runtime's own lines go (the stack's log) */
  log?: (line: string) => void;
}

export function environmentSpec(src: SpecSources, fn: FunctionConfig): EnvironmentSpec {
  const { config } = src;
  const common = {
    fn,
    version: '$LATEST',
    initializationType: 'on-demand' as const,
    cpuThrottle: config.cpuModel === 'throttle',
    region: config.region,
    accountId: config.accountId,
    logs: config.logs,
    metrics: config.metrics,
    cpu: { initMs: 0, invokeMs: 0 },
    tmpRoot: src.tmpRoot,
  };
  const runtime = fn.runtime ?? config.runtime;
  if (runsInWorker(runtime)) {
    const bundles = src.bundles!;
    const sdk = sdkModulesOf(src, fn);
    const code = workerCode(fn, runtime, bundles, sdk, factsOf(runtime).ships === 'aws-sdk-v3');
    const codeCache = code.kind === 'bundle' ? new BundleCodeCache(code.path) : undefined;
    const compileCacheDir = code.kind === 'handler' ? handlerCompileCacheDir() : undefined;
    return {
      kind: 'worker',
      ...common,
      code,
      workerPath: bundles.workerPath,
      awsEndpoints: config.awsEndpoints.services,
      env: workerVariables(config, fn, sdk),
      ...(codeCache ? { codeCache } : {}),
      ...(compileCacheDir ? { compileCacheDir } : {}),
    };
  }
  const host = src.hostRuntimes.get(fn.name);
  if (!host || fn.code.kind !== 'handler') throw new Error(`unreachable: ${fn.name} (${runtime}) has no host runtime or no code directory`);
  return { kind: 'process', ...common, command: host.command, args: host.args, cwd: fn.code.dir, env: processVariables(config, fn) };
}

/** The spec after a configuration update: same code and command, the new configuration and variables. */
export function updatedSpec(src: SpecSources, previous: EnvironmentSpec, fn: FunctionConfig): EnvironmentSpec {
  if (previous.kind === 'worker') return { ...previous, fn, env: workerVariables(src.config, fn, sdkModulesOf(src, fn)) } satisfies WorkerEnvironmentSpec;
  return { ...previous, fn, env: processVariables(src.config, fn) } satisfies ProcessEnvironmentSpec;
}

/**
 * The spec of a published version's environments, or of its provisioned ones: the configuration
 * it was published with, Lambda's variables saying which version and how it was initialized. Its
 * host CPU accounting is the function's (one object, shared).
 */
export function variantSpec(spec: EnvironmentSpec, version: string, initializationType: InitializationType): EnvironmentSpec {
  return { ...spec, version, initializationType, env: { ...spec.env, AWS_LAMBDA_FUNCTION_VERSION: version, AWS_LAMBDA_INITIALIZATION_TYPE: initializationType } };
}

export function createEnvironment(
  spec: EnvironmentSpec,
  onIdleExit: (env: ExecutionEnvironment) => void,
  registry: Set<ExecutionEnvironment>,
): ExecutionEnvironment {
  return spec.kind === 'worker' ? new WorkerEnvironment(spec, onIdleExit, registry) : new ProcessEnvironment(spec, onIdleExit, registry);
}

/** The module directory of what the function's Node runtime ships (none for a bundle). */
function sdkModulesOf(src: SpecSources, fn: FunctionConfig): string | undefined {
  const ships = factsOf(fn.runtime ?? src.config.runtime).ships;
  return ships === 'aws-sdk-v2' || ships === 'aws-sdk-v3' ? src.sdkModules[ships] : undefined;
}

/**
 * What a function's worker loads. Code as written finds packages only in its own folder and its
 * layers, then NODE_PATH (package-boundary.ts), for CommonJS and, through the resolve hook, ES
 * modules. ES modules find the layers and the runtime's SDK from nodejs18.x on, when Lambda began
 * searching NODE_PATH for them; up to nodejs16.x Lambda loaded ES modules only from the handler's
 * folder, so `import AWS from 'aws-sdk'` there fails with Runtime.ImportModuleError, as on
 * Lambda, while `require('aws-sdk')` works.
 */
function workerCode(fn: FunctionConfig, runtime: LambdaRuntimeId, bundles: FunctionBundles, sdkModules: string | undefined, esmFindsSdk: boolean): WorkerEnvironmentSpec['code'] {
  if (fn.code.kind === 'entry') return { kind: 'bundle', path: bundles.handlerPaths.get(fn.name) as string };
  const hooks = pathToFileURL(join(dirname(bundles.workerPath), 'bundled-sdk-hooks.mjs')).href;
  const roots = [fn.code.dir, ...(fn.opt ? [fn.opt] : [])].map(realPath);
  const modulePaths = esmFindsSdk ? [...layerNodePaths(fn, runtime), ...(sdkModules ? [sdkModules] : [])] : [];
  return {
    kind: 'handler',
    dir: fn.code.dir,
    handler: fn.code.handler,
    boundary: { roots, ...(fn.code.shownAs ? { shown: fn.code.shownAs } : {}) },
    esmHook: { url: hooks, data: { roots, modulePaths } },
  };
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Where Lambda's Node.js runtime looks in /opt (NODE_PATH's first entries): `nodejs/node20/node_modules`, then `nodejs/node_modules`. */
function layerNodePaths(fn: FunctionConfig, runtime: LambdaRuntimeId): string[] {
  if (!fn.opt) return [];
  return [join(fn.opt, 'nodejs', `node${nodeMajorOf(runtime as NodeRuntimeId)}`, 'node_modules'), join(fn.opt, 'nodejs', 'node_modules')];
}

/** Where Lambda's Python runtime looks in /opt, first on sys.path after the task root: `python/lib/pythonX.Y/site-packages`, then `python`. */
function layerPythonPaths(fn: FunctionConfig, runtime: PythonRuntime): string[] {
  if (!fn.opt) return [];
  const [major, minor] = pythonVersionOf(runtime);
  return [join(fn.opt, 'python', 'lib', `python${major}.${minor}`, 'site-packages'), join(fn.opt, 'python')];
}

/** The variables Lambda sets for every runtime (Lambda's "Defined runtime environment variables"). */
function lambdaVariables(config: RuntimeConfig, fn: FunctionConfig): Record<string, string> {
  return {
    ...functionCredentials(config, fn),
    AWS_REGION: config.region,
    AWS_DEFAULT_REGION: config.region,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMB),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: functionLogGroup(fn),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    _HANDLER: fn.code.kind === 'handler' ? fn.code.handler : 'index.handler',
    ...logFormatVariables(fn),
  };
}

/**
 * What the runtimes read of LoggingConfig in JSON: AWS_LAMBDA_LOG_FORMAT and, the level their
 * console or logging module filters at, AWS_LAMBDA_LOG_LEVEL (ApplicationLogLevel, default INFO),
 * as the runtime interface clients read them (Node's LogPatch.js, Python's bootstrap).
 */
function logFormatVariables(fn: FunctionConfig): Record<string, string> {
  if (fn.logging?.format !== 'JSON') return {};
  return { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: fn.logging.applicationLogLevel ?? 'INFO' };
}

function workerVariables(config: RuntimeConfig, fn: FunctionConfig, sdkModules: string | undefined): Record<string, string> {
  const code = fn.code;
  return {
    ...fn.environment,
    ...lambdaVariables(config, fn),
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime ?? config.runtime}`,
    // Code as written finds the runtime's SDK through NODE_PATH, as on Lambda (bundled-sdk.ts),
    // and its task root is its directory.
    ...(code.kind === 'handler' && sdkModules ? { NODE_PATH: [...layerNodePaths(fn, fn.runtime ?? config.runtime), sdkModules, code.dir].join(':'), LAMBDA_TASK_ROOT: code.dir } : {}),
  };
}

/**
 * A process's variables. A process has its own, unlike a worker thread: PATH (the host's, so a
 * custom runtime's script finds its tools), LANG and TZ as Lambda sets them (the function's own
 * may replace those three, as on Lambda), then the function's, then Lambda's. AWS_EXECUTION_ENV is
 * not set for OS-only runtimes (provided.*), as on Lambda. The Python bootstrap also gets the
 * emulator's endpoint map for boto3 (it removes the variable before the function's code runs).
 */
function processVariables(config: RuntimeConfig, fn: FunctionConfig): Record<string, string> {
  const runtime = fn.runtime ?? config.runtime;
  const dir = fn.code.kind === 'handler' ? fn.code.dir : '';
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    // Lambda sets en_US.UTF-8; C.UTF-8 is the UTF-8 locale every Linux host has.
    LANG: 'C.UTF-8',
    TZ: ':UTC',
    ...fn.environment,
    ...lambdaVariables(config, fn),
    LAMBDA_TASK_ROOT: dir,
    // Lambda sets it for every managed runtime, go1.x included; not for OS-only ones (provided.*).
    ...(isGoRuntime(runtime) ? { AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}` } : {}),
    ...(isPythonRuntime(runtime)
      ? {
          AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
          LAMBDA_RUNTIME_DIR: dirname(PYTHON_BOOTSTRAP),
          _FANOUT_BENCH_AWS_ENDPOINTS: JSON.stringify(config.awsEndpoints.services),
          // the layers' folders for sys.path, and how messages name the package (python-bootstrap.py removes both)
          _FANOUT_BENCH_LAYER_PATHS: layerPythonPaths(fn, runtime).join(':'),
          ...(fn.code.kind === 'handler' && fn.code.shownAs ? { _FANOUT_BENCH_PACKAGE: fn.code.shownAs.package } : {}),
        }
      : {}),
  };
}

