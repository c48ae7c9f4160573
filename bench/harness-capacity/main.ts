import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanupAll } from './cleanup.ts';
import { consoleReport } from './console-table.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { measureFloor } from './measure-floor.ts';
import { measureHeld } from './measure-held.ts';
import { measureSteady } from './measure-steady.ts';
import { measureSteps } from './measure-steps.ts';
import { writeResultsMd } from './results-md.ts';
import { BENCH_PROTOCOLS, FULL, QUICK, type BenchProtocol } from './scenarios.ts';
import { floorLines, heldLines, rows, steadyLines, stepsLines, type CapacitySummary, type Measured, type Section } from './summary.ts';

/**
 * `npx tsx bench/harness-capacity/main.ts [--quick] [--write] [--only steady,held,steps] [--keep] [--protocol chat-v1|described]`
 *
 * Measures the harness's own ceiling against the minimal fan-out server on 127.0.0.1: CPU per
 * delivery and p99 at 20,000 deliveries/s, RSS per 1,000 clients, connects/s, clients held, max
 * deliveries/s. Prints measured vs target with PASS/FAIL; --write records the result in
 * bench/RESULTS.md (with --only, only those measurements' parts: the others stay as recorded). Full mode takes about 3 minutes, --quick under one (smaller sizes: a smoke
 * check, not a measurement to record). Exit 0 when every measurement was taken (PASS or FAIL),
 * 1 when one could not be, 130 when interrupted.
 */
const MEASUREMENTS = ['steady', 'held', 'steps', 'floor'] as const;
type Which = (typeof MEASUREMENTS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    protocol: { type: 'string', default: 'chat-v1' },
  },
});
if (!(BENCH_PROTOCOLS as readonly string[]).includes(values.protocol!)) {
  process.stderr.write(`harness-capacity: --protocol: must be one of ${BENCH_PROTOCOLS.join(', ')}\n`);
  process.exit(2);
}
const protocol = values.protocol as BenchProtocol;
const only = (values.only?.split(',').map((s) => s.trim()) ?? [...MEASUREMENTS]) as Which[];
const unknown = only.filter((w) => !MEASUREMENTS.includes(w));
if (unknown.length > 0) {
  process.stderr.write(`harness-capacity: --only: unknown measurement "${unknown[0]}" (one of ${MEASUREMENTS.join(', ')})\n`);
  process.exit(2);
}

const sizes = values.quick ? QUICK : FULL;
const machine = describeMachine();
const dir = mkdtempSync(join(tmpdir(), 'fb-capacity-'));
const started = performance.now();
const measured: Measured = {};
const sections: Section[] = [];
let interrupted = false;

const onSignal = () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write('harness-capacity: interrupted: stopping the server and the harness run\n');
  void cleanupAll().then(() => {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

async function section(measurement: Which, title: string, run: () => Promise<{ lines: string[]; commands: string[] }>): Promise<void> {
  const loadBefore = loadAverage();
  process.stderr.write(`harness-capacity: ${title} (load average ${loadBefore}) …\n`);
  const s: Section = { measurement, title, loadBefore, loadAfter: '', lines: [], commands: [] };
  try {
    const out = await run();
    s.lines = out.lines;
    s.commands = out.commands;
  } catch (err) {
    s.error = err instanceof Error ? err.message : String(err);
  }
  s.loadAfter = loadAverage();
  sections.push(s);
}

try {
  if (only.includes('steady')) {
    await section('steady', '1. CPU per delivery and p99 at 20,000 deliveries/s', async () => {
      const m = (measured.steady = await measureSteady(sizes, dir));
      return { lines: steadyLines(m), commands: [m.run.command] };
    });
  }
  if (only.includes('held') && !interrupted) {
    await section('held', `2–4. ${sizes.heldClients.toLocaleString('en-US')} clients: RSS, connects/s, clients held`, async () => {
      const m = (measured.held = await measureHeld(sizes, dir));
      return { lines: heldLines(m, machine.cores), commands: [m.run.command] };
    });
  }
  if (only.includes('steps') && !interrupted) {
    await section('steps', '5. Max deliveries/s (send rate raised in steps)', async () => {
      const m = (measured.steps = await measureSteps(sizes, dir));
      return { lines: stepsLines(m, machine.cores), commands: [m.run.command] };
    });
  }
  if (only.includes('floor') && !interrupted) {
    await section('floor', '6. The floor: the harness beside a bare ws fleet, alternated', async () => {
      const m = (measured.floor = await measureFloor(sizes, dir, protocol));
      return { lines: floorLines(m), commands: m.commands };
    });
  }
} finally {
  await cleanupAll();
}

const summary: CapacitySummary = {
  date: new Date().toISOString(),
  command: `npx tsx bench/harness-capacity/main.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
  mode: values.quick ? 'quick' : 'full',
  machine,
  rows: rows(measured, values.quick === true, only),
  sections,
  wallSeconds: (performance.now() - started) / 1000,
};
process.stdout.write(consoleReport(summary));
if (values.write) {
  const file = fileURLToPath(new URL('../RESULTS.md', import.meta.url));
  writeResultsMd(file, summary, only);
  process.stdout.write(`wrote ${file}\n`);
}
if (values.keep) process.stdout.write(`run directories kept in ${dir}\n`);
else rmSync(dir, { recursive: true, force: true });

const missing = sections.some((s) => s.error) || summary.rows.some((r) => r.verdict === 'not measured');
process.exitCode = interrupted ? 130 : missing ? 1 : 0;
