import type { Machine } from './machine.ts';
import { fleetName, floorOn, isFloor, ratio, spread, type Fleet, type FloorFleet, type FloorMeasurement, type Ratio, type RatioKey } from './measure-floor.ts';
import type { HeldMeasurement } from './measure-held.ts';
import type { SteadyMeasurement } from './measure-steady.ts';
import type { StepsMeasurement } from './measure-steps.ts';
import { FLOOR_LIMITS, FLOOR_LOST_KEY, floorKey, floorTargets, fmt, TARGETS, targetText, verdict, type FloorFigure, type Measurement, type Target, type Verdict } from './targets.ts';

/**
 * Everything one benchmark invocation found, in the shape both renderers (console table,
 * RESULTS.md) read: one row per target, and the supporting numbers per measurement.
 */
export interface Row {
  target: Target;
  value: number | undefined;
  /** beside the value: its spread over rounds */
  detail?: string;
  verdict: Verdict;
}

export interface Section {
  /** the part of the benchmark it belongs to (--only) */
  measurement: Measurement;
  title: string;
  /** load average (1, 5, 15 min) just before and just after */
  loadBefore: string;
  loadAfter: string;
  lines: string[];
  /** the harness command(s) it ran */
  commands: string[];
  error?: string;
}

export interface CapacitySummary {
  date: string;
  command: string;
  mode: 'full' | 'quick';
  machine: Machine;
  rows: Row[];
  sections: Section[];
  wallSeconds: number;
}

export interface Measured {
  steady?: SteadyMeasurement;
  held?: HeldMeasurement;
  steps?: StepsMeasurement;
  floor?: FloorMeasurement;
}

export function targetValues(m: Measured): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {
    cpuPer10k: m.steady?.cpuPer10k,
    rssPer1000: m.held?.rssPer1000MB,
    connectsPerSec: m.held?.connectsPerSec,
    clientsHeld: m.held?.held,
    maxDeliveriesPerSec: m.steps?.maxDeliveriesPerSec,
  };
  const f = m.floor;
  if (f) {
    for (const rate of f.rates) {
      for (const n of f.shards) {
        for (const figure of Object.keys(FLOOR_LIMITS) as FloorFigure[]) {
          out[floorKey(figure, n, rate)] = ratio(f, n, rate, figure)?.median;
          if (n > 1) out[floorKey(figure, n, rate, n)] = ratio(f, n, rate, figure, floorOn(n))?.median;
        }
      }
    }
    out[FLOOR_LOST_KEY] = f.trials.filter((t) => !isFloor(t.fleet)).reduce((a, t) => a + t.figures.lost, 0);
  }
  return out;
}

/** The rows of the measurements in `only`: fixed targets, and the floor's for the rates it measured. */
export function rows(m: Measured, quick: boolean, only: readonly string[]): Row[] {
  const values = targetValues(m);
  const f = m.floor;
  const all = [...TARGETS, ...(f ? floorTargets(f.shards, f.defaultShards, f.rates) : [])];
  return all
    .filter((t) => only.includes(t.measurement))
    .map((t) => {
      const parts = t.key.split(':');
      const r = f && parts[0]!.startsWith('floor') && parts.length === 4 ? ratio(f, Number(parts[2]), Number(parts[3]), parts[1] as RatioKey, parts[0] as FloorFleet) : undefined;
      return { target: t, value: values[t.key], verdict: verdict(t, values[t.key], quick), ...(r ? { detail: ratioRange(r) } : {}) };
    });
}

const ratioRange = (r: Ratio) => (r.each.length > 1 ? `(${fmt(r.min, 2)}–${fmt(r.max, 2)})` : '');

const n = (v: number, d = 0) => fmt(v, d);

export function steadyLines(s: SteadyMeasurement): string[] {
  const r = s.run.results;
  return [
    `${n(s.deliveriesPerSec)} deliveries/s achieved (${r.config.clients} clients, ${r.config.rooms} rooms of ${r.config.clients / r.config.rooms}, ${r.harness.shards} shards), lost ${s.lost}`,
    `harness CPU ${n(s.shardCpuSeconds, 2)} CPU-s in the phase as the shards measured it; ${n(s.procCpuSeconds, 2)} CPU-s read from /proc (check)`,
    `parent process ${n(s.parentCpuPer10k, 3)} CPU-s per 10k deliveries (merging, writing; not in the shards' figure)`,
    `server (not the harness) ${n(s.serverCpuPer10k, 3)} CPU-s per 10k deliveries`,
    `event-loop lag p99 ${n(s.lagP99Ms, 1)} ms; harness says saturated: ${s.saturated}`,
  ];
}

export function heldLines(h: HeldMeasurement, cores: number): string[] {
  const both = h.harnessCpuPerConnectMs + h.serverCpuPerConnectMs;
  return [
    `${n(h.clients)} clients over ${h.shards} shards against ${h.serverWorkers} server workers; source addresses spread over 127.0.0.x past 10,000 clients`,
    `held ${n(h.held)} open through the hold; connect failures ${h.connectFailed}`,
    `connects: ${n(h.connectsPerSec)}/s over the ramp (opened ÷ ramp phase time), best 1-s interval ${n(h.connectsPeakPerSec)}/s, connect p99 ${n(h.connectP99Ms)} ms (from the intended time, offered 20,000/s)`,
    `CPU per connect: harness ${n(h.harnessCpuPerConnectMs, 3)} ms (≈ ${n(1000 / h.harnessCpuPerConnectMs)} connects/s per harness core), server ${n(h.serverCpuPerConnectMs, 3)} ms; together they allow at most ≈ ${n((cores * 1000) / both)} connects/s on ${cores} cores`,
    `shard RSS (sum): ${n(h.baselineRssMB, 1)} MB empty, ${n(h.heldRssMB, 1)} MB holding ${n(h.held)} → ${n(h.rssPer1000MB, 2)} MB per 1,000`,
  ];
}

export function stepsLines(s: StepsMeasurement, cores: number): string[] {
  const kept = s.steps.filter((x) => x.keptUp);
  const top = kept.at(-1) ?? s.steps[0];
  const firstFail = s.steps.find((x) => !x.keptUp && Number.isFinite(x.harnessCores));
  const out = [
    `max sustained: ${n(s.maxDeliveriesPerSec)} deliveries/s (criteria: lost ≤ 0.1 %, arrivals ≥ 95 % of what the step's sends owe, broadcast p99 ≤ 1 s)`,
  ];
  if (s.stoppedEarly) out.push(`run interrupted by the benchmark (${s.stoppedEarly}); later steps not run`);
  if (top && Number.isFinite(top.harnessCpuPer10k)) {
    out.push(
      `at ${n(top.offeredPerSec)}/s offered the harness spent ${n(top.harnessCpuPer10k, 3)} CPU-s per 10k deliveries (≈ ${n(10_000 / top.harnessCpuPer10k)} deliveries/s per harness core) and the server ${n(top.serverCores, 2)} cores`,
    );
  }
  if (firstFail) {
    const used = firstFail.harnessCores + firstFail.serverCores;
    const bound = used >= 0.85 * cores ? 'the machine was out of CPU (harness and server share it), not the harness alone' : 'the machine still had CPU to spare';
    out.push(`the first step that did not keep up (${n(firstFail.offeredPerSec)}/s) used ${n(used, 2)} of ${cores} cores (harness ${n(firstFail.harnessCores, 2)} + server ${n(firstFail.serverCores, 2)}): ${bound}`);
  }
  out.push(
    '| offered/s | delivered/s | arrived in step | lost | p99 ms | missed send slots | harness cores | harness CPU-s/10k | server cores | kept up |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const x of s.steps) {
    out.push(
      `| ${n(x.offeredPerSec)} | ${n(x.deliveredPerSec)} | ${Number.isFinite(x.arrivalShare) ? `${n(x.arrivalShare * 100)} %` : '—'} | ${n(x.lost)} | ${n(x.p99Ms, 1)} | ${n(x.missedSlots)} | ${n(x.harnessCores, 2)} | ${n(x.harnessCpuPer10k, 3)} | ${n(x.serverCores, 2)} | ${x.keptUp ? 'yes' : `no: ${x.why}`} |`,
    );
  }
  return out;
}

export function floorLines(f: FloorMeasurement): string[] {
  const who = (x: Fleet, rate: number) => fleetName(x, f.defaultShards[rate]);
  const mmm = (r: Ratio | undefined, d: number) => (r ? (r.each.length > 1 ? `${fmt(r.median, d)} (${fmt(r.min, d)}–${fmt(r.max, d)})` : fmt(r.median, d)) : '—');
  const out = [
    `the harness spoke ${f.protocol === 'chat-v1' ? 'chat-v1 (its own protocol)' : 'a described protocol (chat-v1\'s wire format written as a description: answers matched by JSON path, deliveries found by the probe\'s marker)'}`,
    `${f.orders.length} rounds against one minimal server (2 workers), the fleets alternated (orders: ${f.orders.map((o) => o.map((x) => (isFloor(x) ? x : `${x}sh`)).join('→')).join(', ')}); load average before each round: ${f.loads.join(' | ')}`,
    `bare ws fleet: no harness code (bench/harness-capacity/bare-fleet.ts): the same 20 rooms × 100 members, one sender per room on an open-model schedule, JSON.parse and one HDR record per delivery; on one process, and split over n processes as the harness splits n shards (client c in process c mod n, the senders spread over them) for each n > 1 measured`,
    `CPU = every process of the fleet (harness: shards and parent) from /proc over the phase ÷ deliveries that arrived in it; latency = intended send time → arrival`,
    f.highRate === undefined
      ? `highest rate every fleet keeps up with: none of ${f.steps.map((s) => s.rate).filter((r, i, a) => a.indexOf(r) === i).join(', ')}/s; only 20,000/s compared (measurement 5's criteria, and at most 1 % of send slots late)`
      : `highest rate every fleet keeps up with: ${fmt(f.highRate, 0)} deliveries/s (steps ${[...new Set(f.steps.map((s) => s.rate))].map((r) => fmt(r, 0)).join(', ')}; measurement 5's criteria, and at most 1 % of send slots late)`,
  ];
  for (const s of f.steps.filter((x) => !x.keptUp)) out.push(`  step ${fmt(s.rate, 0)}/s, ${who(s.fleet, s.rate)}: did not keep up (${s.why})`);
  out.push(
    'Each figure: median (min–max) over rounds; ratios are a fleet ÷ the bare fleet on one process within a round, and (last four columns) harness on n shards ÷ bare fleet on n processes.',
    '| fleet | deliveries/s | CPU-s per 10k | p50 ms | p99 ms | p99.9 ms | max ms | lost | missed send slots | CPU × floor | p50 × floor | p99 × floor | p99.9 × floor | CPU × same-process floor | p50 × same | p99 × same | p99.9 × same |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const rate of f.rates) {
    for (const x of [...f.shards.map(floorOn), ...f.shards] as Fleet[]) {
      const fig = (k: 'cpuPer10k' | 'p50Ms' | 'p99Ms' | 'p999Ms' | 'maxMs' | 'lost' | 'missedSlots', d: number) => mmm(spread(f, x, rate, k), d);
      const rat = (k: RatioKey) => (x === 'floor' ? '1' : mmm(ratio(f, x, rate, k), 2));
      const same = (k: RatioKey) => (typeof x === 'number' && x > 1 ? mmm(ratio(f, x, rate, k, floorOn(x)), 2) : '—');
      out.push(
        `| ${who(x, rate)} | ${fmt(rate, 0)} | ${fig('cpuPer10k', 3)} | ${fig('p50Ms', 2)} | ${fig('p99Ms', 2)} | ${fig('p999Ms', 2)} | ${fig('maxMs', 1)} | ${fig('lost', 0)} | ${fig('missedSlots', 0)} | ${rat('cpuPer10k')} | ${rat('p50Ms')} | ${rat('p99Ms')} | ${rat('p999Ms')} | ${same('cpuPer10k')} | ${same('p50Ms')} | ${same('p99Ms')} | ${same('p999Ms')} |`,
      );
    }
  }
  return out;
}

export function rowText(r: Row): { label: string; measured: string; target: string; verdict: string } {
  return {
    label: r.target.label,
    measured: r.value === undefined ? '—' : `${fmt(r.value, r.target.digits)} ${r.target.unit}${r.detail ? ` ${r.detail}` : ''}`,
    target: r.target.max === undefined && r.target.min === undefined ? '—' : `${targetText(r.target)} ${r.target.unit}`,
    verdict: r.verdict,
  };
}
