import { describe, expect, it } from 'vitest';
import { Results as ResultsSchema, type PhaseResult, type Results } from '../../src/contracts/results-schema.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { exitCodeOf } from '../../src/verdict/exit-codes.ts';
import { STALE_CHECK, STALE_REMEDY } from '../../src/diagnosis/stale-handling.ts';
import { quietResults } from './quiet-results.ts';

// The built-in check a scenario that drops clients gets: the stack cleaned their stale connections
// within the run, or it fails naming what its code did with the 410s; not judged where there was
// nothing to see; absent without a drop.

const check = (r: Results) => evaluate(r).checks.find((c) => c.name === STALE_CHECK);

/** The quiet fixture with a drop of 4 clients between two send phases of 12 messages, its stale figures given. */
function dropped(stale: Results['stale']): Results {
  const r = quietResults();
  const base = r.phases![1]!;
  const phase = (index: number, name: string, kind: PhaseResult['kind'], sent: number): PhaseResult => ({
    ...structuredClone(base),
    index,
    name,
    kind,
    sends: { intended: sent, sent, missedSlots: 0, acked: sent, failed: 0 },
  });
  r.phases = [r.phases![0]!, phase(1, 'before', 'send', 12), phase(2, 'drop', 'drop', 0), phase(3, 'after', 'send', 12)];
  r.stale = stale;
  r.deliveries = { ...r.deliveries, received: r.deliveries.expected, lost: 0 };
  return ResultsSchema.parse(r);
}

describe(`"${STALE_CHECK}"`, () => {
  it('passes where posts to the dropped connections stopped within the run', () => {
    expect(check(dropped({ dropped: 4, gone410: 4, timeToCleanMs: 850, wastedPosts: 4 }))).toEqual({
      name: STALE_CHECK,
      passed: true,
      detail: "4 posts answered 410 to the 4 dropped clients' connections; time to clean 850 ms",
    });
    expect(check(dropped({ dropped: 1, gone410: 0, timeToCleanMs: 0, wastedPosts: 0 }))?.detail).toBe("no post went to the dropped client's connection");
  });

  it('fails where they never stopped: SDK v3 code testing err.statusCode === 410 rethrows the GoneException, and every message posts to the rows again', () => {
    const r = dropped({ dropped: 4, gone410: 48, timeToCleanMs: null, wastedPosts: 48 });
    r.cloudwatch!.functionErrors = { 'chat-SendMessage': [{ phase: 'invoke', kind: 'GoneException', message: '', count: 12, firstFrame: 'app.mjs:41 in handler', firstAt: 0 }] };
    const v = evaluate(r);
    const c = v.checks.find((x) => x.name === STALE_CHECK)!;
    expect(c).toEqual({
      name: STALE_CHECK,
      passed: false,
      detail: "never cleaned: 48 posts answered 410 to the 4 dropped clients' connections, the last of them at the run's last message; 48 wasted posts",
    });
    expect(v.outcome).toBe('fail');
    expect(exitCodeOf(v)).toBe(99);
    const e = v.explanations!.find((x) => x.check === STALE_CHECK)!;
    // the one way the code handled its 410s accounts for every one of them, and for the rows kept: the first cause
    expect(e.evidence).toEqual([
      {
        factor: 'function-errors',
        line: 'chat-SendMessage threw GoneException ×12 (at app.mjs:41 in handler); so the dropped connections were posted to again after their first 410 (12 posts per dropped connection): their rows were never deleted',
        remedy: STALE_REMEDY,
        share: 1,
      },
    ]);
    expect(e.unexplained).toBeUndefined();
  });

  it("caught and logged, or caught and ignored: said as the functions' logs show it", () => {
    const why = (r: Results) => evaluate(r).explanations!.find((x) => x.check === STALE_CHECK)!.evidence.map((x) => [x.factor, x.line, x.share]);
    const logged = dropped({ dropped: 4, gone410: 4, timeToCleanMs: null, wastedPosts: 4 });
    logged.cloudwatch!.loggedErrors = { 'chat-SendMessage': [{ phase: 'invoke', kind: 'GoneException', message: '', count: 4, firstFrame: null, firstAt: 0, logged: true }] };
    expect(why(logged)).toEqual([['logged-errors', 'chat-SendMessage caught and logged GoneException ×4', 1]]);
    expect(why(dropped({ dropped: 4, gone410: 8, timeToCleanMs: null, wastedPosts: 8 }))).toEqual([
      ['logged-errors', "no function's log names a GoneException: its code caught the 410s and ignored them; so the dropped connections were posted to again after their first 410 (2 posts per dropped connection): their rows were never deleted", 1],
    ]);
    // two ways in two functions: neither is the whole, and the rows kept are said apart
    const both = dropped({ dropped: 4, gone410: 8, timeToCleanMs: null, wastedPosts: 8 });
    both.cloudwatch!.functionErrors = { 'chat-Send': [{ phase: 'invoke', kind: 'GoneException', message: '', count: 2, firstFrame: null, firstAt: 0 }] };
    both.cloudwatch!.loggedErrors = { 'chat-Announce': [{ phase: 'invoke', kind: 'GoneException', message: '', count: 6, firstFrame: null, firstAt: 0, logged: true }] };
    expect(why(both)).toEqual([
      ['function-errors', 'chat-Send threw GoneException ×2', undefined],
      ['logged-errors', 'chat-Announce caught and logged GoneException ×6', undefined],
      ['logged-errors', 'the dropped connections were posted to again after their first 410 (2 posts per dropped connection): their rows were never deleted', undefined],
    ]);
    // logs never read: nothing said of the code, and the explanation says why
    const unread = dropped({ dropped: 4, gone410: 4, timeToCleanMs: null, wastedPosts: 4 });
    unread.cloudwatch!.reports = {};
    const v = evaluate(unread);
    expect(v.explanations!.find((x) => x.check === STALE_CHECK)).toEqual({
      check: STALE_CHECK,
      evidence: [],
      unexplained: "the functions' logs were not read, so what the code did with its 410s is not known",
    });
  });

  it('not judged where nobody was dropped, nothing went out after the drop, or the posts are not observable', () => {
    expect(check(dropped({ dropped: 0, gone410: 0, timeToCleanMs: null, wastedPosts: 0 }))).toEqual({
      name: STALE_CHECK,
      passed: false,
      judged: false,
      detail: 'not judged: the drop phase dropped no client',
    });
    const quiet = dropped({ dropped: 4, gone410: 0, timeToCleanMs: null, wastedPosts: 0 });
    quiet.phases = quiet.phases!.slice(0, 3);
    expect(check(quiet)).toMatchObject({ judged: false, detail: 'not judged: no message was sent after the drop, so no post could meet a stale connection' });
    const unacked = dropped({ dropped: 4, gone410: 0, timeToCleanMs: null, wastedPosts: 0 });
    unacked.phases![3]!.sends = { ...unacked.phases![3]!.sends, acked: 0, failed: 12 };
    expect(check(unacked)).toMatchObject({ judged: false, detail: 'not judged: no message after the drop was acknowledged, so no answer said whether its posts met a stale connection' });
    const unseen = dropped({ dropped: 4, gone410: 0, timeToCleanMs: null, wastedPosts: 0 });
    unseen.protocol = { name: 'custom', kind: 'described', membership: 'connect', recipients: 'room', sendAcks: false, notObservable: { 'stale.gone410': 'not observable with protocol custom' } };
    expect(check(unseen)).toMatchObject({ judged: false, detail: "not judged: the posts to the dropped clients' connections are not observable (not observable with protocol custom)" });
    const v = evaluate(unseen);
    expect(v.outcome).toBe('pass');
    expect(v.summary).toBe(`all 5 checks passed; not judged: ${STALE_CHECK} (nothing to judge)`);
    // the target's own view stood in for the protocol: judged
    unseen.protocol.notObservable['stale.gone410'] = "from the emulator's gateway: posts to the dropped clients' connections";
    unseen.stale!.timeToCleanMs = 0;
    expect(check(unseen)).toMatchObject({ passed: true });
  });

  it('absent from a scenario with no drop', () => {
    expect(check(quietResults())).toBeUndefined();
  });
});
