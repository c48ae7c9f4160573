import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulatorScenario, readSearch, search, stepResults } from './search-cli-helpers.ts';
import { scenarioFiles } from './scenario-files.ts';

/**
 * `fanout-bench search` against the local emulator finds a limit and names what set it from
 * evidence: with the host cap lowered, the host; the failing step's own verdict says so under its SLO.
 * A file of its own, beside search-cli.test.ts, so that each search's minutes are one file's.
 */
const { dir, scenario } = scenarioFiles('fb-search-host-');

describe('fanout-bench search on the emulator', () => {
  it('with the host cap lowered, finds a limit and names the host', { timeout: 240_000 }, async () => {
    const out = join(dir, 'host');
    // A known capacity, decided by the emulator's code rather than by how busy the host happens to
    // be: at most 4 live environments per function (the cap's floor, reached with
    // hostEnvironmentsPerCore 0.01), and sendMessage at 128 MB (a slow fan-out: its CPU share is
    // 128/1,769 of a core), so past a few dozen messages per second the cap lets no more start and
    // the emulator holds the invocations back. The SLO judges the client's figure, which holds each
    // delivery's wait for a host slot: the stack's figure takes those waits out, so on a quiet host
    // it met every step up to 128/s (2026-11-29: p99 under 50 ms at 128/s) and only a host busy
    // with other work crossed it. Measured 2026-11-29 on a quiet host: 32/s met (client p99 18 ms),
    // 128/s not (1,468-1,842 ms, the stack's own 18-36 ms); 64/s on either side of the limit (297
    // to 544 ms), which the search's confirmations settle. The 1 s warm-up takes the first cold
    // starts out of the judged window; --prepared 0: the functions the scenario never calls get no
    // environment INIT'd ahead (3-4 CPU-s of the stack's start). From 8/s, not 4: the step at 4
    // proves nothing the passing 8 does not, and each step is two runs of the fleet and the stack.
    // Not from 16: a first step that fails on a busy host for another reason (slow posts) fails
    // this test. 8 clients in 2 rooms of 4, as this limit was measured.
    const text = `name: host\ntarget: { hostEnvironmentsPerCore: 0.01, memory: { fanout-send-message: 128 } }\n${emulatorScenario({ clients: 8, rooms: 2 })}`;
    const r = await search([scenario('host', text), '--vary', 'rate', '--slo', 'client.broadcast.p99 < 500ms', '--from', '8', '--to', '128', '--hold', '1500ms', '--resolution', '100%', '--shards', '1', '--prepared', '0', '--out', out, '--warm-up', '1s']);
    const s = readSearch(out);
    // Either way the host is named: it is the limit, whether the cap or the cores set it.
    expect(s.answer.limitingFactor, r.stdout).toBe('local-host');
    expect(s.answer.evidence[0]!.line).toMatch(/^local host (busy|held back)/);
    // the failing step's own verdict explains its crossed SLO by the host, as any failing run would
    const failing = s.steps.find((st) => !st.passed && st.evidence[0]?.factor === 'local-host')!;
    const slo = stepResults(out, s, failing.dir).verdict!.explanations!.find((e) => e.kind === 'threshold' && e.check === 'client.broadcast.p99 < 500ms')!;
    expect(slo.evidence.map((e) => e.factor), JSON.stringify(slo)).toContain('local-host');
    expect(slo.evidence.find((e) => e.factor === 'local-host')!.remedy).toBe('the emulator shared its cores with the load: fewer clients on this host, or measure on AWS');
    // The client's figure holds the waits; where the stack's own figure stayed within the limit the
    // why says the waits crossed it, and names nothing of the stack above the host (the fan-out's
    // share of the stack's latency is no cause of a crossing the stack did not make).
    expect(failing.slos.find((x) => x.metric === 'client.broadcast.p99'), JSON.stringify(failing.slos)).toMatchObject({ outcome: 'fail', observed: expect.any(Number) });
    const hostWhy = slo.evidence.find((e) => e.factor === 'local-host')!.line;
    expect(hostWhy).toMatch(/^local host (busy|held back)/);
    if (/held back/.test(hostWhy)) expect(hostWhy).toMatch(/is within the limit \(< 500 ms\): the host's waits crossed it, not the stack/);
    if (s.answer.kind === 'first-step-failed') {
      // A host busy with other work (a CI neighbour, a CPU hog) can fail the first step on its
      // cores alone, before the cap is reached: the search says so, and exits 99.
      expect(r.code, r.stdout + r.stderr).toBe(99);
      expect(s.answer.evidence[0]!.line, r.stdout).toMatch(/^local host busy: its cores averaged \d+ %/);
      return;
    }
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(s.answer, r.stdout).toMatchObject({ kind: 'limit-found', limitingFactor: 'local-host' });
    expect(s.answer.maxPassing).toBeGreaterThanOrEqual(8);
    // by the cap's held-back sends, or, where every core was busy (a CI host running four suites' files
    // at once did), by the cores alone
    expect(s.answer.evidence[0]!.line).toMatch(/held back \d+ of \d+ fanout-send-message invocations|^local host busy: its cores averaged \d+ %/);
  });
});
