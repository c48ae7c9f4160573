import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare, readComparison } from './compare-sweep-helpers.ts';
import { scenarioFiles } from './scenario-files.ts';

/**
 * `compare --provisioned` (issue 68) against test/fixtures/stacks/warm-connect, whose $connect
 * function is provisioned through the alias `live`: each point on a stack of its own, its
 * allocation set through the emulator's Lambda API before it is measured, no warm-up. Two clients
 * connect: with none provisioned the first handshake meets an on-demand cold start; with two
 * provisioned both are served warm, however they overlap. The SLO is the function's cold starts,
 * so what is asserted is what the run decides, not a latency.
 */
const TEMPLATE = join(resolve(import.meta.dirname, '../..'), 'test/fixtures/stacks/warm-connect/template.yaml');
const { dir, scenario } = scenarioFiles('fb-compare-provisioned-');
const STORM = ['name: storm', 'clients: 2', 'rooms: 1', 'seed: 7', 'protocol: sendmessage', 'target: { preparedPerFunction: 0 }', 'phases:', '  - connect: { rate: 100 }', '  - idle: { duration: 500ms }', ''].join('\n');

describe('compare --provisioned', () => {
  it('recommends the fewest provisioned environments that met the SLO, with their month and the route\'s cold starts', { timeout: 240_000 }, async () => {
    const out = join(dir, 'out');
    const r = await compare([scenario('storm', STORM), '--template', TEMPLATE, '--provisioned', '2,0', '--threshold', 'lambda.warm-connect-connect.coldStarts == 0', '--out', out]);
    const { c } = readComparison(out);
    expect(c.parameter).toBe('provisioned');
    expect(c.points.map((p) => p.label)).toEqual(['0 provisioned', '2 provisioned']);
    const [none, two] = c.points as [(typeof c.points)[0], (typeof c.points)[0]];
    // 2 × 128 MB allocated for 30 days at $0.0000041667 per GB-second: $2.70
    expect(two.setting.provisioned).toEqual({ function: 'warm-connect-connect', qualifier: 'live', environments: 2, memoryMB: 128, monthlyUsd: expect.closeTo(2 * 0.125 * 2_592_000 * 0.0000041667, 6) });
    expect(none.setting.provisioned).toMatchObject({ environments: 0, monthlyUsd: 0 });
    expect(two.coldStarts).toMatchObject({ route: '$connect', attributed: 2, cold: 0 });
    expect(none.coldStarts!.cold).toBeGreaterThanOrEqual(1);
    expect(none.slo).toMatchObject({ met: false });
    expect(two.slo).toMatchObject({ met: true });
    expect(c.recommendation).toMatchObject({ rule: 'fewest-within-slo', pick: { label: '2 provisioned' }, firstFailing: { label: '0 provisioned' } });
    expect(c.recommendation.reason).toMatch(/^2 provisioned is the fewest that met the SLO \(\$connect 0 of 2 cold, its p99 [\d.,]+ ms; \$2\.70 a month allocated\)/);
    expect(c.functions).toEqual(['warm-connect-connect']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('fewest provisioned environments within the SLO: 2 provisioned');
  });

  it('refuses a function the stack does not have, and one invoked unqualified, in one line, exit 2', { timeout: 120_000 }, async () => {
    const file = scenario('storm', STORM);
    const missing = await compare([file, '--template', TEMPLATE, '--provisioned', '0,1', '--function', 'Nope', '--out', join(dir, 'bad')]);
    expect(missing.code, missing.stderr).toBe(2);
    // after the point's progress line (its stack starting), the refusal: one line
    expect(missing.stderr.trim().split('\n').at(-1)).toMatch(/^fanout-bench: --function: Nope is not a function of this stack \(its functions: ConnectFunction \(warm-connect-connect\), EchoFunction \(.+\)\)$/);
    const unqualified = await compare([file, '--template', TEMPLATE, '--provisioned', '0,1', '--function', 'EchoFunction', '--out', join(dir, 'bad')]);
    expect(unqualified.code, unqualified.stderr).toBe(2);
    expect(unqualified.stderr.trim().split('\n').at(-1)).toMatch(/^fanout-bench: --function: .+ is invoked unqualified \(\$LATEST\), and Provisioned Concurrency Configs cannot be applied to unpublished function versions\.: publish a version/);
  });
});
