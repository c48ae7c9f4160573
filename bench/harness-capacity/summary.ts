import type { Machine } from './machine.ts';
import type { HeldMeasurement } from './measure-held.ts';
import type { SteadyMeasurement } from './measure-steady.ts';
import type { StepsMeasurement } from './measure-steps.ts';
import { fmt, TARGETS, targetText, verdict, type Target, type TargetKey, type Verdict } from './targets.ts';

/**
 * Everything one benchmark invocation found, in the shape both renderers (console table,
 * RESULTS.md) read: one row per target, and the supporting numbers per measurement.
 */
export interface Row {
  target: Target;
  value: number | undefined;
  verdict: Verdict;
}

export interface Section {
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
}

export function targetValues(m: Measured): Partial<Record<TargetKey, number>> {
  return {
    cpuPer10k: m.steady?.cpuPer10k,
    p99At20k: m.steady?.p99Ms,
    rssPer1000: m.held?.rssPer1000MB,
    connectsPerSec: m.held?.connectsPerSec,
    clientsHeld: m.held?.held,
    maxDeliveriesPerSec: m.steps?.maxDeliveriesPerSec,
  };
}

export function rows(m: Measured, quick: boolean): Row[] {
  const values = targetValues(m);
  return TARGETS.map((t) => ({ target: t, value: values[t.key], verdict: verdict(t, values[t.key], quick) }));
}

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

export function rowText(r: Row): { label: string; measured: string; target: string; verdict: string } {
  return {
    label: r.target.label,
    measured: r.value === undefined ? '—' : `${fmt(r.value, r.target.digits)} ${r.target.unit}`,
    target: r.target.max === undefined && r.target.min === undefined ? '—' : `${targetText(r.target)} ${r.target.unit}`,
    verdict: r.verdict,
  };
}
