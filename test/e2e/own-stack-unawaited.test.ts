import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli } from './cli.ts';

/**
 * A stack of your own whose broadcast forgets to await its posts loses them, as Lambda's freeze
 * loses them on AWS, and `run` says so, while the same stack awaiting them loses nothing (issue 31;
 * beside own-stack-limits.test.ts).
 */
const ROOT = resolve(import.meta.dirname, '../..');
const UNAWAITED = join(ROOT, 'test/fixtures/stacks/unawaited-posts/template.yaml');
const work = mkdtempSync(join(tmpdir(), 'fb-own-unawaited-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, lines: string[]): string {
  const path = join(work, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('a broadcast that does not await its posts', () => {
  // The loss timeout: 2 s to call the unawaited posts lost; an awaited one may be seconds late on a
  // busy host (4.5 s seen beside other work), which must not count as lost.
  const scenario = (loss: string) =>
    file(`unawaited-${loss}.yaml`, [
      'name: unawaited',
      'clients: 4',
      'rooms: 1',
      'seed: 3',
      `timeouts: { loss: ${loss} }`,
      // no environment prepared: INIT in the cold invocation (the runs count deliveries)
      'target: { preparedPerFunction: 0 }',
      'protocol:',
      '  name: broadcast',
      '  membership: { model: all }',
      '  send:',
      '    frame: { action: broadcast, data: "{{probe}}" }',
      'phases:',
      '  - connect: { rate: 20 }',
      '  - send: { duration: 2s, rate: 2 }',
    ]);

  async function run(awaitPosts: 'true' | 'false') {
    const out = join(work, `unawaited-${awaitPosts}`);
    const r = await runCli(['run', scenario(awaitPosts === 'true' ? '30s' : '2s'), '--template', UNAWAITED, '--parameter', `AwaitPosts=${awaitPosts}`, '--shards', '1', '--no-progress', '--summary', 'full', '--out', out], { timeoutMs: 150_000 });
    const [dir] = readdirSync(out);
    return { r, results: Results.parse(JSON.parse(readFileSync(join(out, dir!, 'results.json'), 'utf8'))) };
  }

  it('loses those deliveries, as on AWS: the verdict fails (exit 99) on lost deliveries', { timeout: 180_000 }, async () => {
    const { r, results } = await run('false');
    expect(results.sends.sent).toBe(4);
    expect(results.deliveries.expected).toBe(16);
    expect(results.deliveries.lost, r.stdout).toBeGreaterThan(0);
    expect(r.code, r.stdout + r.stderr).toBe(99);
    const failed = results.verdict!.checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failed).toContain('no lost deliveries');
    expect(r.stdout).toMatch(/check failed: no lost deliveries: \d+ of 16 expected deliveries lost/);
  });

  it('the same stack awaiting them loses nothing', { timeout: 180_000 }, async () => {
    const { r, results } = await run('true');
    expect([results.sends.sent, results.deliveries.expected, results.deliveries.received, results.deliveries.lost], r.stdout).toEqual([4, 16, 16, 0]);
    const failed = results.verdict!.checks.filter((c) => !c.passed).map((c) => c.name);
    // a host busy with other work may saturate the harness; no other check may fail
    expect(failed.filter((name) => name !== 'harness not saturated'), r.stdout).toEqual([]);
  });
});

