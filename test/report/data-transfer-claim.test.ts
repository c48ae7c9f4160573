import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/analyses/plan/build-plan.ts';
import { readPlanDirs } from '../../src/analyses/plan/run-dirs.ts';
import { RESULTS_FILE } from '../../src/metrics/results/run-dir.ts';
import { readComparison } from '../../src/report/compare/read-comparison.ts';
import { COMPARE_FILES } from '../../src/report/compare/write.ts';
import { readResults } from '../../src/report/run/results-file.ts';
import { buildResults } from './fixtures.ts';

/**
 * What README says of data transfer is what the pages show: a run's estimate has no line for it
 * (AWS charges WebSocket APIs none), a month's plan shows the gigabytes at $0, marked not charged.
 */
describe('data transfer, as README says it', () => {
  it("a plan shows the month's gigabytes at $0, a run's estimate no line; README says both", async () => {
    const dir = fileURLToPath(new URL('../fixtures/plan/default-run', import.meta.url));
    const { runs } = await readPlanDirs([dir], { resultsFile: RESULTS_FILE, readResults, comparisonFile: COMPARE_FILES.json, readComparison });
    const plan = buildPlan({ runs, traffic: { connections: 50_000, roomSize: 10, messagesPerS: 500, sessionSec: 1_800 }, toolVersion: 'test', createdAt: '2026-11-27T00:00:00.000Z' });
    const transfer = plan.cost.lines.find((l) => l.service === 'Data transfer')!;
    expect(transfer.quantity).toBeGreaterThan(0);
    expect(transfer.cost).toBe(0);
    expect(transfer.note).toMatch(/^not charged/);
    expect(buildResults().cost!.lines.some((l) => l.service === 'Data transfer')).toBe(false);

    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    expect(readme).not.toContain('no data-transfer line');
    expect(readme).toContain("a run's estimate has no line for it, a plan shows the month's gigabytes at $0");
  });
});
