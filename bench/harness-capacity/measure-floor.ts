import * as hdr from 'hdr-histogram-js';
import { chooseShards } from '../../src/fleet/shard-count.ts';
import { newRunId } from '../../src/metrics/results/run-id.ts';
import type { BarePhaseResult } from './bare-fleet.ts';
import { runBareFleet, type BareRun } from './bare-run.ts';
import { runHarness, type HarnessRun } from './harness-run.ts';
import { loadAverage } from './machine.ts';
import { GIVE_UP_P99_MS, judgeStep, MAX_LOST_SHARE, MAX_P99_MS, MIN_DELIVERED_SHARE } from './measure-steps.ts';
import { median, phaseEnd, phaseIntervals, phaseNamed, sampledAt, sum } from './run-math.ts';
import {
  FLOOR_PAYLOAD_BYTES,
  FLOOR_ROOMS,
  ROOM_MEMBERS,
  STEADY_DELIVERIES_PER_SEC,
  WARMUP_PHASE,
  defaultShards,
  floorScenario,
  floorStepsScenario,
  ratePhase,
  stepPhase,
  writeScenario,
  type BenchProtocol,
  type Sizes,
} from './scenarios.ts';
import { startServer, type ServerProcess } from './server-process.ts';

/**
 * The floor inside the benchmark: a bare `ws` fleet (bare-fleet.ts, no harness code) and the
 * harness on 1 shard and on its default shards, against one minimal server, alternated round by
 * round (the order rotates, so none always runs first or last). Each round measures 20,000
 * deliveries/s and the highest rate every fleet keeps up with (found first, by a run of rising
 * steps per fleet). The harness's figures are read as ratios to the floor's in the same round.
 *
 * The bare fleet runs as one process ('floor') and, for each shard count above 1 the harness is
 * measured on, split over that many processes as the harness splits its shards ('floor-2'): n
 * processes on two cores each wake for part of every room's burst and share the cores with more
 * neighbours, whoever's code they run. The harness on n shards is judged against the bare fleet on
 * n processes (its own code's cost), and its default against the one-process floor too (the
 * cheapest way to measure at that rate).
 */
export type FloorFleet = 'floor' | `floor-${number}`;
export type Fleet = FloorFleet | number;

export const isFloor = (f: Fleet): f is FloorFleet => typeof f === 'string';
/** The processes a bare fleet runs on. */
export const floorProcesses = (f: FloorFleet): number => (f === 'floor' ? 1 : Number(f.slice('floor-'.length)));
/** The bare fleet on `processes` processes. */
export const floorOn = (processes: number): FloorFleet => (processes === 1 ? 'floor' : `floor-${processes}`);
/** How a fleet is named in the results. */
export function fleetName(f: Fleet, defaultShards?: number): string {
  if (isFloor(f)) return f === 'floor' ? 'bare ws fleet' : `bare ws fleet, ${floorProcesses(f)} processes`;
  return `harness, ${f} shard${f === 1 ? '' : 's'}${f === defaultShards ? ' (default)' : ''}`;
}

export interface Figures {
  /** CPU-seconds per 10,000 deliveries: every process of the fleet (harness: shards and parent), from /proc */
  cpuPer10k: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  lost: number;
  deliveries: number;
  missedSlots: number;
}

export interface Trial {
  round: number;
  /** a bare fleet ('floor', 'floor-2': on 2 processes), or the harness's shard count */
  fleet: Fleet;
  rate: number;
  figures: Figures;
}

export interface StepJudgement {
  fleet: Fleet;
  rate: number;
  keptUp: boolean;
  why?: string;
  p99Ms: number;
}

export interface FloorMeasurement {
  shards: number[];
  /** the protocol the harness spoke (the bare fleet always speaks chat-v1 its own way) */
  protocol: BenchProtocol;
  /** per deliveries/s (the compared rates and the steps): the shards `run` chooses for a floor scenario at that rate alone */
  defaultShards: Record<number, number>;
  rates: number[];
  /** highest step every fleet kept up with, undefined if none */
  highRate: number | undefined;
  steps: StepJudgement[];
  trials: Trial[];
  /** per round, the order the fleets ran in */
  orders: Fleet[][];
  /** load average before each round */
  loads: string[];
  commands: string[];
}

/**
 * Keeping up, for the floor comparison, is measurement 5's criteria and one more: at most 1 % of
 * the send slots fired late (over 5 ms past their intended time). A fleet whose own timers run
 * late is queueing, whatever arrives: its tail is no longer the harness's to compare.
 */
export const MAX_MISSED_SHARE = 0.01;

const KEYS = ['cpuPer10k', 'p50Ms', 'p99Ms', 'p999Ms'] as const;
export type RatioKey = (typeof KEYS)[number];
export const RATIO_KEYS: readonly RatioKey[] = KEYS;

export interface Ratio {
  median: number;
  min: number;
  max: number;
  /** one per round */
  each: number[];
}

/** Harness ÷ floor of `key`, round by round (same round: the fleets ran minutes apart at most). */
export function ratio(m: FloorMeasurement, fleet: Fleet, rate: number, key: RatioKey, floor: FloorFleet = 'floor'): Ratio | undefined {
  const each: number[] = [];
  for (let round = 0; round < m.orders.length; round++) {
    const f = m.trials.find((t) => t.round === round && t.fleet === floor && t.rate === rate);
    const h = m.trials.find((t) => t.round === round && t.fleet === fleet && t.rate === rate);
    if (f && h && f.figures[key] > 0 && Number.isFinite(h.figures[key])) each.push(h.figures[key] / f.figures[key]);
  }
  if (each.length === 0) return undefined;
  return { median: median(each), min: Math.min(...each), max: Math.max(...each), each };
}

/** The figure over rounds: median, min, max. */
export function spread(m: FloorMeasurement, fleet: Fleet, rate: number, key: keyof Figures): Ratio | undefined {
  const each = m.trials.filter((t) => t.fleet === fleet && t.rate === rate).map((t) => t.figures[key]);
  if (each.length === 0) return undefined;
  return { median: median(each), min: Math.min(...each), max: Math.max(...each), each };
}

export async function measureFloor(sizes: Sizes, dir: string, protocol: BenchProtocol = 'chat-v1'): Promise<FloorMeasurement> {
  const clients = FLOOR_ROOMS * ROOM_MEMBERS;
  // 1 shard, one per core (the default before it followed the load), and whatever the default is at each rate
  const defaults: Record<number, number> = {};
  for (const rate of [STEADY_DELIVERIES_PER_SEC, ...sizes.floorSteps]) defaults[rate] = defaultShards(floorScenario(sizes, [rate]));
  const shards = [...new Set([1, chooseShards(clients), ...Object.values(defaults)])].sort((a, b) => a - b);
  const fleets: Fleet[] = [...shards.map(floorOn), ...shards];
  const server = await startServer(2);
  const commands: string[] = [];
  try {
    const steps = await searchHighRate(sizes, dir, server, shards, commands, protocol);
    const highRate = highestKeptUp(steps, fleets, sizes.floorSteps);
    const rates = highRate === undefined || highRate === STEADY_DELIVERIES_PER_SEC ? [STEADY_DELIVERIES_PER_SEC] : [STEADY_DELIVERIES_PER_SEC, highRate];
    const scenarioFile = writeScenario(dir, floorScenario(sizes, rates, protocol));
    const trials: Trial[] = [];
    const orders: Fleet[][] = [];
    const loads: string[] = [];
    for (let round = 0; round < sizes.floorRounds; round++) {
      const order = fleets.map((_, i) => fleets[(i + round) % fleets.length]);
      orders.push(order);
      loads.push(loadAverage());
      for (const fleet of order) {
        process.stderr.write(`harness-capacity: floor round ${round + 1}/${sizes.floorRounds}: ${fleetName(fleet)} (load average ${loadAverage()})\n`);
        if (isFloor(fleet)) {
          const run = await runBareFleet({
            ...bareOptions(sizes, server, [`${WARMUP_PHASE}:${STEADY_DELIVERIES_PER_SEC}:${sizes.warmupSeconds}`, ...rates.map((r) => `${ratePhase(r)}:${r}:${sizes.floorSeconds}`)]),
            processes: floorProcesses(fleet),
          });
          if (round === 0) commands.push(run.command);
          for (const rate of rates) trials.push({ round, fleet, rate, figures: bareFigures(run, ratePhase(rate)) });
        } else {
          const run = await runHarness({ scenarioFile, targetUrl: server.url, shards: fleet, outDir: dir, timeoutMs: (rates.length * sizes.floorSeconds + 90) * 1000 });
          if (round === 0) commands.push(run.command);
          for (const rate of rates) trials.push({ round, fleet, rate, figures: harnessFigures(run, ratePhase(rate)) });
        }
      }
    }
    return { shards, protocol, defaultShards: defaults, rates, highRate, steps, trials, orders, loads, commands };
  } finally {
    await server.stop();
  }
}

export function bareOptions(sizes: Sizes, server: ServerProcess, phases: string[]) {
  return {
    targetUrl: server.url,
    clients: FLOOR_ROOMS * ROOM_MEMBERS,
    rooms: FLOOR_ROOMS,
    // as long as the harness's room names, so every frame the server sends is the same size
    roomPrefix: `fb.${newRunId('capacity-floor')}.r`,
    payloadBytes: FLOOR_PAYLOAD_BYTES,
    phases,
    timeoutMs: (phases.length * Math.max(sizes.floorSeconds, sizes.floorStepSeconds) + 90) * 1000,
  };
}

/** One run per fleet with the rate raised in steps; each step judged by measurement 5's criteria. */
async function searchHighRate(sizes: Sizes, dir: string, server: ServerProcess, shards: number[], commands: string[], protocol: BenchProtocol): Promise<StepJudgement[]> {
  const out: StepJudgement[] = [];
  process.stderr.write(`harness-capacity: floor: the highest rate every fleet keeps up with (${sizes.floorSteps.join(', ')}/s) …\n`);
  for (const floor of shards.map(floorOn)) {
    const bare = await runBareFleet({
      ...bareOptions(sizes, server, [`${WARMUP_PHASE}:${STEADY_DELIVERIES_PER_SEC}:${sizes.warmupSeconds}`, ...sizes.floorSteps.map((r) => `${stepPhase(r)}:${r}:${sizes.floorStepSeconds}`)]),
      processes: floorProcesses(floor),
    });
    commands.push(bare.command);
    for (const rate of sizes.floorSteps) out.push(judgeBareStep(bare.output.phases.find((p) => p.name === stepPhase(rate))!, rate, floor));
  }
  const scenarioFile = writeScenario(dir, floorStepsScenario(sizes, protocol));
  for (const n of shards) {
    const run = await runHarness({
      scenarioFile,
      targetUrl: server.url,
      shards: n,
      outDir: dir,
      timeoutMs: (sizes.floorSteps.length * sizes.floorStepSeconds + 90) * 1000,
      stopWhen: (rec) => (rec.phase.startsWith('step-') && (rec.broadcast?.p99 ?? 0) > GIVE_UP_P99_MS ? `stopped in ${rec.phase}: broadcast p99 over ${GIVE_UP_P99_MS} ms` : undefined),
    });
    commands.push(run.command);
    for (const rate of sizes.floorSteps) {
      const s = judgeStep(run, rate, sizes.floorStepSeconds);
      const sent = (rate / ROOM_MEMBERS) * sizes.floorStepSeconds;
      const why = [s.why, missedWhy(s.missedSlots, sent)].filter(Boolean).join('; ');
      out.push({ fleet: n, rate, keptUp: why === '', p99Ms: s.p99Ms, ...(why ? { why } : {}) });
    }
  }
  return out;
}

/** The highest step below which every fleet kept up at every step. */
function highestKeptUp(steps: StepJudgement[], fleets: Fleet[], ladder: number[]): number | undefined {
  let best: number | undefined;
  for (const rate of ladder) {
    if (!fleets.every((f) => steps.find((s) => s.fleet === f && s.rate === rate)?.keptUp)) break;
    best = rate;
  }
  return best;
}

function judgeBareStep(p: BarePhaseResult, rate: number, fleet: FloorFleet): StepJudgement {
  const seconds = (p.endedAt - p.startedAt) / 1000;
  const fail: string[] = [];
  const p99 = histogramSummary(p.histogram).p99Ms;
  if (p.lost > p.expected * MAX_LOST_SHARE) fail.push(`lost ${p.lost} of ${p.expected}`);
  if (p.received / seconds < rate * MIN_DELIVERED_SHARE) fail.push(`delivered ${Math.round(p.received / seconds)}/s of ${rate}/s offered`);
  if (!(p.arrivedInWindow >= p.expected * MIN_DELIVERED_SHARE)) fail.push(`arrivals fell behind sends (${((p.arrivedInWindow / p.expected) * 100).toFixed(0)} %)`);
  if (!(p99 <= MAX_P99_MS)) fail.push(`p99 ${p99} ms > ${MAX_P99_MS} ms`);
  const late = missedWhy(p.missedSlots, p.sent);
  if (late) fail.push(late);
  return { fleet, rate, keptUp: fail.length === 0, p99Ms: p99, ...(fail.length ? { why: fail.join('; ') } : {}) };
}

function missedWhy(missed: number, sent: number): string | undefined {
  return Number.isFinite(missed) && missed > sent * MAX_MISSED_SHARE ? `${missed} of ${Math.round(sent)} send slots late` : undefined;
}

/** Percentiles of a bare fleet phase's histogram, in ms. */
export function histogramSummary(encoded: string): { p50Ms: number; p99Ms: number; p999Ms: number; maxMs: number } {
  const h = hdr.decodeFromCompressedBase64(encoded, 32, false);
  const ms = (us: number) => us / 1000;
  const s = { p50Ms: ms(h.getValueAtPercentile(50)), p99Ms: ms(h.getValueAtPercentile(99)), p999Ms: ms(h.getValueAtPercentile(99.9)), maxMs: ms(h.maxValue) };
  h.destroy();
  return s;
}

function bareFigures(run: BareRun, phase: string): Figures {
  const p = run.output.phases.find((x) => x.name === phase);
  if (!p) throw new Error(`bare fleet output has no phase ${phase}`);
  const cpu = sampledAt(run.samples, p.endedAt, 'cpuSeconds') - sampledAt(run.samples, p.startedAt, 'cpuSeconds');
  return { cpuPer10k: (cpu / p.arrivedInWindow) * 10_000, ...histogramSummary(p.histogram), lost: p.lost, deliveries: p.arrivedInWindow, missedSlots: p.missedSlots };
}

function harnessFigures(run: HarnessRun, phase: string): Figures {
  const r = run.results;
  const p = phaseNamed(r, phase);
  const delivered = sum(phaseIntervals(r, phase), 'delivered');
  const from = p.startedAt;
  const to = phaseEnd(p);
  const delta = (key: 'shardCpuSeconds' | 'parentCpuSeconds') => sampledAt(run.samples, to, key) - sampledAt(run.samples, from, key);
  const b = p.broadcast;
  return {
    cpuPer10k: ((delta('shardCpuSeconds') + delta('parentCpuSeconds')) / delivered) * 10_000,
    p50Ms: b?.p50 ?? Number.NaN,
    p99Ms: b?.p99 ?? Number.NaN,
    p999Ms: b?.p999 ?? Number.NaN,
    maxMs: b?.max ?? Number.NaN,
    lost: p.deliveries.lost,
    deliveries: delivered,
    missedSlots: p.sends.missedSlots,
  };
}
