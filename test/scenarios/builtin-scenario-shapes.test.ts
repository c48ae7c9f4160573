import { describe, expect, it } from 'vitest';
import type { PlannedPhase, Scenario } from '../../src/contracts/scenario-schema.ts';
import { loadScenario } from '../../src/scenarios/load-scenario.ts';

/**
 * The built-in cold-start and stale-cleanup scenarios hold what their claims need. On the real
 * emulator each claim is measured by the default run (test/e2e/default-run.test.ts), whose
 * scenario is these phases on one fleet with both knobs; this keeps the two definitions of their
 * own from drifting away from the shape that run proves.
 */
const kinds = (s: Scenario): string => s.phases.map((p) => p.kind).join(' ');
const indexOf = (s: Scenario, test: (p: PlannedPhase) => boolean): number => s.phases.findIndex(test);

describe('built-in scenario shapes', () => {
  it('cold-start: warm sends, an idle longer than the reap time it sets, then a burst', () => {
    const s = loadScenario('cold-start');
    expect(kinds(s)).toBe('connect join send idle send');
    const idle = s.phases[indexOf(s, (p) => p.kind === 'idle')]!;
    expect(idle.kind === 'idle' && idle.durationMs).toBeGreaterThan(s.target.idleReapSeconds! * 1000);
    expect(s.phases.at(-1)).toMatchObject({ kind: 'send', name: 'burst' });
  });

  it('stale-cleanup: every $disconnect lost, sends before and after a drop', () => {
    const s = loadScenario('stale-cleanup');
    expect(s.target.lostDisconnectShare).toBe(1);
    expect(kinds(s)).toBe('connect join send drop send');
    expect(s.phases[indexOf(s, (p) => p.kind === 'drop')]).toMatchObject({ share: 0.2 });
  });

  it('default: both, with both knobs (what default-run.test.ts measures them by)', () => {
    const s = loadScenario('default');
    expect(s.target).toMatchObject({ idleReapSeconds: loadScenario('cold-start').target.idleReapSeconds, lostDisconnectShare: 1 });
    expect(kinds(s)).toBe('connect join send idle send drop send');
    const idle = s.phases[indexOf(s, (p) => p.kind === 'idle')]!;
    expect(idle.kind === 'idle' && idle.durationMs).toBeGreaterThan(s.target.idleReapSeconds! * 1000);
    expect(s.phases[indexOf(s, (p) => p.kind === 'idle') + 1]).toMatchObject({ kind: 'send', name: 'burst' });
  });
});
