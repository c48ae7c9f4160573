import { beforeAll, describe, expect, it } from 'vitest';
import { buildComparison } from '../../src/analyses/compare/build-comparison.ts';
import { hostWaitMs, hostWarnings, waitAt } from '../../src/analyses/compare/host-waits.ts';
import type { Results } from '../../src/contracts/results-schema.ts';
import type { LatencySummary } from '../../src/contracts/latency-summary-schema.ts';
import { localHostWarnings } from '../../src/diagnosis/local-host-text.ts';
import { renderCompareConsole } from '../../src/report/compare/console.ts';
import { renderCompareMarkdown } from '../../src/report/compare/md.ts';
import { renderCompareHtml } from '../../src/report/compare/html.ts';
import { COMPARED, loadRecorded } from '../fixtures/compare/load.ts';

// Recorded runs of the fanout scenario at 256 and 1,769 MB (test/fixtures/compare), given the
// attribution the access log would add: at 256 MB the host held back most connects (the issue's
// "connect p99 467 ms against 29 ms although only the send function's memory changed"); at
// 1,769 MB nothing. The stack's connect p99 then differs by far less than the host's waits do.

const summary = (p50: number, p99: number, count = 200): LatencySummary => ({ count, min: p50 / 2, mean: p50, p50, p90: (p50 + p99) / 2, p99, p999: p99, max: p99 });

function attributed(r: Results, o: { connectClient: number; connectStack: number; heldBack: number; busy: number }): Results {
  const x = structuredClone(r);
  x.metrics.connect = summary(o.connectClient / 2, o.connectClient);
  x.attribution = {
    source: 'access-log',
    accessLog: 'enable',
    requests: { timed: 400, attributed: 400, unattributed: 0, why: {} },
    routes: [],
    coldPoints: [],
    notes: [],
    stack: {
      connect: summary(o.connectStack / 2, o.connectStack),
      // broadcast: the stack's equals the client's (no send was held back)
      broadcast: x.metrics.broadcast,
      heldBack: o.heldBack,
      invocations: 200,
      ...(o.heldBack > 0 ? { wait: summary(380, 420, o.heldBack) } : {}),
    },
  };
  if (x.cloudwatch?.localHost) x.cloudwatch.localHost.hostBusyAvgPercent = o.busy;
  else if (x.cloudwatch) x.cloudwatch.localHost = { hostBusyAvgPercent: o.busy, hostBusyPeakPercent: 100, stackCpuMs: 1000, heldBack: {} };
  return x;
}

let small: Results[];
let big: Results[];
beforeAll(async () => {
  const bySize = await loadRecorded();
  small = bySize.get(256)!.map((r) => attributed(r, { connectClient: 467, connectStack: 60, heldBack: 180, busy: 99 }));
  big = bySize.get(1769)!.map((r) => attributed(r, { connectClient: 29, connectStack: 29, heldBack: 0, busy: 40 }));
});

const compare = (latencyMetric: 'connect-p99' | 'broadcast-p99') =>
  buildComparison({
    functions: [COMPARED],
    latencyMetric,
    sizes: [
      { memoryMB: 256, runs: small.map((results, k) => ({ results, dir: `256-${k + 1}` })) },
      { memoryMB: 1769, runs: big.map((results, k) => ({ results, dir: `1769-${k + 1}` })) },
    ],
  });

describe('compare where the local host decided a figure', () => {
  it("judges the stack's figures, and says the host decided connect p99: nothing is recommended on it", () => {
    const c = compare('connect-p99');
    expect(c.latencyFigure).toBe('stack');
    const [s256, s1769] = c.sizes;
    expect(s256.metrics.connectP99Ms!.median).toBe(60);
    expect(s1769.metrics.connectP99Ms!.median).toBe(29);
    expect(s256.metrics.hostWaitMs!['connect-p99'].median).toBe(467 - 60);
    expect(s1769.metrics.hostWaitMs!['connect-p99'].median).toBe(0);

    const decided = c.hostDecided!.find((d) => d.metric === 'connect-p99')!;
    expect(decided).toMatchObject({ between: [256, 1769], differenceMs: 31, hostWaitDifferenceMs: 407 });
    expect(decided.line).toMatch(/^the local host decided connect p99: .*nothing is recommended on it$/);
    // broadcast's waits did not differ: the host decided nothing there
    expect(c.hostDecided!.some((d) => d.metric === 'broadcast-p99')).toBe(false);

    const speed = c.recommendations.find((r) => r.strategy === 'speed')!;
    const balanced = c.recommendations.find((r) => r.strategy === 'balanced')!;
    for (const r of [speed, balanced]) {
      expect(r.pick).toBeNull();
      expect(r.reason).toMatch(/^No recommendation: .*connect p99, and the local host decided connect p99/);
    }
    // cost rests on the cost alone, which the host's waits did not decide
    const cost = c.recommendations.find((r) => r.strategy === 'cost')!;
    expect(cost.pick).not.toBeNull();
    expect(cost.reason).toMatch(/Its latency is not weighed: the local host decided connect p99/);
  });

  it('recommends as before on a figure the host did not decide', () => {
    const c = compare('broadcast-p99');
    const speed = c.recommendations.find((r) => r.strategy === 'speed')!;
    expect(speed.pick).not.toBeNull();
    expect(speed.reason).not.toMatch(/host decided/);
    expect(c.notes.join(' ')).toMatch(/Latencies are the stack's figure/);
  });

  it("compare's console lists each run's host warning, as its pages do", () => {
    const c = compare('connect-p99');
    const lines = renderCompareConsole(c);
    const host = lines.filter((l) => l.startsWith('  host 256 MB repeat'));
    expect(host).toEqual([1, 2, 3].map((k) => `  host 256 MB repeat ${k}: local host held back 180 of 200 invocations serving timed requests (wait p50 380 ms, p99 420 ms); its cores averaged 99 %`));
    expect(lines.some((l) => l.startsWith('  host 1,769 MB'))).toBe(false);
    expect(lines).toContain(`  host decided: ${c.hostDecided![0].line}`);
    expect(lines.some((l) => /conn p99 \(stack\)/.test(l))).toBe(true);

    const md = renderCompareMarkdown(c);
    const html = renderCompareHtml(c, { uplotCss: '', uplotJs: '', clientJs: '', compareJs: '', trendJs: '', searchJs: '', planJs: '' });
    for (const page of [md, html]) {
      expect(page).toContain('256 MB repeat 2: local host held back 180 of 200 invocations serving timed requests');
      expect(page).toContain('the local host decided connect p99');
    }
  });

  it('the held-back count never exceeds its total', () => {
    // results without attribution: the emulator's HeldBackMs (stamped when a wait ends) against
    // AWS/Lambda Invocations (stamped when one begins) over one window, as in "352 of 200"
    const r = structuredClone(big[0]);
    delete r.attribution;
    r.config.target.functions = { functions: [{ name: 'fanout-disconnect', route: '$disconnect' } as never] } as never;
    r.cloudwatch!.lambda['fanout-disconnect'] = { ...r.cloudwatch!.lambda[COMPARED], invocations: 200 };
    r.cloudwatch!.localHost = { hostBusyAvgPercent: 50, hostBusyPeakPercent: 90, stackCpuMs: 1, heldBack: { 'fanout-disconnect': { count: 352, totalMs: 1e5, p50Ms: 300, p99Ms: 900, maxMs: 950 } } };
    const lines = [...localHostWarnings(r), ...hostWarnings(r)];
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const m = /held back (?:up to )?([\d,]+) of ([\d,]+)/.exec(line);
      if (!m) continue;
      const [n, of] = [m[1], m[2]].map((x) => Number(x.replace(/,/g, '')));
      expect(n).toBeLessThanOrEqual(of);
    }
    // never clamped into "200 of 200": the pair as read, and that it disagrees (part-of-whole.ts)
    expect(lines[0]).toMatch(/held back fanout-disconnect invocations .*352 waits counted against 200 invocations: the two counts disagree/);

    // the stack's account counts both over the same invocations; a bad one says so, unclamped
    const s = structuredClone(small[0]);
    s.attribution!.stack!.heldBack = 250;
    expect(hostWarnings(s)[0]).toMatch(/250 held back counted against [\d,]+ invocations serving timed requests: the two counts disagree/);
  });

  it("estimates a figure's host wait from the held-back share where the figure itself does not say", () => {
    // half held back: the p50 of everyone's wait is 0, the p99 the held-back ones' p98
    const points = [[0, 0], [0.5, 100], [0.99, 400], [1, 500]] as const;
    expect(waitAt(0.5, 0.5, points)).toBe(0);
    expect(waitAt(0.99, 0.5, points)).toBeCloseTo(100 + (300 * (0.98 - 0.5)) / 0.49, 6);
    expect(waitAt(0.99, 1, points)).toBe(400);
    expect(waitAt(0.99, 0, points)).toBe(0);
    // a run with no host data says nothing (AWS)
    const aws = structuredClone(big[0]);
    delete aws.attribution;
    if (aws.cloudwatch) delete aws.cloudwatch.localHost;
    expect(hostWaitMs(aws, 'connect-p99')).toBeNull();
    expect(hostWaitMs(small[0], 'duration')).toBe(0);
  });
});
