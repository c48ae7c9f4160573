import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Results } from '../../src/contracts/results-schema.ts';
import { blockMarkers, writeResultsBlock } from '../results-block.ts';
import { runCli, type CliRun } from './cli-run.ts';
import { idleHostInitMs } from './idle-init.ts';
import { summarizeProfiles } from './profile-summary.ts';

/**
 * `npx tsx bench/emulator-capacity/main.ts [--quick] [--write] [--only a,b] [--keep] [--template <path>]`
 *
 * Whole local stack and harness on one machine, `--target local`, default memory sizes, driven
 * through the real CLI. Measures what "the local stack keeps up" asks for:
 *   capacity  2,000 clients in 20 rooms of 100: connects at 450/s and joins at 600/s within 1.5×
 *             their paced time; 2,500 deliveries/s for 15 s, nothing lost, broadcast p99 < 500 ms;
 *             then, once the fan-outs in flight have finished (as in floor.ts), 1,250
 *             deliveries/s, broadcast p99 < 100 ms.
 *   fanout    `run fanout --clients 2000 --rooms 100 --duration 15s` within 45 s of wall time.
 *   default   the default run three times with one seed: warm connect and broadcast p50 < 50 ms,
 *             a cold start costs the client about what it costs on an idle host (one at a
 *             time: INIT and the first invocation's own work), warm broadcast p50 and
 *             sendMessage Duration p50 within ±10 % of their median, work counts identical.
 *   profile   the capacity run under `node --cpu-prof`: where the CPU goes, per component.
 *   ceiling   sendMessage at rising rates: the highest that keeps up.
 * Prints measured vs target with PASS/FAIL; --write records the result in bench/RESULTS.md.
 * --quick: smaller sizes, a smoke check (not a measurement to record).
 * --template: every harness run serves that stack (`run … --template`, e.g. a cdk.out of the
 * reference stack) instead of the built-in one; the idle-host INIT probe stays on the built-in.
 * template-compare.ts puts the two side by side in one process.
 */
const ALL = ['capacity', 'fanout', 'default', 'profile', 'ceiling'] as const;
type Which = (typeof ALL)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    template: { type: 'string' },
  },
});
const only = (values.only?.split(',').map((s) => s.trim()) ?? [...ALL]) as Which[];
const unknown = only.find((w) => !ALL.includes(w));
if (unknown) {
  process.stderr.write(`emulator-capacity: --only: unknown measurement "${unknown}" (one of ${ALL.join(', ')})\n`);
  process.exit(2);
}
const quick = values.quick === true;
if (values.template !== undefined && !existsSync(values.template)) {
  process.stderr.write(`emulator-capacity: --template: ${values.template} does not exist\n`);
  process.exit(2);
}
const templateArgs = values.template !== undefined ? ['--template', resolve(values.template)] : [];
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fb-emulator-capacity-'));
const started = performance.now();

interface Row {
  measurement: string;
  measured: string;
  target: string;
  verdict: 'PASS' | 'FAIL' | 'info';
}
const rows: Row[] = [];
const notes: string[] = [];
const commands: string[] = [];
const row = (measurement: string, measured: string, target: string, pass?: boolean) =>
  rows.push({ measurement, measured, target, verdict: pass === undefined ? 'info' : pass ? 'PASS' : 'FAIL' });
const ms = (v: number | undefined | null) => (v === undefined || v === null ? 'n/a' : `${v.toFixed(1)} ms`);
const s1 = (v: number) => `${v.toFixed(1)} s`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const log = (line: string) => process.stderr.write(`emulator-capacity: ${line}\n`);

async function run(args: string[], timeoutMs: number, profileDir?: string): Promise<CliRun> {
  log(`${args.join(' ')} (load ${load()}) …`);
  const r = await runCli({ args: [...args, ...templateArgs], outDir: dir, timeoutMs, profileDir });
  commands.push(r.command);
  log(`  exit ${r.exitCode}, ${s1(r.wallSeconds)}`);
  return r;
}

function phase(r: Results, name: string) {
  const p = r.phases?.find((x) => x.name === name);
  if (!p) throw new Error(`results.json has no phase "${name}"`);
  return p;
}

/** The work a run did, which must not vary between runs of one scenario and seed. */
function workCounts(r: Results): Record<string, number> {
  const out: Record<string, number> = {
    'deliveries expected': r.deliveries.expected,
    'deliveries received': r.deliveries.received,
    'sends acked': r.sends.acked,
  };
  for (const [fn, l] of Object.entries(r.cloudwatch?.lambda ?? {})) if (l.invocations) out[`${fn} invocations`] = l.invocations;
  const posts = r.cloudwatch?.emf?.FanoutDeliveries?.sum;
  if (posts !== undefined) out['@connections posts delivered'] = posts;
  return out;
}

function withinOfMedian(values: number[], share: number): { median: number; worst: number; ok: boolean } {
  const median = [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const worst = Math.max(...values.map((v) => Math.abs(v - median) / median));
  return { median, worst, ok: worst <= share };
}

function cpuLine(r: CliRun): string | undefined {
  const c = r.hostCpu;
  if (!c) return undefined;
  const env = Object.values(c.environments);
  const init = env.reduce((a, e) => a + e.initMs, 0);
  const invoke = env.reduce((a, e) => a + e.invokeMs, 0);
  const harness = r.results.harness.cpuSeconds + (r.results.harness.parentCpuSeconds ?? 0);
  return (
    `host CPU: stack ${s1(c.totalMs / 1000)} = main thread (gateway, @connections, CloudWatch, runtime) ${s1(c.mainThreadMs / 1000)}` +
    ` + environments ${s1(invoke / 1000)} invoking + ${s1(init / 1000)} boot/INIT + DynamoDB thread (dynalite) ${s1((c.dynamodbMs ?? 0) / 1000)}` +
    ` + other threads (V8 GC and compilers, I/O) ${s1(c.otherThreadsMs / 1000)};` +
    ` harness ${s1(harness)}`
  );
}

const measurements: Record<Which, () => Promise<void>> = {
  async capacity() {
    const r = await run([here('./capacity.yaml'), ...(quick ? ['--clients', '400', '--rooms', '4'] : [])], 180_000);
    const res = r.results;
    const clients = quick ? 400 : 2000;
    const connect = phase(res, 'connect');
    const join = phase(res, 'join');
    const paced = (rate: number) => (clients / rate) * 1000;
    // A phase only finishes "in time" if everything in it succeeded: refused connects or failed
    // joins end a phase early, which would otherwise read as keeping up.
    const { opened, joined } = res.connections ?? { opened: 0, joined: 0 };
    row('connect phase at 450/s: wall ÷ paced time', `${(connect.durationMs / paced(450)).toFixed(2)}× (${s1(connect.durationMs / 1000)}), ${opened} of ${clients} opened`, '≤ 1.50×, all', connect.durationMs <= 1.5 * paced(450) && opened === clients);
    row('join phase at 600/s: wall ÷ paced time', `${(join.durationMs / paced(600)).toFixed(2)}× (${s1(join.durationMs / 1000)}), ${joined} of ${clients} joined`, '≤ 1.50×, all', join.durationMs <= 1.5 * paced(600) && joined === clients);
    const hi = phase(res, 'deliveries-2500');
    const lo = phase(res, 'deliveries-1250');
    row('2,500 deliveries/s for 15 s: lost', `${hi.deliveries.lost} of ${hi.deliveries.expected}`, '0', hi.deliveries.lost === 0 && hi.deliveries.expected > 0);
    row('2,500 deliveries/s: broadcast p99', ms(hi.broadcast?.p99), '< 500 ms', (hi.broadcast?.p99 ?? Infinity) < 500);
    row('1,250 deliveries/s: broadcast p99', ms(lo.broadcast?.p99), '< 100 ms', (lo.broadcast?.p99 ?? Infinity) < 100);
    row('1,250 deliveries/s: lost', `${lo.deliveries.lost} of ${lo.deliveries.expected}`, '0', lo.deliveries.lost === 0 && lo.deliveries.expected > 0);
    notes.push(`capacity: broadcast p50 ${ms(hi.broadcast?.p50)} at 2,500/s, ${ms(lo.broadcast?.p50)} at 1,250/s; harness saturated: ${res.harness.saturated}`);
    const cpu = cpuLine(r);
    if (cpu) notes.push(`capacity: ${cpu}`);
    const delivered = res.deliveries.received;
    if (r.hostCpu && delivered > 0) {
      const harness = res.harness.cpuSeconds + (res.harness.parentCpuSeconds ?? 0);
      notes.push(`capacity: ${(((r.hostCpu.totalMs / 1000 + harness) / delivered) * 1000).toFixed(2)} CPU-ms per delivery, whole run, stack + harness (${delivered.toLocaleString('en-US')} deliveries)`);
    }
  },

  async fanout() {
    const clients = quick ? '500' : '2000';
    const r = await run(['fanout', '--clients', clients, '--rooms', quick ? '25' : '100', '--duration', '15s'], 120_000);
    row(`run fanout --clients ${clients} --rooms ${quick ? 25 : 100} --duration 15s: wall time`, s1(r.wallSeconds), '≤ 45 s', r.exitCode === 0 && r.wallSeconds <= 45);
    notes.push(`fanout: exit ${r.exitCode}; broadcast p50 ${ms(r.results.metrics.broadcast?.p50)}, p99 ${ms(r.results.metrics.broadcast?.p99)}; lost ${r.results.deliveries.lost}`);
  },

  async default() {
    const idle = await idleHostInitMs('fanout-send-message', quick ? 3 : 7);
    const idleP50 = [...idle].sort((a, b) => a - b)[Math.floor(idle.length / 2)]!;
    // What a cold start costs a client when nothing else runs: INIT and the first invocation's
    // own work (its sockets, the SDK's first request), which a warm one does not do either.
    const alone = (await run([here('./cold-one-at-a-time.yaml')], 60_000)).results.metrics;
    const idleColdCost = (alone.broadcastCold?.p50 ?? NaN) - (alone.broadcastWarm?.p50 ?? NaN);
    const runs: CliRun[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) runs.push(await run(['default', '--seed', '1'], 180_000));
    const first = runs[0]!.results;
    const warmBroadcast = runs.map((r) => r.results.metrics.broadcastWarm?.p50 ?? NaN);
    // $connect says which connects ran cold (the subprotocol it selects): warm ones are the rest.
    const warmConnect = Math.max(...runs.map((r) => r.results.metrics.connectWarm?.p50 ?? NaN));
    row('default run: warm connect p50', ms(warmConnect), '< 50 ms', warmConnect < 50);
    const c = first.metrics;
    notes.push(
      `default: connects ${c.connect.count}: cold ${c.connectCold?.count ?? 0} (p50 ${ms(c.connectCold?.p50)}), warm ${c.connectWarm?.count ?? 0} (p50 ${ms(c.connectWarm?.p50)}); ` +
        `fanout-connect Init Duration p50 ${ms(first.cloudwatch?.reports?.['fanout-connect']?.initDuration?.p50)}`,
    );
    // The emulator's own account of the wait AWS would not have (FanoutBench/LocalHost).
    const host = first.cloudwatch?.localHost;
    if (host) {
      const held = Object.entries(host.heldBack).map(([fn, b]) => `${fn} ${b.count} (wait p50 ${ms(b.p50Ms)})`);
      notes.push(`default: local host busy avg ${host.hostBusyAvgPercent?.toFixed(0)} %, peak ${host.hostBusyPeakPercent?.toFixed(0)} %; held back: ${held.join(', ') || 'none'}`);
    }
    row('default run: warm broadcast p50', ms(Math.max(...warmBroadcast)), '< 50 ms', Math.max(...warmBroadcast) < 50);
    const cold = first.metrics.broadcastCold?.p50;
    const warm = first.metrics.broadcastWarm?.p50;
    const coldCost = cold !== undefined && warm !== undefined ? cold - warm : undefined;
    const charged = first.cloudwatch?.reports?.['fanout-send-message']?.initDuration?.p50;
    row(
      'default run: what a cold sendMessage costs a client (cold − warm broadcast p50)',
      `${ms(coldCost)} (on an idle host, one at a time: ${ms(idleColdCost)}; Init Duration p50 in the run ${ms(charged)}, on an idle host ${ms(idleP50)})`,
      '≤ 2 × on an idle host',
      coldCost !== undefined && coldCost <= 2 * idleColdCost,
    );
    notes.push(`default: idle-host INIT of fanout-send-message, one at a time: ${idle.map((v) => v.toFixed(1)).join(', ')} ms`);
    notes.push(`default: on an idle host (cold-one-at-a-time.yaml: a room of 10, every message on a fresh environment, then warm) cold broadcast p50 ${ms(alone.broadcastCold?.p50)}, warm ${ms(alone.broadcastWarm?.p50)}`);
    if (runs.length > 1) {
      const b = withinOfMedian(warmBroadcast, 0.1);
      row('3 runs, seed 1: warm broadcast p50, worst deviation from median', `${(b.worst * 100).toFixed(1)} % (median ${ms(b.median)})`, '≤ ±10 %', b.ok);
      const durations = runs.map((r) => r.results.cloudwatch?.lambda?.['fanout-send-message']?.durationP50Ms ?? NaN);
      const d = withinOfMedian(durations, 0.1);
      row('3 runs, seed 1: sendMessage Duration p50, worst deviation from median', `${(d.worst * 100).toFixed(1)} % (median ${ms(d.median)})`, '≤ ±10 %', d.ok);
      const counts = runs.map((r) => workCounts(r.results));
      const same = counts.every((c) => JSON.stringify(c) === JSON.stringify(counts[0]));
      row('3 runs, seed 1: work counts identical', same ? 'identical' : 'differ', 'identical', same);
      notes.push(`default: work counts ${runs.length} runs: ${counts.map((c) => JSON.stringify(c)).join(' | ')}`);
      notes.push(`default: warm broadcast p50 per run ${warmBroadcast.map((v) => v.toFixed(1)).join(', ')} ms; sendMessage Duration p50 per run ${durations.map((v) => v.toFixed(1)).join(', ')} ms`);
    }
    const cpu = cpuLine(runs[0]!);
    if (cpu) notes.push(`default: ${cpu}`);
  },

  async profile() {
    const profileDir = join(dir, 'profiles');
    const r = await run([here('./capacity.yaml'), ...(quick ? ['--clients', '400', '--rooms', '4'] : [])], 300_000, profileDir);
    const s = summarizeProfiles(profileDir);
    const total = Object.values(s.byComponent).reduce((a, b) => a + b, 0);
    const parts = Object.entries(s.byComponent)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${s1(v / 1000)} (${((100 * v) / total).toFixed(0)} %)`);
    notes.push(`profile (capacity run under node --cpu-prof, ${s.profiles} profiles, ${s1(total / 1000)} sampled; profiling slows everything): ${parts.join(', ')}`);
    const fns = Object.entries(s.byFunction)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${s1(v / 1000)}`);
    notes.push(`profile: environments by function: ${fns.join(', ')}`);
    const cpu = cpuLine(r);
    if (cpu) notes.push(`profile run: ${cpu}`);
  },

  async ceiling() {
    const r = await run([here('./steps.yaml'), ...(quick ? ['--clients', '400', '--rooms', '4'] : [])], 240_000);
    const steps = (r.results.phases ?? []).filter((p) => p.kind === 'send');
    let best: string | undefined;
    for (const p of steps) {
      const ok = p.deliveries.lost === 0 && p.deliveries.expected > 0 && (p.broadcast?.p99 ?? Infinity) < 500;
      notes.push(`ceiling: ${p.name}: p50 ${ms(p.broadcast?.p50)}, p99 ${ms(p.broadcast?.p99)}, lost ${p.deliveries.lost} of ${p.deliveries.expected} → ${ok ? 'kept up' : 'did not keep up'}`);
      if (!ok) break;
      best = p.name;
    }
    row('ceiling: highest sendMessage rate kept up (nothing lost, broadcast p99 < 500 ms)', best ?? 'none', '—');
  },
};

try {
  for (const w of ALL) {
    if (!only.includes(w)) continue;
    try {
      await measurements[w]();
    } catch (err) {
      row(`${w}: not measured`, err instanceof Error ? err.message : String(err), '—', false);
    }
  }
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}

const wall = (performance.now() - started) / 1000;
const command = `npx tsx bench/emulator-capacity/main.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
const table = ['| measurement | measured | target | verdict |', '|---|---|---|---|', ...rows.map((r) => `| ${r.measurement} | ${r.measured} | ${r.target} | ${r.verdict} |`)];
process.stdout.write(`${table.join('\n')}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
if (values.write) {
  const file = here('../RESULTS.md');
  // A template's run is its own block: it does not replace the built-in stack's record.
  writeResultsBlock(file, blockMarkers(values.template !== undefined ? 'emulator-capacity-template' : 'emulator-capacity', 'bench/emulator-capacity/main.ts'), [
    values.template !== undefined ? '## Emulator capacity, the stack from a template (`--template`)' : '## Emulator capacity (the local stack keeps up)',
    '',
    `The whole local stack (\`--target local\`, default memory sizes${values.template !== undefined ? `, served from \`${values.template}\`` : ''}) and the harness on one machine, driven through the real CLI.`,
    '',
    `- command: \`${command}\` (${quick ? 'quick' : 'full'} mode, ${wall.toFixed(0)} s)`,
    `- measured: ${new Date().toISOString()}; load average at the end ${load()}`,
    `- machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown'}, ${Math.round(totalmem() / 2 ** 20)} MB, Node ${process.version}`,
    '',
    ...table,
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    'Harness runs:',
    '',
    ...commands.map((c) => `    ${c}`),
    '',
  ]);
  process.stdout.write(`wrote ${file}\n`);
}
if (values.keep) process.stdout.write(`run directories kept in ${dir}\n`);
process.exitCode = rows.some((r) => r.measurement.endsWith('not measured')) ? 1 : 0;
