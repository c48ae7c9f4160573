import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { SweepComparison } from '../../src/analyses/compare/compare-schema.ts';
import { runCli } from './cli.ts';

/** What the compare-sweep files share: running `compare`, reading what it wrote. */

export function readComparison(out: string): { c: SweepComparison; at: string } {
  const [id] = readdirSync(out);
  const at = join(out, id!);
  return { c: SweepComparison.parse(JSON.parse(readFileSync(join(at, 'compare.json'), 'utf8'))), at };
}

/**
 * Wherever the harness was saturated (likely on a 2-core host), the point says so in a note: met
 * when that was its only failure (as search counts a step), else a miss of the harness and stack.
 */
export function expectHarnessNamed(c: SweepComparison): void {
  for (const p of c.points) {
    if (!p.slo) continue;
    const harness = p.slo.failed.some((f) => f.startsWith('harness not saturated:'));
    const onlyHarness = harness && p.slo.failed.length === 1;
    if (p.slo.failed.length === 0 || onlyHarness) expect(p.slo.met, p.label).toBe(true);
    if (!p.slo.met) expect(p.slo.missedBy, p.label).toBe(harness ? 'harness-and-stack' : 'stack');
    if (harness) expect(p.slo.note, p.label).toMatch(/^the harness was saturated/);
    else expect(p.slo.note, p.label).toBeUndefined();
  }
}

export const compare = (args: string[]) => runCli(['compare', '--no-progress', '--warm-up', '0', ...args], { timeoutMs: 140_000 });
