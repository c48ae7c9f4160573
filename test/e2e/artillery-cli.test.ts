import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { pullCloudWatch } from '../../src/metrics/cloudwatch/cloudwatch-puller.ts';
import { REFERENCE_EMF } from '../../src/contracts/reference-functions.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { fmtInt } from '../../src/number-format.ts';
import { BIN, runNode, type CliResult } from './cli.ts';
import { emulatorCloudWatch } from '../../src/aws/cloudwatch-source.ts';
import { startProtocolServer } from '../fixtures/protocols/protocol-server.ts';

// Scale-out on Artillery, end to end, as a user runs it: `fanout-bench artillery export` (which
// also builds artillery-engine-fanout's bundle), then the real `artillery run` (the repo's own
// install in artillery/, loading that engine) against the emulator with its $connect authorizer, then `fanout-bench report --artillery`. The
// deliveries the report counts must be the ones the stack says it posted (its EMF
// FanoutDeliveries, read through the CloudWatch API), and the token must be in none of the files
// or outputs.
//
// Artillery is not in the main install: without `artillery/node_modules` this skips, saying how to
// install it, except in CI (CI=true, or FANOUT_BENCH_REQUIRE_ARTILLERY=1 as .ci/run sets), where
// a skip would hide that the Artillery path is untested, so it fails.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTILLERY = join(ROOT, 'artillery', 'node_modules', 'artillery', 'bin', 'run');
const ENGINE = join(ROOT, 'artillery', 'node_modules', 'artillery-engine-fanout', 'package.json');
const INSTALL = 'cd artillery && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts';
const installed = existsSync(ARTILLERY) && existsSync(ENGINE);
const required = process.env.CI === 'true' || process.env.FANOUT_BENCH_REQUIRE_ARTILLERY === '1';

const TOKEN = `right-${randomBytes(16).toString('hex')}`;
const WRONG = `wrong-${randomBytes(16).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'fb-artillery-e2e-'));
let stack: RunningStack | undefined;

beforeAll(async () => {
  if (!installed) return;
  stack = await startStack({ config: defaultStackConfig({ auth: { enabled: true, identitySource: 'query' } }), authToken: TOKEN, log: () => {} });
}, 60_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

const exec = (file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000) => runNode(file, args, { env, timeoutMs, cwd: dir });

/** No token of the developer's shell, no Artillery telemetry (nothing leaves 127.0.0.1). */
function env(token?: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true' };
  delete e.FANOUT_BENCH_TOKEN;
  if (token !== undefined) e.FANOUT_BENCH_TOKEN = token;
  return e;
}

/**
 * `artillery run` of an exported script with `workers` virtual users in one process: each plays
 * the whole script, as each of `--count` workers does on Fargate.
 */
function artilleryRun(script: string, output: string, workers: number, token: string): Promise<CliResult> {
  const overrides = JSON.stringify({ config: { phases: [{ arrivalCount: workers, duration: 1 }] } });
  return exec(ARTILLERY, ['run', '--overrides', overrides, '--output', output, script], env(token));
}

function reportDir(out: string): string {
  const [runId] = readdirSync(out);
  return join(out, runId!);
}

describe('Artillery: export, artillery run against the emulator, report', () => {
  it('artillery/ is installed', (ctx) => {
    if (!installed && !required) ctx.skip(`artillery/ is not installed (${INSTALL})`);
    expect(installed, `artillery/ is not installed, and CI must run the Artillery test: ${INSTALL}`).toBe(true);
  });

  it('two workers\' share of a scenario: the report\'s deliveries are the ones the stack posted, the token nowhere', { timeout: 240_000 }, async (ctx) => {
    if (!installed) ctx.skip(`artillery/ is not installed (${INSTALL})`);
    const url = stack!.ready.websocketUrl;
    const script = join(dir, 'fanout.yml');
    const exported = await exec(BIN, ['artillery', 'export', 'fanout', '--target', url, '--workers', '2', '--clients', '30', '--rooms', '6', '--duration', '3s', '--rate', '10', '--seed', '1', '--token-in', 'query', '--out', script], env(TOKEN));
    expect(exported.stderr).toContain(`scenario fanout for 2 workers, each 15 clients in 3 rooms`);
    expect(exported.code).toBe(0);

    const startMs = Date.now();
    const output = join(dir, 'out.json');
    const ran = await artilleryRun(script, output, 2, TOKEN);
    const endMs = Date.now();
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/fanout\.workers: \.+ 2\n/);
    expect(ran.stdout).toMatch(/vusers\.failed: \.+ 0\n/);

    const out = join(dir, 'reports');
    const report = await exec(BIN, ['report', '--artillery', output, '--script', script, '--out', out], env());
    const runDir = reportDir(out);
    const results = Results.parse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')));
    expect(results.status).toBe('completed');
    // 99 only when this shared host made a worker itself fall behind (a check about the host)
    const failedChecks = results.verdict!.checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failedChecks.filter((n) => n !== 'harness not saturated')).toEqual([]);
    expect(report.code, report.stderr).toBe(failedChecks.length === 0 ? 0 : 99);

    expect(results.config).toMatchObject({ clients: 30, rooms: 6, shards: 2, artillery: { workers: 2, plannedWorkers: 2 } });
    expect(results.connections).toMatchObject({ attempted: 30, opened: 30, joined: 30 });
    expect(results.sends.sent).toBe(30); // 3 s at 10/s, 5/s per worker
    expect(results.sends.acked).toBe(results.sends.sent);
    expect(results.deliveries.received).toBe(results.deliveries.expected);
    expect(results.deliveries.lost).toBe(0);
    expect(results.errors).toEqual({});
    expect(results.metrics.broadcast.count).toBe(results.deliveries.received);

    // what the stack itself counted, through the same CloudWatch API the harness reads AWS with:
    // one FanoutDeliveries per @connections post that succeeded, one sendMessage per message, one
    // authorizer call per handshake
    const pull = () =>
      pullCloudWatch({
        target: emulatorCloudWatch({ endpoint: stack!.ready.cloudwatchEndpoint, region: stack!.ready.region }),
        run: { startMs, endMs },
        functions: stack!.ready.functions.map((f) => f.name),
        apiGateway: { apiId: stack!.ready.apiId, stage: stack!.ready.stage },
        emf: [REFERENCE_EMF],
      });
    let cw = await pull();
    for (let i = 0; i < 40 && (cw.emf.FanoutDeliveries?.sum ?? 0) < results.deliveries.received; i++) {
      await new Promise((r) => setTimeout(r, 250));
      cw = await pull();
    }
    expect(cw.emf.FanoutDeliveries?.sum).toBe(results.deliveries.received);
    expect(cw.lambda['fanout-send-message']?.invocations).toBe(results.sends.acked);
    expect(cw.lambda['fanout-authorizer']?.invocations).toBe(results.connections!.attempted);

    // the reports show these numbers
    const html = readFileSync(join(runDir, 'index.html'), 'utf8');
    const md = readFileSync(join(runDir, 'summary.md'), 'utf8');
    expect(md).toContain(`${fmtInt(results.deliveries.received)} of ${fmtInt(results.deliveries.expected)} expected received`);
    expect(md).toContain(`| broadcast | ${fmtInt(results.metrics.broadcast.count)} |`);
    expect(html).toContain(`${fmtInt(results.deliveries.received)} of ${fmtInt(results.deliveries.expected)} expected deliveries received`);
    expect(existsSync(join(runDir, 'junit.xml'))).toBe(true);

    // the token is in none of the files or outputs
    const texts = [
      readFileSync(script, 'utf8'),
      readFileSync(output, 'utf8'),
      ...readdirSync(runDir).map((f) => readFileSync(join(runDir, f), 'utf8')),
      exported.stdout,
      exported.stderr,
      ran.stdout,
      ran.stderr,
      report.stdout,
      report.stderr,
    ];
    for (const t of texts) expect(t).not.toContain(TOKEN);
  });

  it('a wrong token: the worker stops at once, and the report says the run failed and why (exit 1)', { timeout: 240_000 }, async (ctx) => {
    if (!installed) ctx.skip(`artillery/ is not installed (${INSTALL})`);
    const script = join(dir, 'refused.yml');
    const exported = await exec(BIN, ['artillery', 'export', 'fanout', '--target', stack!.ready.websocketUrl, '--clients', '20', '--rooms', '2', '--duration', '60s', '--token-in', 'query', '--out', script], env());
    expect(exported.code).toBe(0);
    const output = join(dir, 'refused.json');
    const started = Date.now();
    const ran = await artilleryRun(script, output, 1, WRONG);
    // the 60 s send phase never ran
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(ran.stdout).toMatch(/vusers\.failed: \.+ 1\n/);
    const out = join(dir, 'refused-reports');
    const report = await exec(BIN, ['report', '--artillery', output, '--script', script, '--out', out], env());
    expect(report.code).toBe(1);
    const results = Results.parse(JSON.parse(readFileSync(join(reportDir(out), 'results.json'), 'utf8')));
    expect(results.status).toBe('failed');
    expect(results.statusReason).toMatch(/^1 of 1 workers failed: all 20 connects tried were refused with 401\/403: set FANOUT_BENCH_TOKEN/);
    expect(results.errors['handshake:403']).toBe(20);
    expect(results.sends.intended).toBe(0);
    for (const t of [readFileSync(output, 'utf8'), ran.stdout, ran.stderr, report.stdout]) expect(t).not.toContain(WRONG);
  });

  it('a described protocol: the script carries it, the workers speak it to a stack of that shape, the report counts what it posted', { timeout: 240_000 }, async (ctx) => {
    if (!installed) ctx.skip(`artillery/ is not installed (${INSTALL})`);
    // a ws server of another shape than ours: the room in the connect URL, the text delivered to
    // the room's others, nothing answered (test/fixtures/protocols/protocol-server.ts)
    const other = await startProtocolServer({ shape: 'room-in-url' });
    try {
      writeFileSync(
        join(dir, 'room-url.yaml'),
        'name: room-in-url\nconnect: { query: { room: "{{room}}" } }\nmembership: { model: connect }\nsend: { frame: { type: say, body: { text: "{{probe}}" } } }\nrecipients: others\n',
      );
      writeFileSync(
        join(dir, 'mine.yaml'),
        'name: mine\nclients: 12\nrooms: 4\nprotocol: { file: ./room-url.yaml }\nphases:\n  - connect: { rate: 50 }\n  - send: { duration: 2s, rate: 6, senders: { perRoom: 1 } }\ntimeouts: { loss: 3s }\n',
      );
      const script = join(dir, 'mine.yml');
      const exported = await exec(BIN, ['artillery', 'export', join(dir, 'mine.yaml'), '--target', other.url, '--workers', '2', '--seed', '3', '--out', script], env());
      expect(exported.code, exported.stderr).toBe(0);
      expect(readFileSync(script, 'utf8')).toContain('recipients: others');

      const output = join(dir, 'mine.json');
      const ran = await artilleryRun(script, output, 2, 'unused');
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stdout).toMatch(/vusers\.failed: \.+ 0\n/);
      // every client asked for its room by URL: 4 rooms, 2 workers' own names
      expect(other.urls).toHaveLength(12);
      expect(new Set(other.urls.map((u) => new URL(u, 'http://x').searchParams.get('room'))).size).toBe(4);

      const out = join(dir, 'mine-reports');
      const report = await exec(BIN, ['report', '--artillery', output, '--script', script, '--out', out], env());
      const results = Results.parse(JSON.parse(readFileSync(join(reportDir(out), 'results.json'), 'utf8')));
      const failedChecks = results.verdict!.checks.filter((c) => !c.passed).map((c) => c.name);
      expect(failedChecks.filter((n) => n !== 'harness not saturated')).toEqual([]);
      expect(report.code, report.stderr).toBe(failedChecks.length === 0 ? 0 : 99);
      expect(results.connections).toMatchObject({ attempted: 12, opened: 12, joined: 12 });
      expect(results.sends.sent).toBe(12); // 2 s at 6/s
      // 3 members a room, the sender gets no copy: 2 deliveries a message, each one the server posted
      expect(results.deliveries.expected).toBe(24);
      expect(results.deliveries.received).toBe(other.posted());
      expect(results.deliveries.received).toBe(24);
      expect(results.deliveries.lost).toBe(0);
      expect(results.metrics.broadcast.count).toBe(24);
      expect(results.metrics.ack).toBeUndefined();
      expect(results.errors).toEqual({});
      // the report says which protocol the workers spoke, and what it cannot show
      expect(results.protocol).toMatchObject({ name: 'room-in-url', kind: 'described', membership: 'connect', recipients: 'others', sendAcks: false });
      expect(results.protocol!.notObservable['sends.acked']).toMatch(/^not observable with protocol room-in-url: /);
      expect(readFileSync(join(reportDir(out), 'summary.md'), 'utf8')).toContain('Protocol: room-in-url (described, membership connect, no acks).');
    } finally {
      await other.close();
    }
  });
});
