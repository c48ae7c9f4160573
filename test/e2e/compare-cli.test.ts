import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Comparison } from '../../src/analyses/compare/compare-schema.ts';
import { runCli, type CliResult } from './cli.ts';
import { inChromium } from './report-page.ts';

/**
 * `fanout-bench compare` as a user runs it, against the local emulator: memory changed through
 * the emulator's Lambda API (UpdateFunctionConfiguration, as on AWS), one comparison written,
 * its chart drawn in real headless Chromium; and Ctrl-C in the middle puts the original size back.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// small, and connects and joins one at a time (one environment booted each, not one per request
// in flight): what is compared is sendMessage's Duration per invocation, not a load
const SCENARIO = join(dir, 'small.yaml');
writeFileSync(
  SCENARIO,
  `name: small
clients: 10
rooms: 2
seed: 7
phases:
  - connect: { rate: 40, maxInFlight: 1 }
  - join: { rate: 40, maxInFlight: 1 }
  - send: { duration: 3s, rate: 5 }
`,
);

function compare(args: string[], onStderr?: (text: string, interrupt: () => void) => void): Promise<CliResult> {
  // no prepared environments: an update of memory size then retires and starts nothing before
  // the new size is in effect, and what is asserted holds whatever the cold starts cost
  return runCli(['compare', SCENARIO, '--no-progress', '--prepared', '0', ...args], {
    timeoutMs: 280_000,
    onStderr: onStderr && ((text, kill) => onStderr(text, () => kill('SIGINT'))),
  });
}

describe('fanout-bench compare', () => {
  it('compares two sizes: sendMessage Duration at 256 MB above 1,769 MB, and a chart that draws in Chromium', { timeout: 300_000 }, async () => {
    const out = join(dir, 'two');
    // a 1 s warm-up is enough to have a warm sendMessage environment at each size; speed judged on the fan-out's p50
    const r = await compare(['--memory', '256,1769', '--warm-up', '1s', '--latency', 'fanout-p50', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const [id] = readdirSync(out);
    const c = Comparison.parse(JSON.parse(readFileSync(join(out, id!, 'compare.json'), 'utf8')));
    expect(c.functions).toEqual(['fanout-send-message']);
    expect(c.latencyMetric).toBe('fanout-p50');
    const [small, large] = c.sizes;
    expect([small!.memoryMB, large!.memoryMB]).toEqual([256, 1769]);
    expect(c.excluded).toEqual([]);
    const duration = (s: typeof small) => s!.functions['fanout-send-message']!.durationP50Ms!.median;
    expect(duration(small)).toBeGreaterThan(duration(large));
    // each size really ran at its size: the REPORT lines' Memory Size, through CloudWatch Logs
    for (const s of c.sizes) {
      const run = JSON.parse(readFileSync(join(out, id!, `${s.memoryMB}mb-1`, 'results.json'), 'utf8'));
      expect(run.lambda.functions['fanout-send-message'].memoryMB).toBe(s.memoryMB);
    }
    expect(r.stdout).toContain('cheapest:');

    const errors = await inChromium(join(out, id!, 'index.html'), async (page) => {
      const chart = page.locator('[data-chart="cost-latency"]');
      expect(await chart.locator('canvas').count()).toBe(1);
      expect(await chart.locator('.u-legend .u-series .u-label').allTextContents()).toEqual(['256 MB', '1,769 MB']);
    });
    expect(errors).toEqual([]);
  });

  it('restores the original memory size when interrupted, then exits 130', { timeout: 300_000 }, async () => {
    const out = join(dir, 'interrupted');
    let sent = false;
    const r = await compare(['--memory', '512,2048', '--out', out], (stderr, kill) => {
      // interrupt once the first size is set and its warm-up has begun
      if (!sent && stderr.includes('at 512 MB: updating')) {
        sent = true;
        setTimeout(kill, 1500);
      }
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    const [id] = readdirSync(out);
    // the stack's own log: set to 512 MB, then back to the 1,024 MB it started with
    const updates = readFileSync(join(out, id!, 'stack.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('UpdateFunctionConfiguration fanout-send-message'));
    expect(updates.map((l) => l.replace(/.*: /, ''))).toEqual(['MemorySize 512', 'MemorySize 1024']);
  });

  it('refuses bad sizes in one line, exit 2', async () => {
    const r = await compare(['--memory', '256,99999', '--out', join(dir, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('fanout-bench: --memory: each size must be an integer from 128 to 10240 MB, got "99999" in "256,99999"');
  });
});
