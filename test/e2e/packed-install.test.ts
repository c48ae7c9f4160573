import { execFile, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Results } from '../../src/contracts/results-schema.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';

/**
 * fanout-bench as a user gets it: `npm pack` of this repository (prepack compiles dist/ and the
 * Artillery engine's bundle), the tarball installed with `npm install --save-dev --ignore-scripts`
 * (npm 11 runs no dependency's install script) into a fresh project outside the checkout, and every
 * command run from that project's root through `npx`, with the installed package made read-only:
 * `--help`, the default run, a run of a SAM template copied into the project, `artillery export`,
 * and a cache that cannot be written. Nothing may be written inside the package; the cache lands in
 * the project's node_modules/.cache/fanout-bench, the reports in its reports/. `npx` itself runs
 * once (`--help`, the first command): it runs the project's node_modules/.bin/fanout-bench, and
 * every later command runs that same bin on this Node without npm in front (0.5 CPU-s each).
 *
 * The pack runs in a copy of the checkout's sources (its node_modules linked), not in the checkout:
 * CI runs every other test from the checkout's dist/, which prepack would delete and rebuild
 * under them. `--prefer-offline`: the versions of the lockfile are in npm's cache after `npm ci`.
 */
const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'fb-packed-'));
const project = join(work, 'project');
const installed = join(project, 'node_modules', 'fanout-bench');

/** The environment of a user's shell: no setting of this suite's (compiled checkout, cache places). */
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FANOUT_BENCH_') && !k.startsWith('VITEST')));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npx fanout-bench …` from the project's root, to its exit. */
function npx(args: string[], extra: NodeJS.ProcessEnv = {}, timeoutMs = 180_000): Promise<Ran> {
  return ran('npx', ['--no-install', 'fanout-bench', ...args], extra, timeoutMs);
}

/**
 * The bin npx runs (node_modules/.bin/fanout-bench, npm's link to the package's bin), from the
 * project's root on this Node: what `npx fanout-bench …` runs once the `--help` test has seen npx
 * remove the bundled Node's link from .bin (npm sets nothing the CLI reads).
 */
function fanoutBench(args: string[], extra: NodeJS.ProcessEnv = {}, timeoutMs = 180_000): Promise<Ran> {
  return ran(process.execPath, [join(project, 'node_modules', '.bin', 'fanout-bench'), ...args], extra, timeoutMs);
}

function ran(command: string, args: string[], extra: NodeJS.ProcessEnv, timeoutMs: number): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: project, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${command} ${args.join(' ')} did not finish; stderr: ${stderr.slice(-500)}`));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Every file and folder under `dir` with its size and mtime: what "nothing written" is checked against. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const s = lstatSync(join(dir, entry));
    files.set(entry, `${s.isDirectory() ? 'dir' : s.size} ${s.mtimeMs}`);
  }
  return files;
}

function runDirOf(out: string): string {
  const [id] = readdirSync(out);
  expect(id).toBeDefined();
  return join(out, id!);
}

let before: Map<string, string>;
/** the clients of the user's own scenario (chat.yaml), every one a member of its one room */
const OWN_CLIENTS = 3;

beforeAll(async () => {
  // the sources prepack builds from, beside a link to the checkout's node_modules
  const staging = join(work, 'staging');
  const skip = new Set(['node_modules', 'dist', '.cache', 'reports', '.git', 'test', 'bench', 'docs', 'cdk.out', 'test-artifacts', '.scratch']);
  cpSync(ROOT, staging, {
    recursive: true,
    filter: (src) => {
      const rel = relative(ROOT, src);
      return !skip.has(rel.split('/')[0]!) && !/^artillery\/(node_modules|engine\/dist)(\/|$)/.test(rel);
    },
  });
  symlinkSync(join(ROOT, 'node_modules'), join(staging, 'node_modules'));
  const packed = join(work, 'packed');
  mkdirSync(packed);
  await run('npm', ['pack', '--pack-destination', packed, '--silent'], { cwd: staging, env, maxBuffer: 64 * 1024 * 1024 });
  const [tarball] = readdirSync(packed);

  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-chat-app', private: true }, null, 2));
  await run('npm', ['install', '--save-dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', join(packed, tarball!)], {
    cwd: project,
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  // the user's own stack and scenario, in their project
  cpSync(join(ROOT, 'test/fixtures/stacks/sendmessage-broadcast'), join(project, 'app'), { recursive: true });
  // a long loss timeout: deliveries are counted, not timed (a busy CI host made the 256 MB functions' deliveries seconds late);
  // few clients and sends: the run proves the user's template and scenario file work from the project, not a load
  writeFileSync(
    join(project, 'chat.yaml'),
    ['name: chat', `clients: ${OWN_CLIENTS}`, 'rooms: 1', 'seed: 7', 'protocol: sendmessage', 'timeouts: { loss: 30s, grace: 4s }', 'phases:', '  - connect: { rate: 50 }', '  - send: { duration: 1s, rate: 2 }', ''].join('\n'),
  );
  // read-only, as a package manager's store may leave it (root writes through it: the snapshot tells)
  await run('chmod', ['-R', 'a-w', installed]);
  before = snapshot(installed);
}, 420_000);

afterAll(async () => {
  if (existsSync(installed)) await run('chmod', ['-R', 'u+w', installed]);
  rmSync(work, { recursive: true, force: true });
});

describe('the packed package, installed in a project of its own', () => {
  it('is compiled JavaScript: no TypeScript of the programs, the engine bundle and the licence shipped', () => {
    expect(existsSync(join(installed, 'dist', 'src', 'cli.js'))).toBe(true);
    expect(existsSync(join(installed, 'src', 'cli.ts'))).toBe(false);
    expect(existsSync(join(installed, 'artillery', 'engine', 'dist', 'index.js'))).toBe(true);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the fanout-bench authors\n/);
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).devDependencies['fanout-bench']).toMatch(/^file:/);
  });

  it('--help, and npm\'s `node` link to the bundled Node removed at first use', { timeout: 60_000 }, async () => {
    // npm linked the optional dependency's `node` bin into the project's .bin, no script ran
    expect(lstatSync(join(project, 'node_modules', '.bin', 'node')).isSymbolicLink()).toBe(true);
    const r = await npx(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: fanout-bench \[options\] \[command\]/);
    expect(r.stderr).toBe('');
    // left there, every npm script of the project would run on that Node instead of the user's
    expect(existsSync(join(project, 'node_modules', '.bin', 'node'))).toBe(false);
  });

  // README's first command, `npx fanout-bench run` (the default scenario), from the installed package,
  // made small: 5 clients in one room (a fifth of them dropped in its stale phase), 1 s send phases at
  // 2 messages/s. What the default run's own figures are (every scenario measured, the cold starts,
  // the 410 cleanup) is default-run.test.ts's, at the scenario's own size; here, that the package runs it.
  it('the default run: exit 0, the report in the project\'s reports/, the bundles in its node_modules/.cache', { timeout: 240_000 }, async () => {
    const r = await fanoutBench(['run', '--clients', '5', '--rooms', '1', '--duration', '1s', '--rate', '2', '--prepared', '0', '--no-progress']);
    const dir = runDirOf(join(project, 'reports'));
    const results = Results.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
    expectPassedButForHost(r.code, results, r.stderr);
    expect(results.scenario.name).toBe('default');
    expect(results.deliveries.expected).toBeGreaterThan(0);
    expect(results.deliveries.received).toBe(results.deliveries.expected);
    expect(results.tool).toEqual({ name: 'fanout-bench', version: JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version });
    for (const file of ['index.html', 'summary.md', 'junit.xml']) expect(existsSync(join(dir, file)), file).toBe(true);
    expect(r.stdout).toContain(`report:  ${relative(project, join(dir, 'index.html'))}`);
    const cache = join(project, 'node_modules', '.cache', 'fanout-bench', 'bundles');
    expect(readdirSync(cache).some((f) => f.endsWith('.json'))).toBe(true);
  });

  it('report and plan from the default run\'s directory: pages written in the project, not in the package', { timeout: 60_000 }, async () => {
    const dir = runDirOf(join(project, 'reports'));
    const rel = relative(project, dir);
    const report = await fanoutBench(['report', rel]);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    const plan = await fanoutBench(['plan', rel, '--connections', '5000', '--room-size', '50', '--messages-per-s', '20', '--out', 'plan']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(readFileSync(join(project, 'plan', 'summary.md'), 'utf8')).toMatch(/^## fanout-bench plan: \$/);
    expect(existsSync(join(project, 'plan', 'index.html'))).toBe(true);
  });

  it('a run of the user\'s own SAM template, copied into the project, with its scenario file', { timeout: 240_000 }, async () => {
    const out = join(project, 'reports-own');
    const r = await fanoutBench(['run', 'chat.yaml', '--template', 'app/template.yaml', '--prepared', '0', '--no-progress', '--out', 'reports-own']);
    const results = Results.parse(JSON.parse(readFileSync(join(runDirOf(out), 'results.json'), 'utf8')));
    expectPassedButForHost(r.code, results, r.stderr);
    expect(results.scenario.name).toBe('chat');
    // membership all: every client receives every message, the sender too
    expect(results.sends.sent).toBeGreaterThan(0);
    expect(results.deliveries).toMatchObject({ expected: results.sends.sent * OWN_CLIENTS, received: results.sends.sent * OWN_CLIENTS, lost: 0 });
    expect(existsSync(join(runDirOf(out), 'index.html'))).toBe(true);
  });

  it('artillery export: the script names the shipped engine, and says how to install it beside Artillery', { timeout: 60_000 }, async () => {
    const r = await fanoutBench(['artillery', 'export', 'fanout', '--target', 'ws://127.0.0.1:9/local', '--out', 'fanout.yml']);
    expect(r.code, r.stderr).toBe(0);
    const script = parse(readFileSync(join(project, 'fanout.yml'), 'utf8')) as { config: { includeFiles: string[]; engines: Record<string, unknown> } };
    expect(script.config.includeFiles).toEqual(['node_modules/fanout-bench/artillery/engine']);
    expect(script.config.engines).toHaveProperty('fanout');
    expect(r.stderr).toContain('`npm install --save-dev artillery@2.0.34 ./node_modules/fanout-bench/artillery/engine`');
  });

  it('a cache that cannot be written: one line naming FANOUT_BENCH_CACHE, exit 2, before a stack starts', { timeout: 60_000 }, async () => {
    const file = join(work, 'not-a-folder');
    writeFileSync(file, '');
    const r = await fanoutBench(['stack', 'up'], { FANOUT_BENCH_CACHE: file });
    expect(r).toEqual({ code: 2, stdout: '', stderr: `fanout-bench: cache directory ${join(file, 'bundles')} cannot be written (ENOTDIR): set FANOUT_BENCH_CACHE to a writable directory\n` });
  });

  it('wrote nothing inside the installed package', () => {
    const after = snapshot(installed);
    expect([...after.keys()].filter((f) => !before.has(f))).toEqual([]);
    expect([...before].filter(([f, s]) => after.get(f) !== s).map(([f]) => f)).toEqual([]);
    expect(statSync(installed).mode & 0o222).toBe(0);
  });
});
