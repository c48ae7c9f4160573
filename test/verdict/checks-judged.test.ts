import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/contracts/results-schema.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { exitCodeOf } from '../../src/verdict/exit-codes.ts';
import { verdictLines } from '../../src/report/run/verdict-text.ts';
import { renderJunit } from '../../src/report/run/junit.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { quietResults } from './quiet-results.ts';

// The built-in checks over results built here: a check with nothing to judge says so, never passes
// and fails nothing; messages or publishes nobody could receive fail "no lost deliveries".

/** The quiet fixture as a run that sent `messages` client messages and published `publishes` to a room nobody had joined. */
function owedNothing(messages: number, publishes: number): Results {
  const r = quietResults();
  const went = messages + publishes;
  r.sends = { intended: went, sent: went, missedSlots: 0, acked: went, failed: 0 };
  r.deliveries = { ...r.deliveries, expected: 0, received: 0, lost: 0 };
  r.publish = publishes
    ? [
        {
          phase: 'announce',
          via: 'sns',
          to: 'Alerts',
          resource: 'arn:aws:sns:us-east-1:000000000000:alerts',
          recipients: { room: 3 },
          recipientsPerPublish: 0,
          calls: { intended: publishes, sent: publishes, missedSlots: 0, acked: publishes, failed: 0 },
          deliveries: { expected: 0, received: 0, lost: 0, duplicates: 0 },
          errors: {},
        },
      ]
    : [];
  return r;
}

describe('a check with nothing to judge', () => {
  it('a run that sent nothing: "no lost deliveries" and "sends went out" not judged, never passed, the verdict decided by the others', () => {
    const r = owedNothing(0, 0);
    const v = evaluate(r);
    expect(v.checks.find((x) => x.name === 'sends went out')).toEqual({ name: 'sends went out', passed: false, judged: false, detail: 'not judged: no sends were scheduled' });
    expect(v.checks.find((x) => x.name === 'no lost deliveries')).toEqual({
      name: 'no lost deliveries',
      passed: false,
      judged: false,
      detail: 'not judged: no message was sent or published, so no delivery was owed',
    });
    expect(v.outcome).toBe('pass');
    expect(exitCodeOf(v)).toBe(0);
    expect(v.summary).toBe('all 3 checks passed; not judged: sends went out, no lost deliveries (nothing to judge)');
    expect(v.explanations).toBeUndefined();
    expect(verdictLines(v)).toContain('  check no lost deliveries: not judged: no message was sent or published, so no delivery was owed');
    const judged = { ...r, verdict: v };
    // JUnit: skipped, neither passed nor failed
    const xml = renderJunit(judged);
    expect(xml).toMatch(/<testcase classname="[^"]+" name="no lost deliveries" time="0">\s*<skipped message="not judged: /);
    expect(xml).toMatch(/failures="0" errors="0" skipped="2"/);
    expect(renderSummaryMarkdown(judged)).toContain('| no lost deliveries | ➖ | not judged: no message was sent or published, so no delivery was owed |');
  });

  it('10 publishes accepted and 0 deliveries expected (no client in the room): a failure of its own, exit 99', () => {
    const v = evaluate(owedNothing(0, 10));
    const c = v.checks.find((x) => x.name === 'no lost deliveries')!;
    expect(c).toEqual({
      name: 'no lost deliveries',
      passed: false,
      detail: '0 deliveries expected while 10 publishes were accepted: no client was open and joined where they went (publish phase announce to room 3), so nothing the run meant to deliver could be judged',
    });
    expect(v.outcome).toBe('fail');
    expect(v.summary).toBe('1 of 5 checks failed (no lost deliveries)');
    expect(exitCodeOf(v)).toBe(99);
    // its detail is its why: no "nothing explains it" from the target's evidence beneath it
    expect(v.explanations).toBeUndefined();
    expect(verdictLines(v)).toEqual(['verdict: FAIL: 1 of 5 checks failed (no lost deliveries)', `  check failed: no lost deliveries: ${c.detail}`]);
  });

  it('client messages sent with nobody joined to receive them: counted apart from the publishes', () => {
    const c = evaluate(owedNothing(1, 2)).checks.find((x) => x.name === 'no lost deliveries')!;
    expect(c.detail).toBe(
      '0 deliveries expected while 1 message was sent and 2 publishes were accepted: no client was open and joined where they went (publish phase announce to room 3), so nothing the run meant to deliver could be judged',
    );
  });

  it('repeats: a check judged in no run is not judged; judged in some, it passes saying in how many', () => {
    const quiet = owedNothing(0, 0);
    const sent = quietResults();
    sent.deliveries = { ...sent.deliveries, received: sent.deliveries.expected, lost: 0 };
    const v = evaluate(sent, { repeats: [quiet, sent] });
    const c = v.checks.find((x) => x.name === 'no lost deliveries')!;
    expect(c.judged).toBeUndefined();
    expect(c.detail).toMatch(/ \(judged in 1 of 2 runs\)$/);
    const none = evaluate(quiet, { repeats: [quiet, structuredClone(quiet)] });
    expect(none.checks.find((x) => x.name === 'no lost deliveries')).toMatchObject({ judged: false, passed: false });
    expect(none.outcome).toBe('pass');
  });
});
