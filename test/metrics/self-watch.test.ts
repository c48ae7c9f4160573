import { describe, expect, it } from 'vitest';
import { assessSaturation, phaseSaturated } from '../../src/metrics/measurement/saturation.ts';
import { harnessWarningLines } from '../../src/diagnosis/saturation-text.ts';
import { SelfWatch } from '../../src/metrics/measurement/self-watch.ts';
import { progressLine } from '../../src/report/run/progress-line.ts';
import { MAX_CLIENTS_PER_SHARD } from '../../src/contracts/harness-costs.ts';
import { chooseShards } from '../../src/fleet/shard-count.ts';

describe('the harness watching itself', () => {
  it('sees its own event-loop lag and CPU', async () => {
    const w = new SelfWatch().start();
    await new Promise((r) => setTimeout(r, 60));
    // a blocked loop: spin for 160 ms of wall time and 120 ms of CPU (on a busy host the CPU takes
    // longer), bounded in time
    const cpuAtStart = process.cpuUsage();
    const start = performance.now();
    const deadline = start + 5_000;
    while (performance.now() < deadline) {
      const used = process.cpuUsage(cpuAtStart);
      if (used.user + used.system >= 120_000 && performance.now() - start >= 160) break;
    }
    await new Promise((r) => setTimeout(r, 60));
    const s = w.sample();
    w.stop();
    // the sample due in the spin fires after it: at least 160 ms after the one before it, which is
    // 110 ms past its 50 ms period
    expect(s.lagMaxMs).toBeGreaterThan(105);
    // the run's histogram saw the stall too (its own timer: a phase apart from the interval's, so
    // its reading is the stall's give or take that phase; one CI run differed by 0.13 ms)
    expect(s.runLagMaxMs).toBeGreaterThan(105);
    expect(s.cpuMicros).toBeGreaterThan(80_000);
    expect(s.wallMs).toBeGreaterThan(270);
    expect(s.rssBytes).toBeGreaterThan(0);
  });

  it('marks a run saturated by lag or by a pegged core, and says which', () => {
    expect(assessSaturation({ runLagP99Ms: [3, 4], cpuCores: [[0.2, 0.3, 0.95, 0.2], [0.1]] })).toEqual([]);
    const lag = assessSaturation({ runLagP99Ms: [3, 75], cpuCores: [[0.2], [0.1, 0.2]] });
    expect(lag).toEqual([{ sign: 'lag', shard: 1, lagP99Ms: 75, limitMs: 50, starvedAtCores: 0.2 }]);
    expect(harnessWarningLines({ saturation: lag, warnings: [] })).toEqual([
      'harness saturated: shard 1 event-loop lag p99 75 ms > 50 ms while using at most 20 % of a core: the host\'s CPUs are oversubscribed (a local stack shares them); latencies include the harness\'s own delay',
    ]);
    const cpu = assessSaturation({ runLagP99Ms: [3], cpuCores: [[0.5, 0.95, 0.97, 0.92, 0.3]] });
    expect(cpu).toMatchObject([{ sign: 'cpu', shard: 0, limitCores: 0.9, windowSeconds: 3 }]);
    expect(harnessWarningLines({ saturation: cpu, warnings: ['kept as it was'] })).toEqual([expect.stringMatching(/^harness saturated: shard 0 used 94.7 % of a core over 3 s/), 'kept as it was']);
    // Artillery's workers say so themselves, by the same rule
    expect(harnessWarningLines({ saturation: [{ sign: 'workers', saturated: 2, workers: 4 }], warnings: [] })).toEqual([
      "harness saturated: 2 of 4 workers had an event-loop lag p99 over 50 ms or used more than 90 % of a core for 3 s; latencies include the workers' own delay",
    ]);
  });
});

describe('per-phase saturation', () => {
  it('flags a phase by its worst interval lag or by mostly pegged intervals', () => {
    expect(phaseSaturated({ lagP99Max: 12, hotIntervals: 0, intervals: 10 })).toBe(false);
    expect(phaseSaturated({ lagP99Max: 51, hotIntervals: 0, intervals: 10 })).toBe(true);
    expect(phaseSaturated({ lagP99Max: 5, hotIntervals: 1, intervals: 10 })).toBe(false);
    expect(phaseSaturated({ lagP99Max: 5, hotIntervals: 3, intervals: 10 })).toBe(true);
    expect(phaseSaturated({ lagP99Max: 5, hotIntervals: 1, intervals: 2 })).toBe(true);
  });
});

describe('progress line', () => {
  it('renders one interval as one line', () => {
    const line = progressLine(
      {
        t: 0, elapsedSec: 12.4, phase: 'fanout', openClients: 200, connects: 0, sent: 40, delivered: 820, errors: 1,
        broadcast: { count: 820, min: 1, mean: 5, p50: 4, p90: 9, p99: 12.34, p999: 20, max: 30 },
        eventLoopLagMs: 3, cpuCores: 0.2,
      },
      { scenario: 'default', plannedSec: 45, intervalSec: 2 },
    );
    expect(line).toBe('default  12s/45s  fanout  open 200  sent 20/s  delivered 410/s  p99 12.3 ms  errors 1');
  });
});

describe('shards', () => {
  it('one per core by default, more when the clients need the open files', () => {
    expect(chooseShards(40_000)).toBeGreaterThanOrEqual(3);
    expect(chooseShards(1)).toBe(1);
    expect(chooseShards(100, 4)).toBe(4);
    expect(() => chooseShards(2 * MAX_CLIENTS_PER_SHARD + 1, 2)).toThrow(/--shards: 2 shard\(s\) cannot hold 36001 clients/);
  });
});
