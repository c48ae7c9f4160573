import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../../../common/errors.ts';
import { isGoRuntime, isProvidedRuntime, isPythonRuntime, type LambdaRuntimeId, type PythonRuntime } from '../../../common/lambda-runtimes.ts';
import { packagePath } from '../../../common/package-paths.ts';

/**
 * What on this host runs a function whose runtime is not Node.js, checked before the stack
 * listens (a missing piece is one line naming the function and the fix, exit 2):
 *
 * - `pythonX.Y`: the host's `pythonX.Y` when it has one, else its `python3`, with one line saying
 *   which (`python3.12 runs on the host's Python 3.11.2`), running the emulator's bootstrap
 *   (python-bootstrap.py) isolated from the host's site-packages (`-I -S`: the bootstrap puts the
 *   code, its layers and the standard library on sys.path, and of the host's packages only boto3
 *   and its dependencies). boto3 must be importable, as Lambda's runtime bundles it: the
 *   function's own (vendored beside its code, a `sam build` output) or the host's.
 * - `provided`, `provided.al2`, `provided.al2023`: the function's executable `bootstrap` in its code
 *   directory; `go1.x`: the executable its Handler names there (aws-lambda-go speaks the Runtime
 *   API when AWS_LAMBDA_RUNTIME_API is set). One code path: each is a Runtime API executable.
 *
 * On Linux the process is started through `setpriv --pdeathsig KILL` (util-linux): the kernel
 * kills it if the stack dies without stopping it, even by SIGKILL. Each leads a process group of
 * its own (process-freeze.ts): the Python bootstrap makes itself one; a custom runtime's
 * bootstrap is exec'd by a one-line perl (`setpgrp`; Debian's perl-base is essential) where the
 * host has perl, and runs in the stack's group otherwise.
 */
export interface HostRuntime {
  command: string;
  args: string[];
}

export interface HostRuntimeFunction {
  /** how a message names it: `resource ConnectFunction` (a template's), `function fanout-connect` */
  label: string;
  runtime: LambdaRuntimeId;
  /** the code directory (Lambda's task root) */
  dir: string;
  /** the Handler setting (go1.x names its executable by it) */
  handler?: string;
}

export const PYTHON_BOOTSTRAP = packagePath('emulator', 'lambda', 'runtimes', 'python-bootstrap.py');

const execFileAsync = promisify(execFile);

/** A Python found on the host, and whether it imports boto3 by itself. */
interface Python {
  path: string;
  version: string;
  boto3: boolean;
}

const pythons = new Map<PythonRuntime, Promise<{ python?: Python; tried: string[] }>>();
let pdeathsig: string[] | undefined;

/**
 * Each function's command, in the order given; `log` gets the line saying which Python runs each
 * Python runtime (once per runtime per call), `runsOn` one phrase per runtime (the stack's ready
 * line carries them). Throws a UserError naming the first function the host cannot run.
 */
export async function resolveHostRuntimes(
  functions: readonly HostRuntimeFunction[],
  log?: (line: string) => void,
  runsOn: string[] = [],
): Promise<HostRuntime[]> {
  const said = new Set<string>();
  const out: HostRuntime[] = [];
  for (const fn of functions) {
    const runtime = fn.runtime;
    const first = !said.has(runtime);
    said.add(runtime);
    if (isPythonRuntime(runtime)) {
      const python = await pythonFor({ ...fn, runtime });
      if (first) {
        log?.(runsOnLine(runtime, python));
        runsOn.push(`${runtime} on the host's Python ${python.version} (${python.path})`);
      }
      // -I -S: isolated from the host's site-packages and PYTHON* variables (the bootstrap sets sys.path as Lambda's)
      out.push(wrapped(python.path, ['-I', '-S', '-B', '-u', PYTHON_BOOTSTRAP]));
    } else if (isProvidedRuntime(runtime) || isGoRuntime(runtime)) {
      if (first) runsOn.push(isGoRuntime(runtime) ? `${runtime} on each function's handler binary` : `${runtime} on each function's own bootstrap`);
      out.push(wrapped(...groupLeader(runtimeApiExecutable(fn))));
    } else {
      throw new Error(`unreachable: ${fn.runtime} runs in a worker thread, not a process`);
    }
  }
  return out;
}

/** The executable a process runtime starts: `bootstrap` for a custom runtime, the Handler's file for go1.x. */
export function executableName(runtime: LambdaRuntimeId, handler: string | undefined): string {
  return isGoRuntime(runtime) ? (handler ?? '') : 'bootstrap';
}

/** Why the executable a custom runtime or go1.x starts cannot run, or undefined when it can. */
export function executableProblem(runtime: LambdaRuntimeId, dir: string, handler?: string): string | undefined {
  const name = executableName(runtime, handler);
  const why = isGoRuntime(runtime) ? 'go1.x runs the executable its Handler names' : "a provided runtime runs the code's `bootstrap`";
  const path = join(dir, name);
  let st;
  try {
    st = statSync(path);
  } catch {
    return `no executable ${name} in ${dir} (${why})`;
  }
  if (!st.isFile()) return `${path} is not a file (${why})`;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return `${path} is not executable (chmod +x it, as the deployment zip must keep it)`;
  }
  return undefined;
}

function runtimeApiExecutable(fn: HostRuntimeFunction): string {
  const problem = executableProblem(fn.runtime, fn.dir, fn.handler);
  if (problem) throw new UserError(`${fn.label} (${fn.runtime}): ${problem}`);
  return join(fn.dir, executableName(fn.runtime, fn.handler));
}

async function pythonFor(fn: HostRuntimeFunction & { runtime: PythonRuntime }): Promise<Python> {
  let found = pythons.get(fn.runtime);
  if (!found) {
    found = findPython(fn.runtime);
    pythons.set(fn.runtime, found);
  }
  const { python, tried } = await found;
  if (!python) {
    throw new UserError(`${fn.label} (${fn.runtime}): no Python on this host (tried ${tried.join(', ')} on PATH): install Python 3 and boto3 (apt-get install python3 python3-boto3)`);
  }
  // The function's own boto3 (vendored, a `sam build` output) comes first on its sys.path.
  if (!python.boto3 && !existsSync(join(fn.dir, 'boto3', '__init__.py'))) {
    throw new UserError(
      `${fn.label} (${fn.runtime}): boto3 is not importable by the host's Python ${python.version} (${python.path}), and Lambda's Python runtime has it: apt-get install python3-boto3 (Debian, Ubuntu), or pip install boto3`,
    );
  }
  return python;
}

/** `pythonX.Y`, else `python3`: the first that runs, with its version and whether it has boto3. */
async function findPython(runtime: PythonRuntime): Promise<{ python?: Python; tried: string[] }> {
  const tried = [runtime, 'python3'];
  for (const name of tried) {
    const path = onPath(name);
    if (!path) continue;
    try {
      // sys.executable: the interpreter itself, not a launcher in front of it (a pyenv shim costs 300 ms a start)
      const probe = 'import sys, importlib.util as u\nprint(sys.version.split()[0], int(all(u.find_spec(m) is not None for m in ("boto3", "botocore"))), sys.executable)';
      const { stdout } = await execFileAsync(path, ['-c', probe], { timeout: 20_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
      const [version, boto3, executable] = stdout.trim().split(' ');
      if (version && /^3\.\d+/.test(version)) return { python: { path: executable || path, version, boto3: boto3 === '1' }, tried };
    } catch {
      // a name that does not run (a pyenv shim for a version not selected): the next one
    }
  }
  return { tried };
}

function runsOnLine(runtime: PythonRuntime, python: Python): string {
  const wanted = runtime.slice('python'.length);
  const matches = python.version === wanted || python.version.startsWith(`${wanted}.`);
  return matches
    ? `stack: ${runtime} runs on the host's Python ${python.version} (${python.path})`
    : `fanout-bench: warning: ${runtime} runs on the host's Python ${python.version} (${python.path}): the host has no ${runtime}`;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The command, started so that it dies with the stack (Linux, util-linux's setpriv), else as it is. */
function wrapped(command: string, args: string[]): HostRuntime {
  pdeathsig ??= deathSignalPrefix();
  if (pdeathsig.length === 0) return { command, args };
  return { command: pdeathsig[0]!, args: [...pdeathsig.slice(1), command, ...args] };
}

let perl: string | null | undefined;

/** `command` exec'd as the leader of a new process group (in the same session), where the host has perl. */
function groupLeader(command: string): [string, string[]] {
  perl ??= onPath('perl') ?? null;
  if (perl === null) return [command, []];
  // exit 127 when the exec fails, as a shell does: the environment reports it as Lambda reports an entrypoint it cannot run
  const script = 'setpgrp(0, 0); exec { $ARGV[0] } @ARGV; print STDERR "cannot run $ARGV[0]: $!\\n"; exit 127';
  return [perl, ['-e', script, command]];
}

/** `setpriv --pdeathsig KILL --` where the host has a setpriv that knows it (util-linux 2.33+), else nothing. */
function deathSignalPrefix(): string[] {
  const setpriv = process.platform === 'linux' ? onPath('setpriv') : undefined;
  if (!setpriv) return [];
  try {
    execFileSync(setpriv, ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore', timeout: 5_000 });
    return [setpriv, '--pdeathsig', 'KILL', '--'];
  } catch {
    return [];
  }
}
