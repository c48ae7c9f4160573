import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatStackPropsFromContext, stackNameFromContext } from '../../reference-stack/infra/context.ts';

/**
 * The docs cannot rot: every command in a shell block of README.md and docs/*.md is checked
 * against the real CLI. A user types `npx fanout-bench …` in their project (the package's bin is
 * no command of their shell), so a shell block's `fanout-bench …` or `node bin/fanout-bench.js …`
 * is a problem; each must name a real (sub)command with flags its `--help` lists; `npm run <script>` / `npm test` a
 * script of package.json, and `npm run cdk -- <command>` a CDK CLI command with its flags and
 * context keys the app reads. Cheap commands are run for real, as a user's project runs them:
 * the compiled CLI (`FANOUT_BENCH_COMPILED=1 node bin/fanout-bench.js`, what `npx fanout-bench`
 * starts in an install) from a directory holding only a package.json, each expected to exit 0:
 * `--help` (seconds), `run … --dry-run` (validates, starts nothing), `report <run-dir>` on a
 * recorded run, and `plan` on recorded runs (no stack; a second or two). Every other one (a whole
 * run, compare, search or trend: minutes each; anything against AWS) must be in COVERED below,
 * which names the files that run it for real, and those files must hold its subcommand and every
 * flag it uses. A
 * usage block (`fanout-bench <command> [--flag …]` in a text block) must list exactly the flags the
 * command has, and each of them must be given by some test (named in a file under test/). Relative links and their anchors must resolve, every repository path the docs
 * name in backticks must exist, and the README's first screen must fit one screen.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/fanout-bench.js');
/** The compiled CLI, as the package runs it (`npm run build` writes it). */
const COMPILED = { FANOUT_BENCH_COMPILED: '1' };
const DOC_FILES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/**
 * Commands too expensive (whole runs) or impossible (an AWS account) to run here, each with the
 * files that run it for real. Matched in order against the command as written, brackets dropped.
 */
const COVERED: { match: RegExp; files: string[]; why?: string; notRunHere?: true }[] = [
  { match: /^fanout-bench run$/, files: ['test/e2e/default-run.test.ts', 'test/e2e/packed-install.test.ts'] },
  { match: /^fanout-bench run fanout --clients 200 .*--repeat 3/, files: ['.github/workflows/nightly.yml', '.github/action/run.sh'], why: 'the nightly check: the workflow\'s inputs to the action' },
  { match: /^fanout-bench run \S+ (--baseline|--threshold)/, files: ['test/e2e/regression-check.test.ts', 'test/e2e/run-repeat.test.ts'] },
  { match: /^fanout-bench run \S+ --target aws:\S+ --metrics-wait /, files: ['test/e2e/aws-metrics-wait.test.ts'] },
  { match: /^fanout-bench report --repull /, files: ['test/e2e/aws-metrics-wait.test.ts'] },
  { match: /^fanout-bench stack up --aws-metrics/, files: ['test/e2e/aws-timed-stack.ts', 'test/emulator/cloudwatch-aws-timing.test.ts'] },
  { match: /^fanout-bench run \S+ --target aws:/, files: ['test/e2e/aws-target-cli.test.ts', 'test/e2e/auth-run.test.ts'] },
  { match: /^fanout-bench run \S+ --target wss?:/, files: ['test/e2e/auth-run.test.ts'] },
  { match: /^fanout-bench compare .*--(room-size|payload|targets)\b/, files: ['test/e2e/compare-sweeps-cli.test.ts', 'test/e2e/compare-room-size-cli.test.ts', 'test/e2e/compare-sweep-helpers.ts'] },
  { match: /^fanout-bench compare /, files: ['test/e2e/compare-cli.test.ts'] },
  { match: /^fanout-bench trend /, files: ['test/e2e/trend-cli.test.ts'] },
  { match: /^fanout-bench search /, files: ['test/e2e/search-cli.test.ts', 'test/e2e/search-limit-lambda-throttles.test.ts', 'test/e2e/search-limit-api-gateway-throttle.test.ts', 'test/e2e/search-limit-local-host.test.ts'] },
  { match: /^fanout-bench plan /, files: ['test/e2e/plan-cli.test.ts', 'test/e2e/plan-sweep-cli.test.ts'] },
  { match: /^fanout-bench stack up$/, files: ['test/emulator/stack-cli.test.ts'] },
  { match: /^fanout-bench run \S+ --template \S+ --stack-name /, files: ['test/e2e/multi-stack-assembly.test.ts'] },
  { match: /^fanout-bench (stack up|run \S+) --template /, files: ['test/e2e/template-stack.test.ts', 'test/e2e/packed-install.test.ts'] },
  { match: /^fanout-bench run \S+ --target aws-api:/, files: ['test/e2e/aws-api-target-cli.test.ts'] },
  { match: /^fanout-bench stack install-node /, files: ['.ci/run'], why: 'downloads Node from the npm registry: CI runs it before the suite' },
  { match: /^fanout-bench artillery export /, files: ['test/e2e/artillery-commands.test.ts', 'test/e2e/artillery-cli.test.ts'] },
  { match: /^fanout-bench report --artillery /, files: ['test/e2e/artillery-commands.test.ts', 'test/e2e/artillery-cli.test.ts'] },
  { match: /^npm run cdk -- synth$/, files: ['test/infra/chat-stack.test.ts'] },
  { match: /^npm run typecheck$/, files: ['.ci/run'], why: 'CI typechecks beside the suite' },
  {
    match: /^npm run cdk -- (deploy|destroy|bootstrap)\b/,
    files: ['test/infra/chat-stack.test.ts', 'test/infra/chat-stack-iam.test.ts', 'test/infra/connect-authorizer.test.ts'],
    why: 'needs an AWS account: test/infra synthesizes the stack from each context key',
    notRunHere: true,
  },
];

/** Stand-ins for the placeholders of commands run for real (filled in beforeAll). */
const placeholders = new Map<string, string>();

// ---------------------------------------------------------------------------------------------
// Reading the docs

interface Block {
  file: string;
  /** the fence's info string: sh, console, yaml, text, '' … */
  lang: string;
  /** [1-based line number, text] of every line inside the fence */
  lines: [number, string][];
}

function blocksOf(file: string): Block[] {
  const blocks: Block[] = [];
  let open: Block | undefined;
  let indent = 0;
  readFileSync(join(ROOT, file), 'utf8').split('\n').forEach((text, i) => {
    const fence = /^(\s*)```(.*)$/.exec(text);
    if (fence && !open) {
      indent = fence[1]!.length;
      open = { file, lang: fence[2]!.trim(), lines: [] };
    } else if (fence && open) {
      blocks.push(open);
      open = undefined;
    } else if (open) {
      open.lines.push([i + 1, text.slice(Math.min(indent, text.length - text.trimStart().length))]);
    }
  });
  return blocks;
}

const SHELL = new Set(['sh', 'bash', 'shell', 'console']);

interface DocCommand {
  where: string;
  /** as written (the whole line) */
  line: string;
  /** fanout-bench (with its args), npm run/test, or npx tsx */
  kind: 'cli' | 'npm' | 'tsx';
  /** how a cli command is written: `npx fanout-bench`, bare `fanout-bench`, `node bin/fanout-bench.js` */
  how?: 'npx' | 'bare' | 'node-bin';
  args: string[];
  env: string[];
}

/** Shell words of one simple command: quotes removed, `#` comments dropped. */
function shellWords(text: string): string[][] {
  const commands: string[][] = [[]];
  let word: string | undefined;
  let quote: string | undefined;
  const end = () => {
    if (word !== undefined) commands[commands.length - 1]!.push(word);
    word = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else word = (word ?? '') + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '#' && word === undefined) {
      break;
    } else if (/\s/.test(c)) {
      end();
    } else if ('&|;()'.includes(c)) {
      end();
      if (commands[commands.length - 1]!.length > 0) commands.push([]);
      if (text[i + 1] === c) i++;
    } else {
      word = (word ?? '') + c;
    }
  }
  end();
  return commands.filter((c) => c.length > 0);
}

function commandsOf(block: Block): DocCommand[] {
  const out: DocCommand[] = [];
  let pending = '';
  let pendingLine = 0;
  for (const [n, raw] of block.lines) {
    let text = raw;
    if (block.lang === 'console') {
      if (!text.startsWith('$ ')) continue;
      text = text.slice(2);
    }
    if (pending === '') pendingLine = n;
    if (text.endsWith('\\')) {
      pending += `${text.slice(0, -1)} `;
      continue;
    }
    text = pending + text;
    pending = '';
    for (const words of shellWords(text)) {
      const env: string[] = [];
      while (words.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(words[0]!)) env.push(words.shift()!.split('=')[0]!);
      const where = `${block.file}:${pendingLine}`;
      const at = (prefix: string[]) => prefix.every((p, i) => words[i] === p);
      if (at(['npx', 'fanout-bench'])) out.push({ where, line: text.trim(), kind: 'cli', how: 'npx', args: words.slice(2), env });
      else if (at(['fanout-bench'])) out.push({ where, line: text.trim(), kind: 'cli', how: 'bare', args: words.slice(1), env });
      else if (at(['node', 'bin/fanout-bench.js'])) out.push({ where, line: text.trim(), kind: 'cli', how: 'node-bin', args: words.slice(2), env });
      else if (at(['npm', 'run']) || at(['npm', 'test'])) out.push({ where, line: text.trim(), kind: 'npm', args: words.slice(1), env });
      else if (at(['npx', 'tsx'])) out.push({ where, line: text.trim(), kind: 'tsx', args: words.slice(2), env });
    }
  }
  return out;
}

/** `fanout-bench <command> [--flag …]` lines (and their indented continuation) in a text block. */
interface Usage {
  where: string;
  words: string[];
}

function usagesOf(block: Block): Usage[] {
  const out: Usage[] = [];
  let open: Usage | undefined;
  for (const [n, text] of block.lines) {
    if (/^fanout-bench [a-z][\w-]*(\s|$)/.test(text)) out.push((open = { where: `${block.file}:${n}`, words: text.split(/\s+/) }));
    else if (open && /^\s+\S/.test(text)) open.words.push(...text.trim().split(/\s+/));
    else open = undefined;
  }
  return out;
}

const blocks = DOC_FILES.flatMap(blocksOf);
const commands = blocks.filter((b) => SHELL.has(b.lang)).flatMap(commandsOf);
const usages = blocks.filter((b) => b.lang === 'text' || b.lang === '').flatMap(usagesOf);

/** `[--region eu-west-1]` → `--region`, `eu-west-1`; placeholders kept. */
const unbracket = (words: string[]) => words.map((w) => w.replace(/^\[+/, '').replace(/\]+$/, '')).filter((w) => w !== '' && w !== '…');

// ---------------------------------------------------------------------------------------------
// The real CLI, read from its --help

interface CliNode {
  path: string[];
  options: Set<string>;
  subcommands: Map<string, CliNode>;
}

function exec(file: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(file, args, { cwd, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const limit = pLimit(3);
const cliRuns = new Map<string, Promise<{ code: number; stdout: string; stderr: string }>>();
function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const key = JSON.stringify([args, env]);
  if (!cliRuns.has(key)) cliRuns.set(key, limit(() => exec(process.execPath, [BIN, ...args], { ...COMPILED, ...env }, userProject)));
  return cliRuns.get(key)!;
}

/** Commander's help: `  -h, --help`, `  --out <dir>` under Options:, `  up [options]` under Commands:. */
async function readCli(path: string[]): Promise<CliNode> {
  const { code, stdout, stderr } = await cli([...path, '--help']);
  if (code !== 0) throw new Error(`fanout-bench ${path.join(' ')} --help: exit ${code}: ${stderr}`);
  const options = new Set<string>();
  const names: string[] = [];
  let section = '';
  for (const line of stdout.split('\n')) {
    if (/^\S.*:$/.test(line)) section = line;
    const option = /^ {2}(?:-\w, )?(--[\w-]+)/.exec(line);
    if (section === 'Options:' && option) options.add(option[1]!);
    const command = /^ {2}([a-z][\w-]*)\b/.exec(line);
    if (section === 'Commands:' && command && command[1] !== 'help') names.push(command[1]!);
  }
  const subcommands = new Map(await Promise.all(names.map(async (n) => [n, await readCli([...path, n])] as const)));
  return { path, options, subcommands };
}

/**
 * The CDK CLI's flags for one of its commands, or undefined if it has no such command (nor alias):
 * read from the registry the CLI builds its parser from and refuses unknown options by
 * (cli-type-registry.json, which its package's exports do not list, so read by path), instead of
 * a `cdk <command> --help` per command (a CDK CLI process each, about 2 CPU-s, whose help also
 * cuts long flag names short). A flag is --name, each alias, --no-name of a boolean (yargs reads
 * any boolean negated) and its negative alias, and yargs' own --help and --version.
 */
const CDK_REGISTRY = join(ROOT, 'node_modules/aws-cdk/lib/cli/cli-type-registry.json');
interface CdkOption {
  type?: string;
  alias?: string | string[];
  negativeAlias?: string;
}
interface CdkRegistry {
  globalOptions: Record<string, CdkOption>;
  commands: Record<string, { aliases?: string[]; options?: Record<string, CdkOption> }>;
}
function cdkFlags(command: string): Set<string> | undefined {
  const registry = JSON.parse(readFileSync(CDK_REGISTRY, 'utf8')) as CdkRegistry;
  const entry = Object.entries(registry.commands).find(([name, c]) => name === command || (c.aliases ?? []).includes(command))?.[1];
  if (!entry) return undefined;
  const flag = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);
  const flags = new Set(['--help', '-h', '--version']);
  for (const [name, o] of Object.entries({ ...registry.globalOptions, ...entry.options })) {
    flags.add(`--${name}`);
    for (const alias of [o.alias ?? []].flat()) flags.add(flag(alias));
    if (o.type === 'boolean') flags.add(`--no-${name}`);
    if (o.negativeAlias) flags.add(flag(o.negativeAlias));
  }
  return flags;
}

/** The context keys the CDK app reads, asked of the app's own reader. */
function contextKeys(): Set<string> {
  const keys = new Set<string>();
  const lookup = (key: string) => {
    keys.add(key);
    return undefined;
  };
  chatStackPropsFromContext(lookup);
  stackNameFromContext(lookup);
  return keys;
}

let root: CliNode;
let dir: string;
/** A user's project: a package.json and nothing else; the commands run for real run here. */
let userProject: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/src/cli.js'))) throw new Error('dist/src/cli.js is missing: the docs\' commands run the compiled CLI; run `npm run build` first');
  dir = mkdtempSync(join(tmpdir(), 'fb-docs-'));
  userProject = join(dir, 'project');
  mkdirSync(userProject);
  writeFileSync(join(userProject, 'package.json'), '{ "name": "a-users-project", "private": true }\n');
  // the repository's recorded runs the docs name (the plan's worked example), from the checkout
  placeholders.set('test/fixtures', join(ROOT, 'test/fixtures'));
  // a recorded run to re-render, and the price file the docs show
  const runDir = join(dir, 'run');
  mkdirSync(runDir);
  copyFileSync(join(ROOT, 'test/verdict/fixtures/base-1.json'), join(runDir, 'results.json'));
  placeholders.set('reports/<run-id>', runDir);
  const prices = blocks.find((b) => b.lang === 'yaml' && b.lines[0]?.[1] === '# prices.yaml');
  if (prices) {
    writeFileSync(join(dir, 'prices.yaml'), prices.lines.map(([, t]) => t).join('\n'));
    placeholders.set('prices.yaml', join(dir, 'prices.yaml'));
  }
  root = await readCli([]);
  // start every command that is run for real now, a few at a time, rather than one per test
  for (const c of commands.filter((c) => c.kind === 'cli')) {
    const resolved = resolveCli(unbracket(c.args));
    const args = runnable(unbracket(c.args));
    if (!('problem' in resolved) && cheap(resolved.node, resolved.rest) && args) void cli(args, tokenEnv(c));
  }
  // readCli spawns the CLI for every command's --help: minutes when CI's other lanes hold both cores
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Checks

/** The subcommand path and the rest, or a problem. */
function resolveCli(words: string[]): { node: CliNode; rest: string[] } | { problem: string } {
  let node = root;
  let i = 0;
  while (node.subcommands.size > 0) {
    const next = node.subcommands.get(words[i] ?? '');
    if (!next) {
      if (words[i]?.startsWith('-') && (words[i] === '--help' || words[i] === '-h')) break;
      return { problem: `fanout-bench ${[...node.path, words[i] ?? ''].join(' ').trim()}: no such command (known: ${[...node.subcommands.keys()].join(', ')})` };
    }
    node = next;
    i++;
  }
  return { node, rest: words.slice(i) };
}

function flagsOf(words: string[]): string[] {
  return words.filter((w) => /^--?[a-zA-Z]/.test(w)).map((w) => /^--?[\w-]+/.exec(w)![0]);
}

function unknownFlags(node: CliNode, words: string[]): string[] {
  return flagsOf(words).filter((f) => f !== '--help' && f !== '-h' && !node.options.has(f));
}

/** What a covering file must hold: each command word (quoted, in a .ts file) and each flag or name. */
interface Needs {
  words: string[];
  names: string[];
}

function missingFrom(files: string[], needs: Needs): string[] {
  const texts = files.map((f) => ({ ts: f.endsWith('.ts'), text: readFileSync(join(ROOT, f), 'utf8') }));
  const quote = (n: string) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const holds = (n: string, quoted: boolean) =>
    texts.some(({ ts, text }) => new RegExp(quoted && ts ? `['"\`]${quote(n)}['"\`]` : `(?<![\\w-])${quote(n)}(?![\\w-])`).test(text));
  return [...needs.words.filter((w) => !holds(w, true)), ...needs.names.filter((n) => !holds(n, false))];
}

/** Run for real: the words with every placeholder replaced, or undefined when one is left. */
function runnable(words: string[]): string[] | undefined {
  const out = words.map((w) => {
    for (const [p, v] of placeholders) if (w === p || w.startsWith(`${p}/`)) return v + w.slice(p.length);
    return w;
  });
  return out.some((w) => /[<>…]/.test(w)) ? undefined : out;
}

/** A command's `VAR=…` prefixes, given a value (the docs write `FANOUT_BENCH_TOKEN=…`). */
function tokenEnv(c: DocCommand): NodeJS.ProcessEnv {
  return Object.fromEntries(c.env.map((e) => [e, 'docs-test-token']));
}

function cheap(node: CliNode, rest: string[]): boolean {
  const path = node.path.join(' ');
  return (
    rest.includes('--help') ||
    (path === 'run' && rest.includes('--dry-run')) ||
    (path === 'report' && !rest.includes('--artillery') && !rest.includes('--repull')) ||
    // a plan reads recorded runs: no stack, a second or two
    path === 'plan'
  );
}

async function checkCli(c: DocCommand): Promise<string[]> {
  const words = unbracket(c.args);
  const resolved = resolveCli(words);
  if ('problem' in resolved) return [resolved.problem];
  const { node, rest } = resolved;
  const shown = `fanout-bench ${words.join(' ')}`;
  if (c.how !== 'npx') return [`${c.how === 'bare' ? 'fanout-bench' : 'node bin/fanout-bench.js'} ${words.join(' ')}: not a command in a user's project: write \`npx fanout-bench ${words.join(' ')}\``];
  const unknown = unknownFlags(node, rest);
  if (unknown.length > 0) return [`${shown}: ${unknown.join(', ')} not among the flags of fanout-bench ${node.path.join(' ')} (${[...node.options].join(' ')})`];

  if (cheap(node, rest)) {
    const args = runnable(words);
    if (!args) return [`${shown}: run for real, but a placeholder has no stand-in (add one to placeholders)`];
    const r = await cli(args, tokenEnv(c));
    if (r.code !== 0) return [`${shown}: exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`];
    if (rest.includes('--help') && !r.stdout.startsWith(`Usage: fanout-bench ${node.path.join(' ')}`)) return [`${shown}: --help printed no usage`];
    if (rest.includes('--dry-run') && !/: valid: /.test(r.stdout)) return [`${shown}: --dry-run printed no plan: ${r.stdout}`];
    if (node.path[0] === 'report' && !/index\.html/.test(r.stdout)) return [`${shown}: report wrote no index.html: ${r.stdout}`];
    if (node.path[0] === 'plan' && !rest.includes('--help') && !/plan\.json/.test(r.stdout)) return [`${shown}: plan wrote no plan.json: ${r.stdout}`];
    return [];
  }
  return covered(shown, { words: node.path, names: [...flagsOf(rest), ...c.env, ...targetKind(rest)] });
}

/** `--target aws:X` must be covered by a file that targets a stack by name (`aws:`), a URL by a URL. */
function targetKind(rest: string[]): string[] {
  const t = rest[rest.indexOf('--target') + 1];
  if (!rest.includes('--target') || t === undefined) return [];
  return t.startsWith('aws:') ? ['aws'] : t.startsWith('ws') ? ['websocketUrl'] : [];
}

function covered(shown: string, needs: Needs): string[] {
  const entry = COVERED.find((e) => e.match.test(shown));
  if (!entry) return [`${shown}: not covered: run it here (--help, --dry-run, report) or add it to COVERED in test/docs/commands.test.ts with the test that runs it`];
  const gone = entry.files.filter((f) => !existsSync(join(ROOT, f)));
  if (gone.length > 0) return [`${shown}: COVERED names ${gone.join(', ')}, which does not exist`];
  const missing = missingFrom(entry.files, entry.notRunHere ? { words: [], names: needs.names } : needs);
  const how = entry.why ? ` (${entry.why})` : '';
  return missing.length > 0 ? [`${shown}: ${entry.files.join(' + ')}${how} ${entry.files.length === 1 ? 'holds' : 'hold'} no ${missing.join(', ')}`] : [];
}

async function checkNpm(c: DocCommand): Promise<string[]> {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const words = unbracket(c.args);
  const script = words[0] === 'test' ? 'test' : words[1];
  const shown = `npm ${words.join(' ')}`;
  if (script === undefined || !(script in scripts)) return [`${shown}: package.json has no script "${script}"`];
  if (script === 'test') return /\bvitest\b/.test(scripts.test!) ? [] : [`${shown}: the test script runs no vitest`];
  if (script !== 'cdk') return covered(shown, { words: [], names: [] });

  // npm run cdk -- <command> [flags] [-c key=value …]
  const args = words.slice(words.indexOf('--') + 1);
  const command = args[0] ?? '';
  const flags = cdkFlags(command);
  if (!flags) return [`${shown}: the CDK CLI has no command "${command}"`];
  const unknown = flagsOf(args.slice(1)).filter((f) => !flags.has(f));
  if (unknown.length > 0) return [`${shown}: ${unknown.join(', ')} not among the flags of cdk ${command}`];
  const context: Record<string, string> = {};
  args.forEach((a, i) => {
    if ((a === '-c' || a === '--context') && args[i + 1]) {
      const [k, v] = args[i + 1]!.split('=');
      context[k!] = v ?? '';
    }
  });
  const keys = contextKeys();
  const unknownKeys = Object.keys(context).filter((k) => !keys.has(k));
  if (unknownKeys.length > 0) return [`${shown}: context ${unknownKeys.join(', ')} is not read by the CDK app (reads ${[...keys].join(', ')})`];
  try {
    stackNameFromContext((k) => context[k]);
    chatStackPropsFromContext((k) => context[k]);
  } catch (err) {
    return [`${shown}: ${(err as Error).message}`];
  }
  return covered(shown, { words: ['cdk', command], names: Object.keys(context) });
}

function checkTsx(c: DocCommand): string[] {
  const file = c.args[0] ?? '';
  return existsSync(join(ROOT, file)) ? [] : [`npx tsx ${c.args.join(' ')}: ${file} does not exist`];
}

/** Each problem one line, as it is: no diff around it. */
function noProblems(problems: string[]): void {
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

// ---------------------------------------------------------------------------------------------

describe('every command in README.md and docs/*.md', () => {
  it('finds the commands the docs show', () => {
    expect(commands.length).toBeGreaterThan(20);
    expect(commands.some((c) => c.where.startsWith('README.md:') && c.kind === 'cli' && c.args[0] === 'run')).toBe(true);
  });

  for (const c of commands) {
    it(`${c.where}: ${c.line}`, async () => {
      const problems = c.kind === 'cli' ? await checkCli(c) : c.kind === 'npm' ? await checkNpm(c) : checkTsx(c);
      noProblems(problems.map((p) => `${c.where}: ${p}`));
    });
  }

  for (const u of usages) {
    it(`${u.where}: the usage of ${u.words.filter((w) => /^[a-z][\w-]*$/.test(w)).join(' ')} lists exactly its flags, each run by a test`, () => {
      const words = unbracket(u.words.slice(1)).map((w) => w.replace(/[|,].*$/, ''));
      const resolved = resolveCli(words.filter((w) => !w.includes('=')));
      if ('problem' in resolved) throw new Error(`${u.where}: ${resolved.problem}`);
      const listed = new Set(flagsOf(resolved.rest));
      const unknown = [...listed].filter((f) => !resolved.node.options.has(f));
      const unlisted = [...resolved.node.options].filter((f) => f !== '--help' && !listed.has(f));
      // a flag the docs show is given by some test (a whole word in a test file's source, this file aside)
      const untested = [...listed].filter((f) => f !== '--help' && !new RegExp(`${f}(?![\\w-])`).test(testSources()));
      noProblems([
        ...unknown.map((f) => `${u.where}: ${f} is not a flag of fanout-bench ${resolved.node.path.join(' ')}`),
        ...unlisted.map((f) => `${u.where}: fanout-bench ${resolved.node.path.join(' ')} has ${f}, which its usage does not list`),
        ...untested.map((f) => `${u.where}: fanout-bench ${resolved.node.path.join(' ')} ${f} is given by no test (no file under test/ names it)`),
      ]);
    });
  }
});

// ---------------------------------------------------------------------------------------------

/** Every test's source, fixtures and this file aside, read once: where a documented flag must be given. */
let tests: string | undefined;
function testSources(): string {
  const read = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => {
      const p = join(d, e.name);
      if (e.isDirectory()) return p.endsWith('/fixtures') || p.endsWith('/docs') ? [] : read(p);
      return e.name.endsWith('.ts') ? [readFileSync(p, 'utf8')] : [];
    });
  return (tests ??= read(join(ROOT, 'test')).join('\n'));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const m of text.matchAll(/^#{1,6}\s+(.*)$/gm)) {
    const base = m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

describe('links in README.md and docs/*.md', () => {
  for (const file of DOC_FILES) {
    it(`${file}: every relative link and anchor resolves`, () => {
      const problems: string[] = [];
      const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
      let fenced = false;
      lines.forEach((line, i) => {
        if (/^\s*```/.test(line)) fenced = !fenced;
        if (fenced) return;
        for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
          const target = m[1]!;
          if (/^[a-z]+:/.test(target)) continue;
          const [path, anchor] = target.split('#') as [string, string | undefined];
          const resolved = path === '' ? join(ROOT, file) : resolve(dirname(join(ROOT, file)), path);
          if (!existsSync(resolved)) problems.push(`${file}:${i + 1}: ${target}: no such file`);
          else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) problems.push(`${file}:${i + 1}: ${target}: no heading #${anchor} in ${relative(ROOT, resolved)}`);
        }
      });
      noProblems(problems);
    });
  }
});

/** Repository paths the docs name that a user creates (so none is in the repository). */
const CREATED_BY_USERS = new Set(['bench/baselines/nightly-aws.json']);

describe('repository paths named in README.md and docs/*.md', () => {
  for (const file of DOC_FILES) {
    it(`${file}: every \`src/…\`, \`test/…\`, … path it names exists`, () => {
      const problems: string[] = [];
      let fenced = false;
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/^\s*```/.test(line)) fenced = !fenced;
          if (fenced) return;
          for (const m of line.matchAll(/`((?:src|reference-stack|test|bench|\.ci|\.github|artillery|docs|bin)\/[^`\s]*)`/g)) {
            const path = m[1]!.split(':')[0]!;
            if (/[<>…*{]/.test(path) || CREATED_BY_USERS.has(path)) continue;
            if (!existsSync(join(ROOT, path))) problems.push(`${file}:${i + 1}: ${path}: no such file or folder`);
          }
        });
      noProblems(problems);
    });
  }
});

describe("the README's first screen", () => {
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
  const picture = lines.findIndex((l) => /^!\[.+\]\(docs\/[\w.-]+\.png\)$/.test(l));

  it('opens with the two commands and shows a picture of the report within 40 lines', () => {
    expect(lines.slice(2, 6).join('\n')).toMatch(/^```sh\nnpm ci && npx fanout-bench run {4}# .*\nnpm test {26}# .*\n```$/);
    expect(picture).toBeGreaterThan(0);
    expect(picture).toBeLessThan(40);
  });

  it('points at a PNG under 200 KB', () => {
    const file = join(ROOT, /\((docs\/[\w.-]+\.png)\)/.exec(lines[picture]!)![1]!);
    expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(file).size).toBeLessThan(200 * 1024);
  });
});
