import { describe, expect, it } from 'vitest';
import { lostTarget } from '../../src/metrics/measurement/lost-target.ts';
import { lostTargetText } from '../../src/report/run/status-reason-text.ts';
import { RunRecorder } from '../../src/metrics/measurement/run-recorder.ts';

/** The run's status reason, as the session words the finding. */
function lostTargetReason(rec: RunRecorder): string | undefined {
  const found = lostTarget(rec);
  return found && lostTargetText(found);
}

/** A run whose one send phase intended `intended` sends and skipped some, by why (as shards report). */
function recorded(intended: number, skippedWhy: Record<string, number>, connects = 40): RunRecorder {
  const rec = new RunRecorder(1, 0, { graceMs: 1000, lossMs: 5000 });
  rec.counts.connects = connects;
  const p = rec.beginPhase('before', 'send', 0);
  p.counts.intended = intended;
  p.counts.skipped = Object.values(skippedWhy).reduce((a, b) => a + b, 0);
  Object.assign(p.skippedWhy, skippedWhy);
  return rec;
}

describe('the target stopped answering: a send phase skipped', () => {
  it('is the reason when most of a phase was skipped because its senders\' sockets had closed', () => {
    expect(lostTargetReason(recorded(10, { 'close:1006': 8 }))).toBe(
      'the target stopped answering: send phase "before" skipped 8 of 10 sends (the sockets of its senders and their rooms had closed)',
    );
  });

  it('found as the phase and its counts, worded apart', () => {
    expect(lostTarget(recorded(10, { 'close:1006': 8 }))).toEqual({ sign: 'skipped', phase: 'before', skipped: 8, intended: 10 });
  });

  it('is not, when the skipped senders never connected: the target answered them (a 500), the sends check says why', () => {
    expect(lostTargetReason(recorded(10, { 'handshake:500': 10 }))).toBeUndefined();
    expect(lostTargetReason(recorded(10, { 'handshake:500': 6, 'close:1006': 4 }))).toBeUndefined();
  });
});
