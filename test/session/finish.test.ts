import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { finish } from '../../src/session/finish.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { buildResults } from '../report/fixtures.ts';

// finish(): the one way a run ends (run, each --repeat, each of compare's measurements, a target
// that never started, report --artillery): judged, results.json first, then the reports. Real
// files in a temporary directory.

const dir = mkdtempSync(join(tmpdir(), 'fb-finish-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const written = (runDir: string) => Results.parse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')));

describe('finish', () => {
  it('judges the results (built-in checks and the thresholds given), stores the verdict in results.json, then renders the reports from it', async () => {
    const runDir = join(dir, 'judged');
    mkdirSync(runDir);
    const threshold = parseThreshold('deliveries.lost > 1000000', '--threshold');
    const { results, files } = await finish(buildResults(), runDir, { judge: { thresholds: [threshold], notes: ['said by the caller'] } });
    expect(files.map((f) => f.slice(runDir.length + 1))).toEqual(['results.json', 'index.html', 'summary.md', 'junit.xml']);
    expect(results.verdict.outcome).toBe('fail');
    expect(results.verdict.thresholds.map((t) => [t.expression, t.outcome])).toEqual([['deliveries.lost > 1000000', 'fail']]);
    expect(results.verdict.notes).toContain('said by the caller');
    expect(written(runDir).verdict).toEqual(results.verdict);
    expect(readFileSync(join(runDir, 'junit.xml'), 'utf8')).toContain('deliveries.lost &gt; 1000000');
  });

  it('without thresholds, judges by the built-in checks alone', async () => {
    const runDir = join(dir, 'checks');
    mkdirSync(runDir);
    const { results } = await finish(buildResults(), runDir);
    expect(results.verdict.thresholds).toEqual([]);
    expect(results.verdict.checks.length).toBeGreaterThan(0);
    expect(written(runDir).verdict).toEqual(results.verdict);
  });

  it('a report that cannot be written is a warning naming how to render it again; results.json and its verdict are kept', async () => {
    const runDir = join(dir, 'unrendered');
    mkdirSync(join(runDir, 'index.html'), { recursive: true }); // a directory where the report goes
    const warnings: string[] = [];
    const { results, files } = await finish(buildResults(), runDir, { onWarning: (m) => warnings.push(m) });
    expect(files).toEqual([join(runDir, 'results.json')]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^report rendering failed: ${join(runDir, 'index.html')}: cannot write \\(EISDIR\\) \\(results.json is complete; re-render with \`fanout-bench report ${runDir}\`\\)$`));
    expect(written(runDir).verdict).toEqual(results.verdict);
    expect(readdirSync(runDir).sort()).toEqual(['index.html', 'results.json']);
  });
});
