import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli } from './cli.ts';
import { scenarioFiles } from './scenario-files.ts';

/**
 * A connect storm against a Python $connect with SnapStart (issue 68), measured through the CLI on
 * test/fixtures/stacks/snapstart-connect: each handshake is traced to its invocation, and the
 * environments restored from the version's snapshot are counted as SnapStart's, a restore on the
 * request's path a cold start with its duration. How many handshakes overlap is the host's to
 * decide: the test asserts what the run decides of each, not the split.
 */
const TEMPLATE = join(resolve(import.meta.dirname, '../..'), 'test/fixtures/stacks/snapstart-connect/template.yaml');
const { dir, scenario } = scenarioFiles('fb-snapstart-connect-');

describe('a connect storm against a SnapStart $connect', () => {
  it('counts each restore as a cold start of a SnapStart environment, with its duration', { timeout: 240_000 }, async () => {
    const file = scenario('storm', ['name: storm', 'clients: 6', 'rooms: 1', 'seed: 7', 'protocol: sendmessage', 'target: { preparedPerFunction: 0 }', 'phases:', '  - connect: { rate: 1000 }', '  - idle: { duration: 1s }', ''].join('\n'));
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--template', TEMPLATE, '--out', out, '--shards', '1', '--no-progress'], { timeoutMs: 240_000, cwd: dir });
    const [run] = existsSync(out) ? readdirSync(out) : [];
    expect(run, `no results: ${r.stderr}`).toBeDefined();
    const results = Results.parse(JSON.parse(readFileSync(join(out, run!, 'results.json'), 'utf8')));
    const route = results.attribution!.routes.find((x) => x.route === '$connect' && x.kind === 'connect')!;
    expect(route.attributed).toBe(6);
    // every handshake ran on an environment restored from the snapshot; the first on each paid the restore
    expect(route.environments).toEqual({ 'snap-start': { served: 6, cold: route.cold } });
    expect(route.cold).toBeGreaterThanOrEqual(1);
    expect(route.restored).toBe(route.cold);
    expect(route.restoreP50Ms).toBeGreaterThan(0);
    expect(route.initP50Ms).toBeNull();
    // the snapshot was taken as the stack started, and the stack said so in its log
    expect(readFileSync(join(out, run!, 'stack.log'), 'utf8')).toMatch(/stack: SnapStart: .+ version 1 snapshot taken \(INIT \d+ ms\)/);
  });
});
