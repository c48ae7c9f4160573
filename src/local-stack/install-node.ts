import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { AWS_SDK_V2_VERSION, awsSdkV2Prefix, installedAwsSdkV2 } from '../../common/aws-sdk-v2.ts';
import { UserError } from '../../common/errors.ts';
import { factsOf, hostNodeRuntimeOf, type NodeFunctionRuntime } from '../../common/lambda-runtimes.ts';
import { nodeMajorOf } from '../../common/node-runtimes.ts';
import { cachedNodePath, findNode, PINNED_NODE_VERSIONS, registryNodePackage, versionOf, type NodeBinary } from './node-binaries.ts';

const run = promisify(execFile);

/**
 * `fanout-bench stack install-node`: puts the pinned Node binary of a major into the cache folder,
 * from the npm registry's `node-<os>-<arch>` package (it ships the official binary; `npm ci`
 * installs Node 22's already, see package.json's optionalDependencies), fetched with
 * `npm pack` (npm's cache and integrity check, no install scripts) and unpacked with tar. The
 * user's PATH and global installs are left alone. Only ever run when asked.
 */
export async function installNode(major: number, cacheDir: string, log: (line: string) => void): Promise<NodeBinary> {
  const version = PINNED_NODE_VERSIONS[major];
  if (!version) throw new UserError(`install-node: no pinned Node ${major} (pinned: ${Object.keys(PINNED_NODE_VERSIONS).join(', ')})`);
  const target = cachedNodePath(cacheDir, version);
  if (existsSync(target) && versionOf(target) === version) return { path: target, version, source: 'cache' };

  if (process.platform !== 'linux' && process.platform !== 'darwin') {
    throw new UserError(`install-node: the npm registry's Node packages are used on Linux and macOS only, not ${process.platform}`);
  }
  const pkg = `${registryNodePackage()}@${version}`;
  await mkdir(cacheDir, { recursive: true });
  const tmp = await mkdtemp(join(cacheDir, '.install-'));
  try {
    log(`fanout-bench: fetching ${pkg} from the npm registry`);
    await tool('npm', ['pack', pkg, '--pack-destination', tmp, '--loglevel', 'error'], tmp, `npm pack ${pkg}`, fetchFix(major));
    const tarball = (await readdir(tmp)).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new UserError(`install-node: npm pack ${pkg} left no tarball`);
    await tool('tar', ['-xzf', tarball, 'package/bin/node', 'package/LICENSE'], tmp, `tar -xzf ${tarball}`, `is tar installed, and ${cacheDir} not full?`);
    const got = versionOf(join(tmp, 'package', 'bin', 'node'));
    if (got !== version) throw new UserError(`install-node: ${pkg}'s binary says ${got ?? 'nothing'} (expected ${version})`);
    await rm(join(cacheDir, `v${version}`), { recursive: true, force: true });
    await rename(join(tmp, 'package'), join(cacheDir, `v${version}`));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { path: target, version, source: 'cache' };
}

/**
 * What `stack install-node <runtime>` puts in place for one Node.js runtime. Its own pinned Node;
 * for a runtime older than the emulator's oldest Node (nodejs16.x runs on Node 20 here) a Node 20
 * found anywhere serves (on PATH too), else the pinned one is fetched. The SDK v2 that nodejs16.x
 * and older ship comes first: the functions cannot run without it, while without Node 20 a stack
 * runs them on the Node it starts on (and says so). Either missing is one line naming what to do.
 */
export async function installRuntime(runtime: NodeFunctionRuntime, cacheDir: string, log: (line: string) => void): Promise<NodeBinary> {
  const host = hostNodeRuntimeOf(runtime);
  const major = nodeMajorOf(host);
  let sdk: string | undefined;
  if (factsOf(runtime).ships === 'aws-sdk-v2') {
    sdk = await installAwsSdkV2(process.env, log);
    log(`fanout-bench: ${runtime}'s AWS SDK for JavaScript v2 is in ${sdk}`);
  }
  if (host === runtime) return installNode(major, cacheDir, log);
  const found = findNode(major, { cacheDir });
  if (found) {
    log(`fanout-bench: ${runtime} runs on Node ${major} here: ${found.path} (${found.source})`);
    return found;
  }
  try {
    return await installNode(major, cacheDir, log);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const done = sdk ? `its AWS SDK v2 is in place, but ` : '';
    throw new UserError(`install-node: ${runtime} runs on Node ${major} here; ${done}none was found and none could be fetched (${err.message.replace(/^install-node: /, '')}); without it a stack runs ${runtime} on the Node it starts on`);
  }
}

/**
 * The AWS SDK for JavaScript v2 that nodejs16.x and older ship, into the cache
 * (common/aws-sdk-v2.ts says where and which version): `npm install --prefix` into a temp folder
 * beside it, with its dependencies and no install scripts, then moved into place. Returns the
 * package's directory.
 */
export async function installAwsSdkV2(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string> {
  const have = installedAwsSdkV2(env);
  if (have) return have;
  const prefix = awsSdkV2Prefix(env);
  await mkdir(dirname(prefix), { recursive: true });
  const tmp = await mkdtemp(join(dirname(prefix), '.install-'));
  const pkg = `aws-sdk@${AWS_SDK_V2_VERSION}`;
  try {
    log(`fanout-bench: fetching ${pkg} from the npm registry`);
    const args = ['install', '--prefix', tmp, pkg, '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel', 'error'];
    await tool('npm', args, tmp, `npm install ${pkg}`, 'check that npm reaches its registry (`npm config get registry`, a proxy)');
    await rm(prefix, { recursive: true, force: true });
    await rename(tmp, prefix);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const installed = installedAwsSdkV2(env);
  if (!installed) throw new UserError(`install-node: npm install ${pkg} left no aws-sdk in ${prefix}`);
  return installed;
}

/** What to do when the registry's package cannot be had: reach the registry, or bring that Node another way. */
function fetchFix(major: number): string {
  return `check that npm reaches its registry (\`npm config get registry\`, a proxy), or put a Node ${major} on PATH (found there without installing)`;
}

/** Runs a tool; a failure is one line: what failed, npm's own reason (its code and first error line), and the fix. */
async function tool(cmd: string, args: string[], cwd: string, what: string, fix: string): Promise<void> {
  try {
    await run(cmd, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string; message: string };
    throw new UserError(`install-node: ${what} failed (${e.code === 'ENOENT' ? `${cmd} not found` : reasonOf(e.stderr ?? '', e.message)}): ${fix}`);
  }
}

/**
 * The reason in a failed command's stderr, on one line: npm's `npm error code X` and its first
 * error line that says something (not syscall/errno, a stack frame or the log's path); else
 * the last line printed.
 */
export function reasonOf(stderr: string, fallback: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const code = /^npm error code (\S+)/.exec(lines.find((l) => l.startsWith('npm error code ')) ?? '')?.[1];
  const said = lines
    .filter((l) => l.startsWith('npm error '))
    .map((l) => l.slice('npm error '.length).replace(/^\w*Error: /, ''))
    .find((l) => !/^(code|syscall|errno)\s|^at\s|^A complete log of this run|^[{}]|^\w+: /.test(l));
  if (said) return code && !said.includes(code) ? `${code}: ${said}` : said;
  return lines.filter((l) => !/^npm (warn|notice)\b/i.test(l)).pop() ?? fallback.split('\n')[0]!;
}
