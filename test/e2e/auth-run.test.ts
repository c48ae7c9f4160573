import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli, type CliResult } from './cli.ts';

// Whole runs against a stack with the $connect authorizer, as a user runs them (the CLI in a child
// process): the right token completes; a wrong or missing one stops early with one line, exit 1,
// results written; and the token is in none of the run's files, stdout or stderr.

const dir = mkdtempSync(join(tmpdir(), 'fb-auth-'));
const RIGHT = `right-${randomBytes(16).toString('hex')}`;
const WRONG = `wrong-${randomBytes(16).toString('hex')}`;
let urlStack: RunningStack;

beforeAll(async () => {
  writeFileSync(join(dir, 'right-token'), `${RIGHT}\n`);
  // no environments prepared (2 for each of its 11 functions by default, INIT'd in this process):
  // the URL cases are refused at the gateway (401) and call no function
  urlStack = await startStack({ config: defaultStackConfig({ auth: { enabled: true }, lambda: { preparedPerFunction: 0 } }), authToken: RIGHT, log: () => {} });
}, 60_000);

afterAll(async () => {
  await urlStack?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], out: string, env: NodeJS.ProcessEnv): Promise<CliResult & { runDir: string }> {
  const r = await runCli(['run', ...args, '--out', out, '--no-progress'], { env, timeoutMs: 150_000 });
  const [runId] = readdirSync(out);
  return { ...r, runDir: join(out, runId!) };
}

/** Without FANOUT_BENCH_TOKEN from the developer's own shell. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e = { ...process.env, ...extra };
  if (!('FANOUT_BENCH_TOKEN' in extra)) delete e.FANOUT_BENCH_TOKEN;
  return e;
}

/**
 * A local run with the authorizer: few clients, 0.1 s apart (each handshake's authorizer, $connect
 * and join mostly find the environments the one before left warm, where 30 at once each needed one), and
 * a send phase of 1 s by default: deliveries counted, their number not the subject.
 */
function scenario(name: string, auth: string, o: { clients: number; sendFor?: string }): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\nclients: ${o.clients}\nrooms: 2\ntarget:\n  auth: ${auth}\nphases:\n  - connect: { rate: 10 }\n  - join: {}\n  - send: { duration: ${o.sendFor ?? '1s'}, rate: 10 }\n`,
  );
  return file;
}

/** Every file the run wrote, and its output, must be free of both tokens. */
function expectNoToken(r: CliResult & { runDir: string }): void {
  const files = readdirSync(r.runDir).map((f) => join(r.runDir, f)).filter((f) => statSync(f).isFile());
  expect(files.map((f) => f.slice(r.runDir.length + 1)).sort()).toEqual(expect.arrayContaining(['results.json', 'index.html', 'summary.md', 'junit.xml', 'intervals.ndjson']));
  for (const text of [...files.map((f) => readFileSync(f, 'utf8')), r.stdout, r.stderr]) {
    expect(text).not.toContain(RIGHT);
    expect(text).not.toContain(WRONG);
  }
}

describe('runs against a stack with the $connect authorizer', () => {
  it('with the right token (--token-file, in the x-api-key header) completes, and counts the authorizer', { timeout: 180_000 }, async () => {
    const r = await run([scenario('auth-ok', 'true', { clients: 6 }), '--token-file', join(dir, 'right-token'), '--prepared', '0'], join(dir, 'ok'), env());
    expect(r.stderr).not.toMatch(/refused/);
    const results = Results.parse(JSON.parse(readFileSync(join(r.runDir, 'results.json'), 'utf8')));
    expect(results.status).toBe('completed');
    // 99 only when this shared host made the harness itself fall behind (a check about the host)
    const failedChecks = results.verdict!.checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failedChecks.filter((n) => n !== 'harness not saturated')).toEqual([]);
    expect(r.code).toBe(failedChecks.length === 0 ? 0 : 99);
    expect(results.errors).toEqual({});
    expect(results.connections).toMatchObject({ opened: 6 });
    expect(results.deliveries.received).toBeGreaterThan(0);
    // --prepared 0 (no INITs ahead for functions the run never calls) reaches the stack beside --auth
    expect(results.config.stackArgs).toEqual(['--prepared', '0', '--auth']);
    const authorizer = results.config.target.functions!.functions.find((f) => f.name === 'fanout-authorizer');
    expect(authorizer).toMatchObject({ route: '$connect', authorizer: true, memoryMB: 256 });
    // AWS/Lambda for the authorizer: one invocation per handshake (no caching on WebSocket APIs)
    expect(results.cloudwatch?.lambda?.['fanout-authorizer']?.invocations).toBe(6);
    expectNoToken(r);
  });

  it('with a wrong token stops early with one line, exit 1, results written, the token nowhere', { timeout: 180_000 }, async () => {
    // 4 clients: a fleet smaller than 20 is judged once every client was refused (each refusal an
    // authorizer invocation); the 20 of a larger one: the URL cases below
    const file = scenario('auth-wrong', `{ tokenFile: ./right-token, identitySource: query }`, { clients: 4, sendFor: '60s' });
    const started = Date.now();
    const r = await run([file, '--prepared', '0'], join(dir, 'wrong'), env({ FANOUT_BENCH_TOKEN: WRONG }));
    expect(r.code).toBe(1);
    // the 60 s send phase never ran
    expect(Date.now() - started).toBeLessThan(60_000);
    const [first] = r.stdout.split('\n');
    expect(first).toMatch(/^fanout-bench auth-wrong: failed in [\d,.]+ s against local \S+ \(all 4 connects tried were refused with 403: the authorizer denied the token \(set FANOUT_BENCH_TOKEN or --token-file to the token the stack expects: the local stack expects the token in the scenario's target\.auth\.tokenFile, else the run's own, which it puts in its parameter \/fanout-bench\/FanoutBenchChat\/connect-token when it starts\)\)$/);
    const results = Results.parse(JSON.parse(readFileSync(join(r.runDir, 'results.json'), 'utf8')));
    expect(results.status).toBe('failed');
    expect(results.statusReason).toMatch(/^all 4 connects tried were refused with 403/);
    expect(results.connections?.opened).toBe(0);
    expect(results.sends.intended).toBe(0);
    expect(results.errors['handshake:403']).toBeGreaterThan(0);
    expectNoToken(r);
    expect(readFileSync(join(r.runDir, 'stack.log'), 'utf8')).not.toContain(RIGHT);
  });

  it('against a URL with no token: 401 on every connect, the same early stop', { timeout: 180_000 }, async () => {
    const file = join(dir, 'url.yaml');
    writeFileSync(file, 'name: auth-url\nclients: 30\nrooms: 3\nphases:\n  - connect: { rate: 200 }\n  - join: {}\n  - send: { duration: 60s, rate: 10 }\n');
    const r = await run([file, '--target', urlStack.ready.websocketUrl], join(dir, 'url'), env());
    expect(r.code).toBe(1);
    // Judged once 20 were refused: how many more the ramp tried by then depends on the host.
    const said = /\(all (\d+) connects tried were refused with 401: no token reached the authorizer/.exec(r.stdout.split('\n')[0]!);
    expect(said).not.toBeNull();
    const tried = Number(said![1]);
    expect(tried).toBeGreaterThanOrEqual(20);
    expect(tried).toBeLessThanOrEqual(30);
    const results = Results.parse(JSON.parse(readFileSync(join(r.runDir, 'results.json'), 'utf8')));
    // connects already in flight at the stop may still come back refused
    expect(Object.keys(results.errors)).toEqual(['handshake:401']);
    expect(results.errors['handshake:401']).toBeGreaterThanOrEqual(tried);
    expect(results.errors['handshake:401']).toBeLessThanOrEqual(30);
    expectNoToken(r);
  });

  it('against a URL with the right token in the query string: the URL recorded is the target\'s, without the token', { timeout: 180_000 }, async () => {
    // the stack's identity source is the header: a token in the query string is a missing identity source
    const r = await run(['connect-storm', '--clients', '30', '--target', urlStack.ready.websocketUrl, '--token-in', 'query'], join(dir, 'query'), env({ FANOUT_BENCH_TOKEN: RIGHT }));
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toContain('refused with 401');
    expect(r.stdout.split('\n')[0]).toContain(`against remote ${urlStack.ready.websocketUrl} (`);
    expectNoToken(r);
  });
});
