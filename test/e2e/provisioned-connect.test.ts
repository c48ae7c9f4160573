import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli } from './cli.ts';
import { scenarioFiles } from './scenario-files.ts';

/**
 * A connect storm against a $connect provisioned through an alias (issue 68), measured through
 * the CLI on test/fixtures/stacks/warm-connect: the run traces each handshake to its invocation
 * and says which kind of environment served it, the provisioned ones warm and the spillover on
 * demand with its cold starts, counted apart; its unqualified twin's handshakes all run on
 * demand, and the run names the mistake. How many of six handshakes overlap is the host's to
 * decide: the test asserts what the run decides of each, not the split. The scenario only
 * connects (no send: its verdict's delivery checks fail, and are not what this measures).
 */
const TEMPLATE = join(resolve(import.meta.dirname, '../..'), 'test/fixtures/stacks/warm-connect/template.yaml');
const { dir, scenario } = scenarioFiles('fb-provisioned-connect-');
const storm = () =>
  scenario('storm', ['name: storm', 'clients: 6', 'rooms: 1', 'seed: 7', 'protocol: sendmessage', 'target: { preparedPerFunction: 0 }', 'phases:', '  - connect: { rate: 1000 }', '  - idle: { duration: 1s }', ''].join('\n'));

/** `fanout-bench run …` to its end, and the results it wrote. */
async function measure(name: string, args: string[]): Promise<Results> {
  const out = join(dir, `out-${name}`);
  const r = await runCli(['run', ...args, '--out', out, '--shards', '1', '--no-progress'], { timeoutMs: 240_000, cwd: dir });
  const [run] = existsSync(out) ? readdirSync(out) : [];
  expect(run, `no results: ${r.stderr}`).toBeDefined();
  return Results.parse(JSON.parse(readFileSync(join(out, run!, 'results.json'), 'utf8')));
}

const connectRoute = (r: Results) => r.attribution!.routes.find((x) => x.route === '$connect' && x.kind === 'connect')!;

describe('a connect storm against a provisioned $connect', () => {
  it('counts the handshakes the provisioned environments served warm apart from the spillover, cold on demand', { timeout: 240_000 }, async () => {
    const r = await measure('qualified', [storm(), '--template', TEMPLATE]);
    const route = connectRoute(r);
    expect(route.attributed).toBe(6);
    const provisioned = route.environments!['provisioned-concurrency']!;
    const onDemand = route.environments!['on-demand'] ?? { served: 0, cold: 0 };
    expect(provisioned.served).toBeGreaterThanOrEqual(1);
    expect(provisioned.cold).toBe(0);
    expect(provisioned.served + onDemand.served).toBe(6);
    // every cold handshake was a spillover's INIT
    expect(route.cold).toBe(onDemand.cold);
    const fn = r.config.target.functions!.functions.find((f) => f.route === '$connect')!;
    expect(fn.provisioned).toEqual([{ qualifier: 'live', version: '1', environments: 2 }]);
    expect(r.harness.warnings).not.toContainEqual(expect.stringContaining('unqualified'));
  });

  it('runs every handshake of the unqualified twin on demand, and names the mistake', { timeout: 240_000 }, async () => {
    const r = await measure('unqualified', [storm(), '--template', TEMPLATE, '--parameter', 'Qualified=false']);
    const route = connectRoute(r);
    expect(route.environments).toEqual({ 'on-demand': { served: 6, cold: route.cold } });
    expect(route.cold).toBeGreaterThanOrEqual(1);
    expect(r.harness.warnings).toContainEqual(expect.stringMatching(/^route \$connect invokes .+ unqualified \(\$LATEST\) while its alias live holds 2 provisioned environments: nothing invokes live/));
  });
});
