import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Results } from '../../src/metrics/results-schema.ts';

/**
 * README's first command, `fanout-bench run` with no scenario: `default` against the local
 * emulator, all four measurements on one fleet, every report written.
 */
const BIN = fileURLToPath(new URL('../../bin/fanout-bench.js', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'fb-default-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function runDefault(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'run', '--out', out, '--no-progress'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`default run did not finish; stderr: ${stderr}`));
    }, 240_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the default run', () => {
  it('completes, accounts for every message, measures all four scenarios and writes the reports', { timeout: 300_000 }, async () => {
    const r = await runDefault();
    const [runId] = readdirSync(out);
    const dir = join(out, runId);
    const results = Results.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
    // The exit code follows the verdict: 0 when every check passed. A host busy with other work
    // can saturate the harness (a check of its own, exit 99); nothing else may fail.
    const failed = results.verdict!.checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failed.filter((name) => name !== 'harness not saturated'), r.stderr).toEqual([]);
    expect(r.code, r.stderr).toBe(failed.length === 0 ? 0 : 99);
    expect(results.scenario.name).toBe('default');
    expect(results.status).toBe('completed');
    // connect-storm
    expect(results.metrics.connect.count).toBe(results.config.clients);
    // fanout: every expected delivery arrives
    expect(results.deliveries.expected).toBeGreaterThan(0);
    expect(results.deliveries.received).toBe(results.deliveries.expected);
    expect(results.deliveries.lost).toBe(0);
    // cold-start: deliveries from cold environments after the idle period
    expect(results.metrics.broadcastCold?.count ?? 0).toBeGreaterThan(0);
    // stale-cleanup: 410s seen, and broadcasts ran clean afterwards
    expect(results.stale?.gone410 ?? 0).toBeGreaterThan(0);
    expect(results.stale?.timeToCleanMs).not.toBeNull();
    // after the run
    expect(results.cloudwatch?.status).toBe('complete');
    expect(results.cost?.totals.total ?? 0).toBeGreaterThan(0);
    for (const file of ['index.html', 'summary.md', 'junit.xml', 'intervals.ndjson']) expect(existsSync(join(dir, file)), file).toBe(true);
  });
});
