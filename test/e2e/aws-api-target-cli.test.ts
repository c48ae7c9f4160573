import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLine, runCli } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';

/**
 * `--target aws-api:<apiId>/<stage>` through the real CLI against `stack up`, with the CLI's
 * environment as a user's shell has it after pasting the export block: AWS_ENDPOINT_URL (the
 * edge) and nothing else of the emulator's. A short run finds the API, its functions and tables
 * through the edge, measures, and records what it found and from where.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fb-aws-api-'));
let child: ChildProcess;
let ready: { edgeEndpoint: string; apiId: string; stage: string; region: string; websocketUrl: string };
const env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  child = spawn(process.execPath, ['bin/fanout-bench.js', 'stack', 'up', '--prepared', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const deadline = Date.now() + 60_000;
  while (!out.includes('\n')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ready line; stderr: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  ready = JSON.parse(out.split('\n')[0]!);
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  Object.assign(env, {
    AWS_ENDPOINT_URL: ready.edgeEndpoint,
    AWS_REGION: ready.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
}, 90_000);

afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('--target aws-api:<apiId>/<stage> from the CLI, through the edge', { timeout: 300_000 }, () => {
  it('measures the API found by id, its functions and tables, and records what it found and from where', async () => {
    const target = `aws-api:${ready.apiId}/${ready.stage}`;
    const out = join(dir, 'run');
    const r = await runCli(['run', 'fanout', '--clients', '4', '--rooms', '1', '--duration', '2s', '--rate', '4', '--seed', '7', '--no-progress', '--target', target, '--out', out], { env, cwd: dir, timeoutMs: 240_000 });
    const [name] = readdirSync(out);
    const res = JSON.parse(readFileSync(join(out, name!, 'results.json'), 'utf8'));
    expectPassedButForHost(r.code, res, r.stderr);
    expect(res.config.target).toMatchObject({ kind: 'remote', url: ready.websocketUrl, label: target });
    expect(res.config.target.discovery.method).toBe('api');
    expect(res.config.target.functions.functions.find((f: { route: string }) => f.route === 'sendMessage').name).toBe('fanout-send-message');
    expect(res.config.target.endpoints.tables.sort()).toEqual(['fanout-connections', 'fanout-messages', 'fanout-room-members']);
    // CloudWatch pulled through the same one variable: the functions' invocations are there
    expect(res.cloudwatch.source).toBe('aws');
    const html = readFileSync(join(out, name!, 'index.html'), 'utf8');
    expect(html).toContain('from the API by id');
  });

  it('bad input is one line, exit 2: a missing --table, a stage the API lacks, --table on another target', async () => {
    const base = ['run', 'fanout', '--no-progress', '--out', join(dir, 'bad')];
    expectOneLine(await runCli([...base, '--target', `aws-api:${ready.apiId}/${ready.stage}`, '--table', 'no-such-table'], { env, cwd: dir }), '--table: no DynamoDB table "no-such-table" in us-east-1');
    expectOneLine(
      await runCli([...base, '--target', `aws-api:${ready.apiId}/prod`], { env, cwd: dir }),
      `aws-api:${ready.apiId}/prod: no stage "prod" on API ${ready.apiId} in us-east-1 (Invalid stage identifier specified)`,
    );
    expectOneLine(await runCli([...base, '--target', 'aws-api:abc', '--dry-run'], { env, cwd: dir }), '--target: aws-api:<apiId>/<stage> needs an API Gateway API id and a stage name (letters, digits, "-" or "_"), got "aws-api:abc"');
    expectOneLine(await runCli([...base, '--table', 'fanout-messages', '--dry-run'], { env, cwd: dir }), '--table: names the tables of an API found by id (--target aws-api:<apiId>/<stage>) only; --target local names its own');
  });
});
