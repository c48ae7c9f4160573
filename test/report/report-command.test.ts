import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { reportCommand } from '../../src/commands/report.ts';
import { writeReports } from '../../src/report/run/write.ts';
import { buildResults, resultsWithOldTransferLine } from './fixtures.ts';

const run = promisify(execFile);
const CLI = new URL('../../bin/fanout-bench.js', import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-report-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runDir(name: string, results: unknown): Promise<string> {
  const d = join(dir, name);
  await rm(d, { recursive: true, force: true });
  await mkdir(d, { recursive: true });
  if (results !== undefined) await writeFile(join(d, 'results.json'), typeof results === 'string' ? results : JSON.stringify(results));
  return d;
}

async function userError(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return (err as UserError).message;
}

describe('writeReports', () => {
  it('writes index.html, summary.md and junit.xml into the run directory', async () => {
    const d = await runDir('write', undefined);
    const files = await writeReports(buildResults(), d);
    expect(files).toEqual([join(d, 'index.html'), join(d, 'summary.md'), join(d, 'junit.xml')]);
    expect(await readFile(files[0], 'utf8')).toMatch(/^<!doctype html>/);
    expect(await readFile(files[1], 'utf8')).toMatch(/^## fanout-bench: room-fanout/);
    expect(await readFile(files[2], 'utf8')).toMatch(/^<\?xml/);
  });
});

describe('fanout-bench report <run-dir>', () => {
  it('re-renders the three reports from results.json', async () => {
    const d = await runDir('ok', buildResults());
    const files = await reportCommand(d);
    expect(files.map((f) => f.slice(d.length + 1))).toEqual(['index.html', 'summary.md', 'junit.xml']);
    expect(await readFile(join(d, 'junit.xml'), 'utf8')).toContain('tests="5"');
  });

  it('names the file when results.json is missing', async () => {
    const d = await runDir('missing', undefined);
    expect(await userError(reportCommand(d))).toBe(`${join(d, 'results.json')}: no such file`);
  });

  it('names the file and the field when results.json is invalid', async () => {
    const bad = buildResults() as unknown as { deliveries: { lost: number } };
    bad.deliveries.lost = -1;
    const d = await runDir('invalid', bad);
    expect(await userError(reportCommand(d))).toMatch(new RegExp(`^${join(d, 'results.json')}: deliveries\\.lost: `));
    const d2 = await runDir('not-json', '{"schemaVersion":');
    expect(await userError(reportCommand(d2))).toMatch(/results\.json: not valid JSON/);
  });

  it('from the CLI: a bad results.json is one line on stderr and exit code 2', async () => {
    const bad = buildResults() as unknown as { cost: { totals: { total: string } } };
    bad.cost.totals.total = 'free';
    const d = await runDir('cli-invalid', bad);
    const err = await run(process.execPath, [CLI, 'report', d]).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    // (the AWS SDK may add its Node-version notice to stderr; ours is the one fanout-bench line)
    const lines = err!.stderr.split('\n').filter((l) => l.startsWith('fanout-bench:'));
    expect(lines).toEqual([`fanout-bench: ${join(d, 'results.json')}: cost.totals.total: Invalid input: expected number, received string`]);
  }, 60_000);

  it('from the CLI: prints the files it wrote', async () => {
    const d = await runDir('cli-ok', buildResults());
    const { stdout } = await run(process.execPath, [CLI, 'report', d], { cwd: d });
    expect(stdout.trim().split('\n')).toEqual(['index.html', 'summary.md', 'junit.xml']);
  }, 60_000);

  it('--prices and --arch re-estimate the cost and keep results.json in agreement', async () => {
    const d = await runDir('prices', buildResults());
    const before = JSON.parse(await readFile(join(d, 'results.json'), 'utf8'));
    const pricesFile = join(d, 'prices.yaml');
    // ten times the request price, everything else as listed
    await writeFile(pricesFile, 'asOf: "2026-11-01"\nlambda:\n  requestsPerMillion: 2.0\n');
    await reportCommand(d, { prices: pricesFile, arch: 'arm64' });
    const after = JSON.parse(await readFile(join(d, 'results.json'), 'utf8'));
    expect(after.cost.prices.asOf).toBe('2026-11-01');
    expect(after.cost.prices.lambda.requestsPerMillion).toBe(2.0);
    expect(after.cost.architecture).toBe('arm64');
    const requests = (c: { lines: { service: string; item: string; cost: number }[] }) =>
      c.lines.filter((l) => l.service === 'Lambda' && /requests/.test(l.item)).reduce((a, l) => a + l.cost, 0);
    expect(requests(after.cost)).toBeCloseTo(requests(before.cost) * 10, 9);
    expect(await readFile(join(d, 'summary.md'), 'utf8')).toContain('Cost');
  });

  describe('results recorded with the old data-transfer line (AWS charges none on WebSocket APIs)', () => {
    const NOTE = 'This estimate was recorded with a data-transfer-out line of $0.00662 (0.0735 GB at $0.09 per GB), which AWS does not charge on WebSocket APIs';

    it('still read, and re-render with a note saying so and the estimate without it; results.json stays as recorded', async () => {
      const d = await runDir('old-transfer', resultsWithOldTransferLine());
      const recorded = await readFile(join(d, 'results.json'), 'utf8');
      const { stdout } = await run(process.execPath, [CLI, 'report', d], { cwd: d });
      expect(stdout.trim().split('\n')).toEqual(['index.html', 'summary.md', 'junit.xml']);
      for (const f of ['index.html', 'summary.md']) {
        const text = await readFile(join(d, f), 'utf8');
        expect(text, f).toContain(NOTE);
        expect(text, f).toContain('Without it: $0.119 this run, $1.16 per 1M deliveries, $2,776.80 per 1,000 users per month.');
      }
      expect(await readFile(join(d, 'results.json'), 'utf8')).toBe(recorded);
    }, 60_000);

    it('--arch estimates it again without the line, at its recorded prices less the transfer price', async () => {
      const d = await runDir('old-transfer-arch', resultsWithOldTransferLine());
      await reportCommand(d, { arch: 'x86_64' });
      const after = JSON.parse(await readFile(join(d, 'results.json'), 'utf8'));
      expect(after.cost.lines.map((l: { service: string }) => l.service)).not.toContain('Data transfer');
      expect(after.cost.totals.dataTransfer).toBeUndefined();
      expect(after.cost.prices.dataTransferOut).toBeUndefined();
      expect(after.cost.transferOut).toBe('not-charged');
      expect(after.cost.totals.total).toBeCloseTo(0.11887, 5);
      expect(await readFile(join(d, 'summary.md'), 'utf8')).not.toContain(NOTE);
    });

    it('--prices FILE with dataTransferOut adds a transfer line a contract charges, with no note', async () => {
      const d = await runDir('old-transfer-priced', resultsWithOldTransferLine());
      const pricesFile = join(d, 'contract.json');
      await writeFile(pricesFile, '{"dataTransferOut":{"outPerGB":0.05}}');
      await reportCommand(d, { prices: pricesFile });
      const after = JSON.parse(await readFile(join(d, 'results.json'), 'utf8'));
      const line = after.cost.lines.find((l: { service: string }) => l.service === 'Data transfer');
      expect(line).toMatchObject({ unitPrice: 0.05, source: 'assumption' });
      expect(after.cost.transferOut).toBe('priced');
      const md = await readFile(join(d, 'summary.md'), 'utf8');
      expect(md).toContain(' · data transfer out $0.00368) · ');
      expect(md).not.toContain(NOTE);
    });
  });

  it('a bad price file or architecture: one line naming it, exit 2', async () => {
    const d = await runDir('bad-prices', buildResults());
    const pricesFile = join(d, 'prices.json');
    await writeFile(pricesFile, JSON.stringify({ lambda: { requestsPerMillion: -1 } }));
    expect(await userError(reportCommand(d, { prices: pricesFile }))).toMatch(new RegExp(`^${pricesFile}: lambda\\.requestsPerMillion: `));
    const err = await run(process.execPath, [CLI, 'report', d, '--arch', 'sparc']).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err!.stderr).toBe('fanout-bench: --arch: must be x86_64 or arm64, got "sparc"\n');
  }, 60_000);
});
