import { describe, expect, it } from 'vitest';
import type { PointResult, PointSlo, SizeMetrics } from '../../src/analyses/compare/compare-schema.ts';
import { recommendGrid } from '../../src/analyses/compare/grid-recommend.ts';

// A grid's recommendation (compare --targets … --room-size …) on constructed cells whose answer is
// plain: at each room size the cheapest variant that met the SLO (a tie within 1 % to the faster),
// and over the grid one sentence saying which variant up to which size and why the pick changes.

const MET: PointSlo = { met: true, failed: [] };
const SLOW = 'broadcast.p99 < 1s: 2.4 s; limit < 1 s: crossed';
const missed = (...failed: string[]): PointSlo => ({ met: false, failed, missedBy: 'stack' });

function cell(variant: string, members: number, cost: number | null, latency: number, slo: PointSlo | null = MET): PointResult {
  const one = (v: number) => ({ median: v, min: v, max: v, n: 1 });
  const metrics = {
    ...Object.fromEntries(['broadcastP50Ms', 'broadcastP99Ms', 'connectP50Ms', 'connectP99Ms', 'durationMeanMs', 'coldStartShare', 'initMeanMs', 'gbSeconds', 'gbSecondsPer1000Deliveries', 'lambdaCostPerMillionDeliveries', 'deliveriesReceived', 'deliveriesLost', 'sendsFailed'].map((k) => [k, null])),
    totalCostPerMillionDeliveries: cost === null ? null : one(cost),
    latencyMs: one(latency),
  } as SizeMetrics;
  return {
    x: members,
    label: `${variant} · ${members} members`,
    variant,
    setting: { clients: 1000, rooms: 1000 / members, membersPerRoom: members, messagesPerSecond: 1, deliveriesPerSecond: members, payloadBytes: 64, target: 'local', architecture: 'x86_64' },
    status: slo === null ? 'excluded' : 'ok',
    runs: [],
    metrics,
    functions: {},
    costSource: 'report-lines',
    slo,
    costs: { lambda: null, apiGateway: null, dataTransfer: null, dynamodb: null },
  };
}

const VARIANTS = ['direct', 'queued'];

describe('recommendGrid', () => {
  it('one variant cheapest within the SLO at every size: it wins everywhere', () => {
    const points = [10, 100, 1000].flatMap((n) => [cell('direct', n, 1.5, 40), cell('queued', n, 2.1, 60)]);
    const { grid, recommendation } = recommendGrid(points, VARIANTS, 'broadcast-p99');
    expect(grid.roomSizes).toEqual([10, 100, 1000]);
    expect(grid.spans).toEqual([{ variant: 'direct', from: 10, to: 1000 }]);
    expect(grid.line).toBe('direct at every room size measured (rooms of 10 to 1,000): the cheapest variant that met the SLO at each.');
    expect(grid.bySize.map((s) => s.recommendation.pick?.label)).toEqual(['direct · 10 members', 'direct · 100 members', 'direct · 1000 members']);
    // the comparison's own: the largest size's pick, the grid's sentence its reason
    expect(recommendation).toMatchObject({ rule: 'cheapest-per-room-size', pick: { label: 'direct · 1000 members' }, reason: grid.line });
  });

  it('the cheaper variant misses the SLO at the largest size: the other from there, and why', () => {
    const points = [
      cell('direct', 10, 1.5, 40),
      cell('queued', 10, 2.1, 60),
      cell('direct', 100, 1.4, 300),
      cell('queued', 100, 2.0, 120),
      cell('direct', 1000, 1.3, 2400, missed(SLOW)),
      cell('queued', 1000, 1.9, 400),
    ];
    const { grid, recommendation } = recommendGrid(points, VARIANTS, 'broadcast-p99');
    expect(grid.spans).toEqual([
      { variant: 'direct', from: 10, to: 100 },
      { variant: 'queued', from: 1000, to: 1000 },
    ]);
    expect(grid.line).toBe(`direct up to rooms of 100; queued from 1,000: direct missed the SLO there (${SLOW}).`);
    expect(recommendation.pick?.label).toBe('queued · 1000 members');
  });

  it('the pick changes where the other variant gets cheaper, and a size where none met the SLO is said with what each missed', () => {
    const points = [
      cell('direct', 10, 1.5, 40),
      cell('queued', 10, 2.1, 60),
      cell('direct', 100, 2.5, 300),
      cell('queued', 100, 2.0, 120),
      cell('direct', 1000, 1.3, 2400, missed(SLOW)),
      cell('queued', 1000, 1.9, 3000, { ...missed(SLOW), missedBy: 'harness-and-stack' }),
    ];
    const { grid, recommendation } = recommendGrid(points, VARIANTS, 'broadcast-p99');
    expect(grid.spans.map((s) => s.variant)).toEqual(['direct', 'queued', null]);
    expect(grid.line).toBe(
      `direct up to rooms of 10; queued at 100: queued is cheaper there ($2.00 against direct's $2.50 per million deliveries); none met the SLO from 1,000: direct missed it (${SLOW}), queued missed it (${SLOW}, with the harness saturated too).`,
    );
    expect(grid.bySize[2]!.recommendation.pick).toBeNull();
    expect(recommendation.pick).toBeNull();
  });

  it('a tie on cost within 1 % goes to the faster, and the sentence says so', () => {
    const points = [cell('direct', 10, 2.0, 40), cell('queued', 10, 2.1, 60), cell('direct', 100, 2.0, 300), cell('queued', 100, 2.01, 120)];
    const { grid } = recommendGrid(points, VARIANTS, 'broadcast-p99');
    expect(grid.bySize[1]!.recommendation.pick?.label).toBe('queued · 100 members');
    expect(grid.line).toBe('direct up to rooms of 10; queued from 100: the two tie on cost there within 1 % ($2.01 per million deliveries) and queued is the faster.');
  });

  it('no variant met the SLO anywhere: said, with what each missed', () => {
    const points = [cell('direct', 10, 2.0, 40, missed(SLOW)), cell('queued', 10, 2.1, 60, missed(SLOW)), cell('direct', 100, 2.0, 300, missed(SLOW)), cell('queued', 100, 2.0, 120, null)];
    const { grid } = recommendGrid(points, VARIANTS, 'broadcast-p99');
    expect(grid.spans).toEqual([{ variant: null, from: 10, to: 100 }]);
    expect(grid.line).toBe(`no variant met the SLO at any room size measured (rooms of 10 to 100); at 10: direct missed it (${SLOW}), queued missed it (${SLOW}).`);
  });
});
