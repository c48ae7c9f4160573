import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { planLine, runOptionsFromFlags, type RunFlags } from '../../src/commands/run.ts';
import { UserError } from '../../common/errors.ts';
import { hostFacts } from '../../src/fleet/host-facts.ts';
import { checkRunInput } from '../../src/session/run-input.ts';
import { allGone, descendants } from '../process-tree.ts';

/**
 * Proven by fuzzing, not by a list: a thousand mutated scenario files and flag sets a run, a new
 * sample every run (fast-check's seed is random), so CI's runs add up to many thousands. Each one
 * either validates into a plan or is refused with one line naming the file (and field) or the
 * flag, as a UserError (exit 2) — never another exception (a stack trace), never a hang. Most
 * cases run in-process; a sample goes through the real CLI (`run --dry-run`), which must print
 * the same line, exit 2 (or 0 with the plan), and leave no process behind.
 */
const BIN = fileURLToPath(new URL('../../bin/fanout-bench.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fb-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** ~4 ms of CPU each (parsing, validation, the file written): 3,000 were ~12 CPU-s of every CI run. */
const IN_PROCESS_RUNS = 1_000;
/**
 * Through the CLI, once per way out of it: a plan (exit 0), a refusal naming the file, one naming
 * a flag, and the argument parser's two own mistakes. A CLI process is ~1 CPU-s; what a refusal
 * says is the in-process fuzzing's to prove (the CLI prints what the same functions throw).
 */
const CLI_KINDS = ['plan', 'file', 'flag'] as const;
const CLI_RUNS = 2 + CLI_KINDS.length;
/** Per case: a hang is a failure, not a stuck test. Generous: a case takes milliseconds in-process, a CLI run 1-2 CPU-s (30 s was once not enough beside a whole CI run). */
const CASE_LIMIT_MS = 5_000;
const CLI_CASE_LIMIT_MS = 60_000;
const HOST = hostFacts();

const PRICES_OK = join(dir, 'prices-ok.yaml');
const PRICES_BAD = join(dir, 'prices-bad.yaml');
writeFileSync(PRICES_OK, 'lambda: { requestsPerMillion: 0.25 }\n');
writeFileSync(PRICES_BAD, 'lambda: { requestsPerMilion: 0.25 }\n');

// ---- a valid scenario, then mutations ------------------------------------------------------

const durationArb = fc.oneof(fc.constantFrom('1s', '500ms', '2m', '30s'), fc.integer({ min: 0, max: 120 }));
const phaseArb = fc.oneof(
  fc.record({ send: fc.record({ duration: durationArb, rate: fc.double({ min: 0.1, max: 500, noNaN: true }) }, { requiredKeys: ['duration', 'rate'] }) }),
  fc.record({ idle: fc.record({ duration: durationArb }) }),
  fc.record({ drop: fc.record({ share: fc.double({ min: 0.01, max: 1, noNaN: true }) }) }),
);
const scenarioArb = fc
  .record({
    name: fc.constantFrom('fz', 'fuzz-1', 'a.b_c'),
    description: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    clients: fc.integer({ min: 1, max: 2_000 }),
    roomShare: fc.double({ min: 0, max: 1, noNaN: true }),
    zipf: fc.boolean(),
    seed: fc.option(fc.integer({ min: 0, max: 2 ** 31 }), { nil: undefined }),
    timeouts: fc.option(fc.record({ connect: fc.constantFrom('5s', '30s'), ack: fc.constantFrom('1s', '29s'), grace: fc.constantFrom('0', '2s') }), { nil: undefined }),
    memory: fc.option(fc.constantFrom({ 'fanout-send-message': 512 }, { 'fanout-connect': 128, 'fanout-whoami': 10_240 }), { nil: undefined }),
    rest: fc.array(phaseArb, { maxLength: 4 }),
  })
  .map((g) => {
    const s: Record<string, unknown> = {
      name: g.name,
      clients: g.clients,
      rooms: Math.max(1, Math.floor(g.clients * g.roomShare)),
      phases: [{ connect: { rate: 200 } }, { join: {} }, ...g.rest],
    };
    if (g.description !== undefined) s.description = g.description;
    if (g.zipf) s.roomSizes = { distribution: 'zipf', exponent: 1.1 };
    if (g.seed !== undefined) s.seed = g.seed;
    if (g.timeouts) s.timeouts = g.timeouts;
    if (g.memory) s.target = { memory: g.memory };
    return s;
  });

const NASTY: unknown[] = [
  -1, 0, -0, 0.5, 1e9, 1e308, 2 ** 53, 1e-9, 'x', '', '600h', '0s', '-1s', '1e3s', '5 s', '25h', '15m', '99ms',
  true, null, [], {}, [1, 2], { a: 1 }, 'A'.repeat(5_000), 'fanout-sendmessage', 'zipf', 'throttle', 1_000_001, 19_001,
];

type Json = unknown;
type Path = (string | number)[];

function paths(v: Json, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

/** A copy of `root` with `f` applied to the container at `path` (the root itself for []). */
function editAt(root: Json, path: Path, f: (container: Record<string | number, unknown>) => void): Json {
  const copy = structuredClone(root);
  let cur = copy as Record<string | number, unknown>;
  for (const k of path) cur = cur[k] as Record<string | number, unknown>;
  f(cur);
  return copy;
}

type Mutation = { kind: 'delete' | 'replace' | 'unknown-key' | 'typo' | 'wrap'; pick: number; value: number };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'replace', 'replace', 'unknown-key', 'typo', 'wrap'),
  pick: fc.nat(),
  value: fc.nat(),
});

function mutate(s: Json, m: Mutation): Json {
  const all = paths(s);
  const path = all[m.pick % all.length];
  const value = NASTY[m.value % NASTY.length];
  if (m.kind === 'delete' || m.kind === 'replace' || m.kind === 'wrap') {
    if (path.length === 0) return m.kind === 'replace' ? value : m.kind === 'wrap' ? [s] : {};
    const key = path[path.length - 1];
    return editAt(s, path.slice(0, -1), (c) => {
      if (m.kind === 'replace') c[key] = value;
      else if (m.kind === 'wrap') c[key] = [c[key]];
      else if (Array.isArray(c)) c.splice(Number(key), 1);
      else delete c[key];
    });
  }
  // unknown-key and typo act on an object with keys
  const objects = all.filter((p) => {
    const v = p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], s);
    return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0;
  });
  if (objects.length === 0) return s;
  return editAt(s, objects[m.value % objects.length], (o) => {
    if (m.kind === 'unknown-key') {
      o.colour = 'blue';
      return;
    }
    const keys = Object.keys(o);
    const k = keys[m.pick % keys.length];
    o[k.length > 1 ? k.slice(0, -1) : `${k}x`] = o[k];
    delete o[k];
  });
}

type TextMutation = { kind: 'none' | 'insert' | 'delete' | 'truncate' | 'duplicate-line' | 'tab' | 'alias-bomb' | 'deep'; at: number; char: string };
const textMutationArb: fc.Arbitrary<TextMutation> = fc.record({
  kind: fc.oneof(
    { arbitrary: fc.constantFrom<TextMutation['kind']>('none', 'none', 'none', 'none', 'none', 'none', 'insert', 'delete', 'truncate', 'duplicate-line', 'tab', 'alias-bomb'), weight: 99 },
    // one case in 100, about 10 of the 1,000 (1 in 13 was two thirds of this test's CPU): each
    // overruns the YAML parser's stack (~30 ms), and its refusal hangs on nothing else in the case
    { arbitrary: fc.constant<TextMutation['kind']>('deep'), weight: 1 },
  ),
  at: fc.nat(),
  char: fc.constantFrom(':', '{', '[', '"', "'", '&', '*', '!', '#', '\t', '\n', '-', '|', '>', '%', '@', '\u0000', '\uffff'),
});

const BOMB = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...['b', 'c', 'd', 'e', 'f', 'g'].map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefg'[i]}`).join(',')}]`)].join('\n');

function mutateText(text: string, m: TextMutation): string {
  const at = text.length === 0 ? 0 : m.at % text.length;
  switch (m.kind) {
    case 'none':
      return text;
    case 'insert':
      return text.slice(0, at) + m.char + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + 1);
    case 'truncate':
      return text.slice(0, at);
    case 'duplicate-line': {
      const lines = text.split('\n');
      const i = m.at % lines.length;
      lines.splice(i, 0, lines[i]);
      return lines.join('\n');
    }
    case 'tab':
      return text.replace(/\n {2}/, '\n\t');
    case 'alias-bomb':
      return `${BOMB}\n${text}`;
    case 'deep':
      return `${text}\nextra: ${'['.repeat(3_000)}\n`;
  }
}

// ---- flags ---------------------------------------------------------------------------------

const FLAG_VALUES = {
  target: fc.constantFrom('local', 'local', 'ws://127.0.0.1:1/x', 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod', 'http://x', 'ws://', 'not a url', 'ws://localhost:9/'),
  clients: fc.constantFrom('1', '20', '300', '5000', 'abc', '0', '-5', '1000001', '19001', '200000', '1e3', ' 7', ''),
  rooms: fc.constantFrom('1', '1', '2', '50', '0', 'x', '3000'),
  duration: fc.constantFrom('1s', '500ms', '10m', '1h', '0', '600h', '24h', '25h', 'x', '-1s', '1e3'),
  rate: fc.constantFrom('1', '20', '1000', '0.01', '0', '-1', '1e-9', '1e7', 'abc', '0.5', 'Infinity', 'NaN', ''),
  shards: fc.constantFrom('1', '2', '3', '8', '9', '1000', '0', 'x'),
  seed: fc.constantFrom('0', '42', '7', '4294967295', '-1', '1.5', 'x', '99999999999999999999'),
  memory: fc.constantFrom<string[]>(['fanout-connect=512'], ['nope=512'], ['fanout-connect=64'], ['x'], ['fanout-send-message=10240', 'fanout-whoami=128']),
  arch: fc.constantFrom('x86_64', 'arm64', 'arm64', 'sparc'),
  prices: fc.constantFrom(PRICES_OK, PRICES_OK, PRICES_BAD, join(dir, 'missing-prices.yaml')),
  ignoreHostLimits: fc.boolean(),
};
type FlagName = Exclude<keyof typeof FLAG_VALUES, 'target'>;
const FLAG_NAMES = Object.keys(FLAG_VALUES).filter((k) => k !== 'target') as FlagName[];

/** A target and up to three other flags (more would almost always hold a mistake). */
const flagsArb: fc.Arbitrary<RunFlags> = fc
  .tuple(fc.record(FLAG_VALUES), fc.subarray(FLAG_NAMES, { maxLength: 3 }))
  .map(([values, names]) => {
    const flags: RunFlags = { target: values.target, out: join(dir, 'reports'), progress: false };
    for (const n of names) Object.assign(flags, { [n]: values[n] });
    return flags;
  });

function argvOf(f: RunFlags): string[] {
  const argv: string[] = ['--target', f.target];
  for (const [flag, v] of [['--clients', f.clients], ['--rooms', f.rooms], ['--duration', f.duration], ['--rate', f.rate], ['--shards', f.shards], ['--seed', f.seed], ['--arch', f.arch], ['--prices', f.prices]] as const) {
    if (v !== undefined) argv.push(`${flag}=${v}`);
  }
  for (const m of f.memory ?? []) argv.push(`--memory=${m}`);
  if (f.ignoreHostLimits) argv.push('--ignore-host-limits');
  return argv;
}

// ---- one case ------------------------------------------------------------------------------

interface Case {
  scenario: Json;
  mutations: Mutation[];
  text: TextMutation;
  format: 'yaml' | 'json' | 'json-as-yaml';
  flags: RunFlags | undefined;
}
const caseArb: fc.Arbitrary<Case> = fc.record({
  scenario: scenarioArb,
  // a third of the files unmutated, so that plenty validate
  mutations: fc.oneof({ arbitrary: fc.constant<Mutation[]>([]), weight: 1 }, { arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }), weight: 2 }),
  text: textMutationArb,
  format: fc.constantFrom('yaml', 'yaml', 'json', 'json-as-yaml'),
  flags: fc.option(flagsArb, { nil: undefined, freq: 2 }),
});

let caseNo = 0;
function writeCase(c: Case): string {
  const body = c.mutations.reduce<Json>((s, m) => mutate(s, m), c.scenario);
  const ext = c.format === 'json' ? 'json' : 'yaml';
  const text = c.format === 'yaml' ? YAML.stringify(body) : JSON.stringify(body, null, 2);
  const file = join(dir, `case-${caseNo++ % 64}.${ext}`);
  // a new file, not one overwritten: ext4 flushes a file truncated by its overwrite when it is
  // closed, which once made 3,000 cases wait ~5 s on the disk
  rmSync(file, { force: true });
  writeFileSync(file, mutateText(text, c.text));
  return file;
}

type Outcome = { valid: true; plan: string } | { valid: false; message: string };

async function inProcess(file: string, flags: RunFlags | undefined): Promise<Outcome> {
  try {
    const options = await runOptionsFromFlags(file, flags ?? { target: 'local', out: join(dir, 'reports'), progress: false });
    return { valid: true, plan: planLine(checkRunInput(options, HOST), HOST) };
  } catch (err) {
    // anything but a UserError would reach the user as a stack trace
    if (!(err instanceof UserError)) throw new Error(`not a UserError for ${file}: ${(err as Error)?.stack ?? String(err)}`);
    expect(err.exitCode).toBe(2);
    return { valid: false, message: err.message };
  }
}

/** A refusal names the file (file: field, or file:line:column) or a flag that was given. */
function expectNamed(message: string, file: string, flags: RunFlags | undefined): void {
  expect(message.includes('\n'), message).toBe(false);
  const flagNames = flags ? argvOf(flags).filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]) : [];
  const named =
    message.startsWith(`${file}: `) ||
    new RegExp(`^${escape(file)}:\\d+:\\d+: `).test(message) ||
    flagNames.some((f) => message.startsWith(`${f}: `) || message.startsWith(`${f} `)) ||
    (flags?.prices !== undefined && message.startsWith(`${flags.prices}: `));
  expect(named, `names neither the file nor a flag: ${message}`).toBe(true);
}

describe('fuzzing the run input', () => {
  it(`${IN_PROCESS_RUNS} mutated scenarios and flag sets, in-process: a plan, or one line naming file/field or flag`, { timeout: 240_000 }, async () => {
    let valid = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const file = writeCase(c);
        const t0 = performance.now();
        const outcome = await inProcess(file, c.flags);
        expect(performance.now() - t0, `case took too long: ${file}`).toBeLessThan(CASE_LIMIT_MS);
        if (outcome.valid) {
          valid++;
          expect(outcome.plan).toMatch(/^fanout-bench \S+: valid: \d{1,3}(,\d{3})* clients in \d{1,3}(,\d{3})* rooms on \d+ shard\(s\)/);
        } else {
          refused++;
          if (process.env.FUZZ_PRINT) console.log(outcome.message.slice(0, 200));
          expectNamed(outcome.message, file, c.flags);
        }
      }),
      { numRuns: IN_PROCESS_RUNS },
    );
    console.log(`input fuzz: ${valid + refused} cases tried in-process: ${valid} valid plans, ${refused} refused with one line`);
    expect(valid + refused).toBe(IN_PROCESS_RUNS);
    // the generator reaches both sides
    expect(valid).toBeGreaterThan(IN_PROCESS_RUNS / 20);
    expect(refused).toBeGreaterThan(IN_PROCESS_RUNS / 4);
  });

  it(`${CLI_RUNS} of them through the real CLI: the same answer, exit 0 or 2, no stack trace, no process left`, { timeout: 300_000 }, async () => {
    const seed = Date.now() ^ (Math.random() * 2 ** 31);
    // and what only the argument parser sees: an unknown flag, a flag without its value
    const extra: string[][] = [['--colour', 'blue'], ['--clients']];
    // the parser's cases first (whatever their file and flags), then the first case of each kind
    const sample = fc.sample(caseArb, { numRuns: 400, seed });
    const cases: Case[] = sample.slice(0, extra.length);
    const wanted = new Set<string>(CLI_KINDS);
    for (const c of sample.slice(extra.length)) {
      if (wanted.size === 0) break;
      const outcome = await inProcess(writeCase(c), c.flags);
      const kind = outcome.valid ? 'plan' : outcome.message.startsWith(join(dir, 'case-')) ? 'file' : 'flag';
      if (wanted.delete(kind)) cases.push(c);
    }
    expect([...wanted], `sample seed ${seed}: no case of these kinds in ${sample.length}`).toEqual([]);
    let tried = 0;
    for (const [i, c] of cases.entries()) {
      const file = writeCase(c);
      const expected = await inProcess(file, c.flags);
      // the parser's own mistakes go last, where a flag missing its value is really missing one
      const argv = [...(c.flags ? argvOf(c.flags) : []), ...(i < extra.length ? extra[i] : [])];
      const r = await cli([file, '--dry-run', ...argv]);
      tried++;
      const context = `sample seed ${seed}, case ${i}: run ${file} --dry-run ${argv.join(' ')}\n${readFileSync(file, 'utf8').slice(0, 2000)}`;
      expect(r.stderr).not.toMatch(/\n\s+at /);
      if (i < extra.length) {
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^fanout-bench: (unknown option '--colour'|option '--clients <n>' argument missing) \(see --help\)\n$/);
      } else if (expected.valid) {
        expect(r.code, `${context}\n${r.stderr}`).toBe(0);
        // the same plan (the memory this host has available moves between the two readings)
        expect(r.stdout.split('; estimated memory')[0], context).toBe(expected.plan.split('; estimated memory')[0]);
      } else {
        expect(r.code, context).toBe(2);
        expect(r.stderr, context).toBe(`fanout-bench: ${expected.message}\n`);
        expect(r.stdout, context).toBe('');
      }
      await allGone(r.pids, 5_000);
    }
    console.log(`input fuzz: ${tried} cases tried through the CLI`);
    expect(tried).toBe(CLI_RUNS);
  });
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** every process seen below the CLI while it ran */
  pids: number[];
}

function cli(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const pids = new Set<number>();
    const watch = setInterval(() => {
      for (const p of descendants(child.pid!)) pids.add(p);
    }, 50);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hung: run ${args.join(' ')}`));
    }, CLI_CASE_LIMIT_MS);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      clearInterval(watch);
      clearTimeout(timer);
      resolve({ code, stdout, stderr, pids: [...pids] });
    });
  });
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
