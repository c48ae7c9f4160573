import { NODE_RUNTIMES, type NodeRuntime } from './node-runtimes.ts';

/**
 * Every Lambda runtime the emulator runs, in one table: its language, what it ships for the
 * function's AWS calls, and its dates from AWS's "Lambda runtimes" page (docs/aws-facts.md says
 * where each was read). The template reader's refusal, the pool, `stack install-node` and the
 * stack's lines all read it; nothing else restates it.
 *
 * What runs it here follows from the language: Node.js in a worker thread of the stack, on the
 * Node of its own major, or on the oldest the emulator's worker code runs on (Node 20) for
 * older majors; Python on the host's Python with the emulator's bootstrap; a custom runtime on
 * the function's own `bootstrap`; go1.x on its handler binary, which speaks the Runtime API as
 * a custom runtime's bootstrap does. Lambda still invokes functions on every runtime here,
 * deprecated or not ("function invocations continue indefinitely"); only creating, then
 * updating, functions on a deprecated one is blocked.
 */
export type RuntimeLanguage = 'node' | 'python' | 'provided' | 'go';
/** What the runtime gives the function's code without the function shipping it. */
export type RuntimeShips = 'aws-sdk-v2' | 'aws-sdk-v3' | 'boto3' | 'nothing';

export interface RuntimeFacts {
  language: RuntimeLanguage;
  ships: RuntimeShips;
  /** deprecation date (YYYY-MM-DD): past, or projected */
  deprecated: string;
  /** creating functions blocked from, where a source for it was found (docs/aws-facts.md) */
  blockCreate?: string;
  /** updating functions blocked from, as the page gives it */
  blockUpdate?: string;
}

export const RUNTIME_TABLE = {
  'nodejs10.x': { language: 'node', ships: 'aws-sdk-v2', deprecated: '2021-07-30', blockCreate: '2021-07-30', blockUpdate: '2022-02-14' },
  'nodejs12.x': { language: 'node', ships: 'aws-sdk-v2', deprecated: '2023-03-31', blockCreate: '2023-03-31', blockUpdate: '2023-04-30' },
  'nodejs14.x': { language: 'node', ships: 'aws-sdk-v2', deprecated: '2023-12-04', blockUpdate: '2027-03-03' },
  'nodejs16.x': { language: 'node', ships: 'aws-sdk-v2', deprecated: '2024-06-12', blockCreate: '2027-02-01', blockUpdate: '2027-03-03' },
  'nodejs18.x': { language: 'node', ships: 'aws-sdk-v3', deprecated: '2025-09-01', blockCreate: '2027-02-01', blockUpdate: '2027-03-03' },
  'nodejs20.x': { language: 'node', ships: 'aws-sdk-v3', deprecated: '2026-04-30', blockCreate: '2027-02-01', blockUpdate: '2027-03-03' },
  'nodejs22.x': { language: 'node', ships: 'aws-sdk-v3', deprecated: '2027-04-30', blockCreate: '2027-06-01', blockUpdate: '2027-07-01' },
  'nodejs24.x': { language: 'node', ships: 'aws-sdk-v3', deprecated: '2028-04-30', blockCreate: '2028-06-01', blockUpdate: '2028-07-01' },
  'python3.6': { language: 'python', ships: 'boto3', deprecated: '2022-07-18', blockCreate: '2022-07-18', blockUpdate: '2022-08-29' },
  'python3.7': { language: 'python', ships: 'boto3', deprecated: '2023-12-04', blockUpdate: '2027-03-03' },
  'python3.8': { language: 'python', ships: 'boto3', deprecated: '2024-10-14', blockCreate: '2027-02-01', blockUpdate: '2027-03-03' },
  'python3.9': { language: 'python', ships: 'boto3', deprecated: '2025-12-15', blockCreate: '2027-02-01', blockUpdate: '2027-03-03' },
  'python3.10': { language: 'python', ships: 'boto3', deprecated: '2026-10-31', blockCreate: '2027-02-01', blockUpdate: '2027-03-03' },
  'python3.11': { language: 'python', ships: 'boto3', deprecated: '2027-06-30', blockUpdate: '2027-08-31' },
  'python3.12': { language: 'python', ships: 'boto3', deprecated: '2028-10-31', blockUpdate: '2029-01-10' },
  'python3.13': { language: 'python', ships: 'boto3', deprecated: '2029-06-30', blockUpdate: '2029-08-31' },
  'python3.14': { language: 'python', ships: 'boto3', deprecated: '2029-06-30', blockUpdate: '2029-08-31' },
  provided: { language: 'provided', ships: 'nothing', deprecated: '2024-01-08', blockUpdate: '2027-03-03' },
  'provided.al2': { language: 'provided', ships: 'nothing', deprecated: '2026-07-31', blockUpdate: '2027-03-03' },
  'provided.al2023': { language: 'provided', ships: 'nothing', deprecated: '2029-06-30', blockUpdate: '2029-08-31' },
  'go1.x': { language: 'go', ships: 'nothing', deprecated: '2024-01-08', blockUpdate: '2027-03-03' },
} as const satisfies Record<string, RuntimeFacts>;

/**
 * Runtimes Lambda retired before its policy kept invocations going (its deprecated-runtimes
 * table of 2019-2020 says "deprecation completed"), and Python 2, which no host Python 3 runs.
 */
const RETIRED: Readonly<Record<string, string>> = {
  nodejs: 'deprecation completed 2016-10-31',
  'nodejs4.3': 'deprecation completed 2020-03-06',
  'nodejs4.3-edge': 'deprecation completed 2019-04-30',
  'nodejs6.10': 'deprecation completed 2019-08-12',
  'nodejs8.10': 'deprecation completed 2020-03-06',
};

export type LambdaRuntimeId = keyof typeof RUNTIME_TABLE;
type OfLanguage<L extends RuntimeLanguage> = { [K in LambdaRuntimeId]: (typeof RUNTIME_TABLE)[K]['language'] extends L ? K : never }[LambdaRuntimeId];
export type NodeFunctionRuntime = OfLanguage<'node'>;
export type PythonRuntime = OfLanguage<'python'>;
export type ProvidedRuntime = OfLanguage<'provided'>;

export const LAMBDA_RUNTIMES = Object.keys(RUNTIME_TABLE) as [LambdaRuntimeId, ...LambdaRuntimeId[]];
const ofLanguage = (l: RuntimeLanguage) => LAMBDA_RUNTIMES.filter((r) => RUNTIME_TABLE[r].language === l);
export const PYTHON_RUNTIMES = ofLanguage('python') as PythonRuntime[];

export function isLambdaRuntime(value: string): value is LambdaRuntimeId {
  return Object.hasOwn(RUNTIME_TABLE, value);
}

export function factsOf(runtime: LambdaRuntimeId): RuntimeFacts {
  return RUNTIME_TABLE[runtime];
}

export function isPythonRuntime(value: string): value is PythonRuntime {
  return isLambdaRuntime(value) && RUNTIME_TABLE[value].language === 'python';
}

/** A custom runtime: the function's own `bootstrap` speaks the Runtime API. */
export function isProvidedRuntime(value: string): value is ProvidedRuntime {
  return isLambdaRuntime(value) && RUNTIME_TABLE[value].language === 'provided';
}

/**
 * Whether Lambda takes SnapStart on this runtime the emulator runs: Python 3.12 and later (AWS's
 * "Improving startup performance with Lambda SnapStart" adds Java 11 and .NET 8 and later, which
 * the emulator does not run; any other runtime is refused at CreateFunction).
 */
export function snapStartSupported(runtime: string): boolean {
  const python = /^python3\.(\d+)$/.exec(runtime);
  return python !== null && Number(python[1]) >= 12;
}

/** go1.x: the handler binary speaks the Runtime API (aws-lambda-go does when AWS_LAMBDA_RUNTIME_API is set). */
export function isGoRuntime(value: string): value is 'go1.x' {
  return isLambdaRuntime(value) && RUNTIME_TABLE[value].language === 'go';
}

/** Runs in a worker thread of the stack (Node.js), or as a process speaking the Runtime API. */
export function runsInWorker(runtime: LambdaRuntimeId): runtime is NodeFunctionRuntime {
  return RUNTIME_TABLE[runtime].language === 'node';
}

/** The Node.js runtime whose Node runs a Node function here: its own, or the oldest the worker code runs on. */
export function hostNodeRuntimeOf(runtime: NodeFunctionRuntime): NodeRuntime {
  return (NODE_RUNTIMES as readonly string[]).includes(runtime) ? (runtime as NodeRuntime) : NODE_RUNTIMES[0];
}

/** 'python3.12' → [3, 12] */
export function pythonVersionOf(runtime: PythonRuntime): [number, number] {
  const [major, minor] = runtime.slice('python'.length).split('.').map(Number);
  return [major!, minor!];
}

const first = (l: RuntimeLanguage) => ofLanguage(l)[0]!;
const last = (l: RuntimeLanguage) => ofLanguage(l).at(-1)!;

/** The runtimes run, in one phrase for messages. */
export const RUNTIMES_RUN = `${first('node')}…${last('node')}, ${first('python')}…${last('python')}, ${ofLanguage('provided').join(', ')}, ${ofLanguage('go').join(', ')}`;

/** The date a runtime was deprecated, when it has been by `today`. */
export function deprecationOf(runtime: LambdaRuntimeId, today: Date = new Date()): string | undefined {
  const date = RUNTIME_TABLE[runtime].deprecated;
  return date <= today.toISOString().slice(0, 10) ? date : undefined;
}

/** What a runtime gives the function's code here, in words. */
export const SHIPS_PHRASE: Readonly<Record<RuntimeShips, string>> = {
  'aws-sdk-v2': 'the AWS SDK for JavaScript v2 it shipped',
  'aws-sdk-v3': 'the AWS SDK for JavaScript v3 it ships',
  boto3: 'boto3, as its runtime bundles it',
  nothing: 'nothing of the AWS SDK, as on Lambda',
};

/** What runs a runtime here, in words (`runsOn`: the stack's Node or the host's Python, when known). */
export function runsHerePhrase(runtime: LambdaRuntimeId, runsOn?: string): string {
  const facts = RUNTIME_TABLE[runtime];
  switch (facts.language) {
    case 'node': {
      const host = hostNodeRuntimeOf(runtime as NodeFunctionRuntime);
      const oldest = host !== runtime ? ", the oldest Node the emulator's worker code runs on" : '';
      return `Node ${runsOn ?? host.slice('nodejs'.length)} in a worker thread${oldest}, with ${SHIPS_PHRASE[facts.ships]}`;
    }
    case 'python':
      return `the host's Python${runsOn ? ` ${runsOn}` : ''} with ${SHIPS_PHRASE.boto3}`;
    case 'provided':
      return "the function's own bootstrap, through the Runtime API";
    case 'go':
      return 'its handler binary, through the Runtime API, as a custom runtime runs its bootstrap';
  }
}

/**
 * The one line a stack says of a deprecated runtime it runs, or undefined when the runtime is
 * not deprecated by `today`.
 */
export function deprecationLine(runtime: LambdaRuntimeId, runsOn?: string, today: Date = new Date()): string | undefined {
  const phrase = deprecationPhrase(runtime, today);
  return phrase === undefined ? undefined : `${runtime}: ${phrase}; here it runs on ${runsHerePhrase(runtime, runsOn)}`;
}

/**
 * What Lambda says of a deprecated runtime, in one phrase (its dates, what it still does and
 * what it refuses), or undefined when the runtime is not deprecated by `today`.
 */
export function deprecationPhrase(runtime: LambdaRuntimeId, today: Date = new Date()): string | undefined {
  const date = deprecationOf(runtime, today);
  if (date === undefined) return undefined;
  const { blockCreate, blockUpdate } = RUNTIME_TABLE[runtime] as RuntimeFacts;
  const day = today.toISOString().slice(0, 10);
  const when = (d: string) => (d <= day ? `since ${d}` : `from ${d}`);
  const updates = blockUpdate ? ` and updates ${when(blockUpdate)}` : '';
  const refuses =
    blockCreate === undefined
      ? `refuses new ones from a date not recorded here${updates}, so a fresh deploy of this template may fail`
      : blockCreate <= day
        ? `refuses new ones ${when(blockCreate)}${updates}, so a fresh deploy of this template fails`
        : `refuses new ones ${when(blockCreate)}${updates}, when a fresh deploy of this template fails`;
  return `deprecated by Lambda on ${date} (docs/aws-facts.md); Lambda still invokes existing functions but ${refuses}`;
}

/**
 * Why a `Runtime` value is not run, in one phrase, or undefined when it is. Retired runtimes are
 * named as retired, other families as not run offline.
 */
export function runtimeRefusal(runtime: string): string | undefined {
  if (isLambdaRuntime(runtime)) return undefined;
  const retired = RETIRED[runtime];
  if (retired !== undefined) return `${runtime} is retired by Lambda (${retired}; Lambda no longer invokes it): the emulator runs ${RUNTIMES_RUN}`;
  if (runtime === 'python2.7') return `python2.7 is Python 2, which the host's Python 3 does not run: the emulator runs ${RUNTIMES_RUN}`;
  if (/^(java|dotnet|ruby)/.test(runtime)) return `${runtime} is not run offline: the emulator runs ${RUNTIMES_RUN}`;
  return `${runtime} is not a runtime the emulator runs (it runs ${RUNTIMES_RUN})`;
}
