import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { compare, readComparison } from './compare-sweep-helpers.ts';
import { runCli } from './cli.ts';
import { scenarioFiles } from './scenario-files.ts';

/**
 * `compare --snapstart off,on` (issue 68) against test/fixtures/stacks/snapstart-connect, whose
 * Python $connect invokes the alias `live`: each point on a stack of its own, the function's
 * SnapStart set through the emulator's Lambda API, a version published and waited for until
 * Active, the alias moved to it, no warm-up. What is asserted is what the run decides: which
 * version each point measured, how its environments were initialized, what the cache costs, and
 * the pick when both settings met the SLO (off: SnapStart bills what it does not need).
 */
const ROOT = resolve(import.meta.dirname, '../..');
const TEMPLATE = join(ROOT, 'test/fixtures/stacks/snapstart-connect/template.yaml');
const WARM_CONNECT = join(ROOT, 'test/fixtures/stacks/warm-connect/template.yaml');
const { dir, scenario } = scenarioFiles('fb-compare-snapstart-');
const STORM = ['name: storm', 'clients: 2', 'rooms: 1', 'seed: 7', 'protocol: sendmessage', 'target: { preparedPerFunction: 0 }', 'phases:', '  - connect: { rate: 100 }', '  - idle: { duration: 500ms }', ''].join('\n');

describe('compare --snapstart', () => {
  it("measures the function's route on a version with SnapStart off and one with it on, and picks off where both met the SLO", { timeout: 240_000 }, async () => {
    const out = join(dir, 'out');
    const r = await compare([scenario('storm', STORM), '--template', TEMPLATE, '--snapstart', 'on,off', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { c, at } = readComparison(out);
    expect(c.parameter).toBe('snapstart');
    expect(c.points.map((p) => p.label)).toEqual(['SnapStart off', 'SnapStart on']);
    const [off, on] = c.points as [(typeof c.points)[0], (typeof c.points)[0]];
    // each point's own stack starts with version 1 (SnapStart on, the template's): off publishes version 2, on keeps 1
    expect(off.setting.snapStart).toMatchObject({ alias: 'live', version: '2', on: false, memoryMB: 512, monthlyUsd: 0 });
    // 0.5 GB cached for 30 days at $0.0000015046 per GB-second
    expect(on.setting.snapStart).toMatchObject({ alias: 'live', version: '1', on: true, monthlyUsd: expect.closeTo(0.5 * 2_592_000 * 0.0000015046, 6) });
    expect(c.functions).toEqual([on.setting.snapStart!.function]);
    const connectOf = (slug: string) => Results.parse(JSON.parse(readFileSync(join(at, `${slug}-1`, 'results.json'), 'utf8'))).attribution!.routes.find((x) => x.route === '$connect' && x.kind === 'connect')!;
    const offRoute = connectOf('snapstart-off');
    const onRoute = connectOf('snapstart-on');
    expect(Object.keys(offRoute.environments!)).toEqual(['on-demand']);
    expect(offRoute.initP50Ms).toBeGreaterThan(0);
    expect(Object.keys(onRoute.environments!)).toEqual(['snap-start']);
    expect(onRoute.restored).toBe(onRoute.cold);
    expect(on.coldStarts).toMatchObject({ route: '$connect', attributed: 2, cold: onRoute.cold });
    expect(c.recommendation).toMatchObject({ rule: 'off-unless-needed', pick: { label: 'SnapStart off' } });
    expect(c.recommendation.reason).toMatch(/^SnapStart off met the SLO \(\$connect \d of 2 cold, its p99 [\d.,]+ ms\).*: at this load the route needs no SnapStart\.$/);
    expect(r.stdout).toContain('SnapStart only where the SLO needs it: SnapStart off');
    expect(r.stdout).toMatch(/\$\/month cache/);
  });

  it('refuses a setting list that is not off and on, and a function its route invokes unqualified, in one line, exit 2', { timeout: 120_000 }, async () => {
    const file = scenario('storm', STORM);
    const twice = await runCli(['compare', file, '--template', TEMPLATE, '--snapstart', 'on,on', '--out', join(dir, 'bad')]);
    expect(twice.code, twice.stderr).toBe(2);
    expect(twice.stderr.trim()).toBe('fanout-bench: --snapstart: give off,on (SnapStart off against on), got "on,on"');
    const unqualified = await compare([file, '--template', WARM_CONNECT, '--snapstart', 'off,on', '--function', 'EchoFunction', '--out', join(dir, 'bad')]);
    expect(unqualified.code, unqualified.stderr).toBe(2);
    expect(unqualified.stderr.trim().split('\n').at(-1)).toMatch(/^fanout-bench: --function: its route \S+ invokes .+ unqualified \(\$LATEST\), where SnapStart never applies \(published versions only\): invoke an alias/);
  });
});
