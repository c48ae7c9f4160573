import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackReady } from '../../common/stack-ready.ts';
import { stackForAws, stopAwsTimedStacks } from './aws-timed-stack.ts';
import { expectOneLine, runCli } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';

/**
 * `--target aws-api:<apiId>/<stage>` through the real CLI against `stack up`, with the CLI's
 * environment as a user's shell has it after pasting the export block: AWS_ENDPOINT_URL (the
 * edge) and nothing else of the emulator's. A short run finds the API, its functions and tables
 * through the edge, measures, and records what it found and from where.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-aws-api-'));
let ready: StackReady;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ({ ready, env } = await stackForAws(dir, { endpoint: 'edge' }));
}, 160_000);

afterAll(() => {
  stopAwsTimedStacks();
  rmSync(dir, { recursive: true, force: true });
});

describe('--target aws-api:<apiId>/<stage> from the CLI, through the edge', { timeout: 300_000 }, () => {
  it('measures the API found by id, its functions and tables, and records what it found and from where', async () => {
    const target = `aws-api:${ready.apiId}/${ready.stage}`;
    const out = join(dir, 'run');
    const r = await runCli(['run', 'fanout', '--clients', '4', '--rooms', '1', '--duration', '2s', '--rate', '4', '--seed', '7', '--no-progress', '--target', target, '--access-log', 'enable', '--out', out], { env, cwd: dir, timeoutMs: 240_000 });
    const [name] = readdirSync(out);
    const res = JSON.parse(readFileSync(join(out, name!, 'results.json'), 'utf8'));
    expectPassedButForHost(r.code, res, r.stderr);
    expect(res.config.target).toMatchObject({ kind: 'remote', url: ready.websocketUrl, label: target });
    expect(res.config.target.discovery.method).toBe('api');
    expect(res.config.target.functions.functions.find((f: { route: string }) => f.route === 'sendMessage').name).toBe('fanout-send-message');
    expect(res.config.target.endpoints.tables.sort()).toEqual(['fanout-connections', 'fanout-messages', 'fanout-room-members']);
    // CloudWatch pulled through the same one variable: the functions' invocations are there
    expect(res.cloudwatch.source).toBe('aws');
    // the stage's access logging set through the same variable, and every request traced through it
    expect(res.attribution).toMatchObject({ source: 'access-log', accessLog: 'enable', requests: { unattributed: 0 } });
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
