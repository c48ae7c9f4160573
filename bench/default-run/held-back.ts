/**
 * How much of the default run the host holds back: the CLI's own default run (`fanout-bench run`,
 * compiled), `--runs` times, each run's share of the invocations serving timed requests that
 * waited for a host slot (results.attribution.stack), the connect p50 the client saw and the
 * stack's, and whether the run still met cold starts (its cold/warm split). The default scenario is
 * paced so that a 2-core host holds back at most 10 % (src/scenarios/builtin/default.ts).
 * `--scenario FILE` runs another pacing instead, for the comparison the note records.
 *
 *   npm run build && npx tsx bench/default-run/held-back.ts [--runs 3] [--scenario FILE] [--write]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Results } from '../../src/contracts/results-schema.ts';
import { blockMarkers, tsxCommand, writeResultsBlock } from '../results-block.ts';

const TARGET_SHARE = 0.1;
const BIN = new URL('../../bin/fanout-bench.js', import.meta.url).pathname;

const usage = (problem: string): never => {
  process.stderr.write(`held-back: ${problem} (usage: held-back.ts [--runs <1..10>] [--scenario FILE] [--write])\n`);
  process.exit(2);
};
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, scenario: { type: 'string' }, write: { type: 'boolean', default: false } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 10) usage(`--runs: a whole number from 1 to 10, got "${values.runs}"`);

interface Row {
  heldBack: number;
  invocations: number;
  coldConnects: number;
  coldDeliveries: number;
  connectClientP50: number;
  connectStackP50: number;
  seconds: number;
}

function runOnce(): Row {
  const out = mkdtempSync(join(tmpdir(), 'fb-held-back-'));
  try {
    const args = [BIN, 'run', ...(values.scenario ? [values.scenario] : []), '--out', out, '--no-progress'];
    const r = spawnSync(process.execPath, args, { env: { ...process.env, FANOUT_BENCH_COMPILED: '1' }, encoding: 'utf8', timeout: 300_000 });
    const [run] = readdirSync(out);
    if (!run) throw new Error(`no results (exit ${r.status}): ${r.stderr.slice(-400)}`);
    const results = Results.parse(JSON.parse(readFileSync(join(out, run, 'results.json'), 'utf8')));
    const a = results.attribution;
    if (!a?.stack) throw new Error('the run has no stack figures (was the access log read?)');
    return {
      heldBack: a.stack.heldBack,
      invocations: a.stack.invocations,
      coldConnects: a.connect?.cold?.count ?? 0,
      coldDeliveries: a.broadcast?.cold?.count ?? 0,
      connectClientP50: results.metrics.connect.p50,
      connectStackP50: a.stack.connect?.p50 ?? NaN,
      seconds: results.durationMs / 1000,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (let i = 0; i < runs; i++) {
  const row = runOnce();
  rows.push(row);
  process.stdout.write(
    `run ${i + 1}: held back ${row.heldBack} of ${row.invocations} (${((100 * row.heldBack) / row.invocations).toFixed(1)} %), cold ${row.coldConnects} connects and ${row.coldDeliveries} deliveries, connect p50 ${row.connectClientP50} ms client / ${row.connectStackP50} ms stack, ${row.seconds.toFixed(1)} s\n`,
  );
}
const worst = Math.max(...rows.map((r) => r.heldBack / r.invocations));
const met = worst <= TARGET_SHARE && rows.every((r) => r.coldConnects + r.coldDeliveries > 0);
process.stdout.write(`worst share held back ${(100 * worst).toFixed(1)} % (target at most ${100 * TARGET_SHARE} %, with cold starts in every run): ${met ? 'met' : 'NOT met'}\n`);

if (values.write) {
  const what = values.scenario ? `scenario ${values.scenario}` : 'the default scenario';
  writeResultsBlock(new URL('../RESULTS.md', import.meta.url).pathname, blockMarkers(`default-run-held-back${values.scenario ? '-other' : ''}`, 'bench/default-run/held-back.ts'), [
    `### The default run, paced: ${what}`,
    '',
    `\`npm run build && ${tsxCommand()} bench/default-run/held-back.ts --runs ${runs}${values.scenario ? ` --scenario ${values.scenario}` : ''} --write\` on ${availableParallelism()} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg()[0]!.toFixed(2)} at the end, ${new Date().toISOString().slice(0, 10)}:`,
    '',
    '| run | held back | of invocations | share | cold connects | cold deliveries | connect p50 client | connect p50 stack | length |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r, i) => `| ${i + 1} | ${r.heldBack} | ${r.invocations} | ${((100 * r.heldBack) / r.invocations).toFixed(1)} % | ${r.coldConnects} | ${r.coldDeliveries} | ${r.connectClientP50} ms | ${r.connectStackP50} ms | ${r.seconds.toFixed(1)} s |`),
    '',
    `Worst share held back ${(100 * worst).toFixed(1)} % against the target of at most ${100 * TARGET_SHARE} % with cold starts in every run: ${met ? 'met' : 'not met'}.`,
  ]);
}
process.exit(met || values.scenario ? 0 : 1);
