import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';

/**
 * A CDK app of several stacks, as docs/your-own-stack.md tells it: `run --template cdk.out`
 * cannot guess which stack to measure (one line naming them, exit 2, before any load), and
 * `--stack-name` picks the one that runs. The fixture (test/fixtures/stacks/multi-stack-cdk) has
 * an echo API stack and an alerts stack without one.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const ASSEMBLY = join(ROOT, 'test/fixtures/stacks/multi-stack-cdk/cdk.out');
const work = mkdtempSync(join(tmpdir(), 'fb-multi-stack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// one client: the echo answers its sender only, and with membership all the sender is everyone
const SCENARIO = ['name: echo', 'clients: 1', 'rooms: 1', 'protocol: sendmessage', 'phases:', '  - connect: { rate: 10 }', '  - send: { duration: 2s, rate: 2 }', 'timeouts: { loss: 5s }', ''].join('\n');

describe('run --template <a cloud assembly of two stacks>', () => {
  const scenario = join(work, 'echo.yaml');
  writeFileSync(scenario, SCENARIO);

  it('without --stack-name: one line naming the stacks and the flag, exit 2, no load', { timeout: 120_000 }, async () => {
    const out = join(work, 'unchosen');
    const r = await runCli(['run', scenario, '--template', ASSEMBLY, '--out', out, '--no-progress'], { timeoutMs: 100_000 });
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('the cloud assembly has 2 stacks (ChatApi, ChatAlerts): choose one with --stack-name');
    expect(r.stdout).toBe('');
  });

  it('with --stack-name ChatApi: that stack runs, every echo delivered', { timeout: 180_000 }, async () => {
    const out = join(work, 'chosen');
    const r = await runCli(['run', scenario, '--template', ASSEMBLY, '--stack-name', 'ChatApi', '--out', out, '--no-progress', '--prepared', '0'], { timeoutMs: 160_000 });
    const [run] = readdirSync(out);
    const raw = JSON.parse(readFileSync(join(out, run!, 'results.json'), 'utf8')) as { config: { stack?: { stackName?: string } } };
    const results = Results.parse(raw);
    expectPassedButForHost(r.code, results, `${r.stdout}\n${r.stderr}`);
    // the stack's ready line, as results.json keeps it
    expect(raw.config.stack?.stackName).toBe('ChatApi');
    expect(results.config.stackArgs).toEqual(expect.arrayContaining(['--stack-name', 'ChatApi']));
    expect(results.config.target.functions?.functions.map((f) => f.name)).toEqual([expect.stringMatching(/^ChatApi-EchoFunction8A9C3F12-[A-Z0-9]{13}$/)]);
  });
});
