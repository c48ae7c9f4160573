import { isNodeRuntime, NODE_RUNTIMES, type NodeRuntime } from './node-runtimes.ts';

/**
 * Every Lambda runtime the emulator runs, and what it says of those it does not. Node.js runs in
 * worker threads of the stack (common/node-runtimes.ts); the others run as Lambda runs every
 * runtime, a process speaking the Runtime API: Python on the emulator's own bootstrap, custom
 * runtimes (`provided.*`) on the function's own `bootstrap`.
 */
export const PYTHON_RUNTIMES = ['python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13'] as const;
export const PROVIDED_RUNTIMES = ['provided.al2', 'provided.al2023'] as const;
export const LAMBDA_RUNTIMES = [...NODE_RUNTIMES, ...PYTHON_RUNTIMES, ...PROVIDED_RUNTIMES] as const;

export type PythonRuntime = (typeof PYTHON_RUNTIMES)[number];
export type ProvidedRuntime = (typeof PROVIDED_RUNTIMES)[number];
export type LambdaRuntimeId = (typeof LAMBDA_RUNTIMES)[number];

export function isLambdaRuntime(value: string): value is LambdaRuntimeId {
  return (LAMBDA_RUNTIMES as readonly string[]).includes(value);
}

export function isPythonRuntime(value: string): value is PythonRuntime {
  return (PYTHON_RUNTIMES as readonly string[]).includes(value);
}

export function isProvidedRuntime(value: string): value is ProvidedRuntime {
  return (PROVIDED_RUNTIMES as readonly string[]).includes(value);
}

/** Runs in a worker thread of the stack (Node.js), or as a process speaking the Runtime API. */
export function runsInWorker(runtime: LambdaRuntimeId): runtime is NodeRuntime {
  return isNodeRuntime(runtime);
}

/** 'python3.12' → [3, 12] */
export function pythonVersionOf(runtime: PythonRuntime): [number, number] {
  const [major, minor] = runtime.slice('python'.length).split('.').map(Number);
  return [major!, minor!];
}

/** The runtimes run, in one phrase for messages. */
export const RUNTIMES_RUN = `${NODE_RUNTIMES.join(', ')}, python3.9…python3.13, ${PROVIDED_RUNTIMES.join(', ')}`;

/**
 * Why a `Runtime` value is not run, in one phrase, or undefined when it is. Retired runtimes are
 * named as retired (Lambda creates no new functions on them), other families as not run offline.
 */
export function runtimeRefusal(runtime: string): string | undefined {
  if (isLambdaRuntime(runtime)) return undefined;
  if (runtime === 'nodejs18.x') {
    return `nodejs18.x is deprecated by Lambda (no new functions since 2025-10-01, docs/aws-facts.md): the emulator runs ${RUNTIMES_RUN}`;
  }
  if (runtime === 'python3.8') {
    return `python3.8 is retired by Lambda (deprecated 2024-10-14, docs/aws-facts.md): the emulator runs python3.9…python3.13`;
  }
  if (/^(nodejs\d|python[23]\.\d|provided$|go1\.x)/.test(runtime)) return `${runtime} is retired by Lambda: the emulator runs ${RUNTIMES_RUN}`;
  if (/^(java|dotnet|ruby)/.test(runtime)) return `${runtime} is not run offline: the emulator runs ${RUNTIMES_RUN}`;
  return `${runtime} is not a runtime the emulator runs (it runs ${RUNTIMES_RUN})`;
}
