import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/contracts/results-schema.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { verdictLines } from '../../src/report/run/verdict-text.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { recordedRuns } from './recorded-runs.ts';

/**
 * `--repeat`: each run is told with its own figures and, when a check failed, its own why, from
 * its own window's evidence. Three recorded runs of one scenario (recorded-runs.ts); the first is
 * given a handshake answered 500 and a $connect function that logged errors, as a storm on a small
 * table does. The run judged last passed: the combined explanation must come from the first.
 */
async function threeRuns(): Promise<Results[]> {
  const { base } = await recordedRuns();
  const first = structuredClone(base[0]);
  first.errors = { ...first.errors, 'handshake:500': 2 };
  first.cloudwatch!.lambda['fanout-connect'] = { ...first.cloudwatch!.lambda['fanout-connect']!, errors: 2 };
  return [first, base[1], base[2]];
}

describe('each repeat told with its figures and its why', () => {
  it("keeps every run's failed checks and explanations, and explains the combined check by the run that failed it", async () => {
    const runs = await threeRuns();
    const v = evaluate(runs[2], { repeats: runs });
    expect(v.outcome).toBe('fail');
    const rows = v.repeats!.runs!;
    expect(rows.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    expect(rows[0].failed!.map((f) => f.check)).toEqual(['harness not saturated', 'no unexpected errors']);
    expect(rows[0].failed![1].detail).toBe('2 unexpected errors: handshake:500 ×2');
    expect(rows[1].failed!.map((f) => f.check)).toEqual(['harness not saturated']);
    expect(rows[2].failed).toBeUndefined();
    // the first run's own evidence: its $connect's errors (the run judged last had none)
    const own = /^fanout-connect: 2 errors in [\d,]+ invocations \(AWS\/Lambda Errors\)$/;
    expect(rows[0].explanations!.find((e) => e.check === 'no unexpected errors')!.evidence[0]).toMatchObject({ factor: 'function-errors', line: expect.stringMatching(own), share: 1 });
    expect(v.explanations).toEqual(rows[0].explanations);
  });

  it('shows each repeat on the console and in summary.md, with its why under it', async () => {
    const runs = await threeRuns();
    const judged = { ...runs[2], verdict: evaluate(runs[2], { repeats: runs }) };
    const lines = verdictLines(judged.verdict);
    const at = lines.indexOf('  repeats:');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(new RegExp(`^    1\\. ${runs[0].runId}: completed, broadcast p99 [\\d,.]+ ms, connect p99 [\\d,.]+ ms, lost 0, unexpected errors 2$`));
    expect(lines[at + 2]).toMatch(/^       check failed: harness not saturated: /);
    const errorsAt = lines.indexOf('       check failed: no unexpected errors: 2 unexpected errors: handshake:500 ×2');
    expect(errorsAt).toBeGreaterThan(at + 2);
    expect(lines[errorsAt + 1]).toMatch(/^         why: fanout-connect: 2 errors in [\d,]+ invocations \(AWS\/Lambda Errors\) \(what would move it: /);
    expect(lines.slice(at).filter((l) => /^    \d\. /.test(l))).toHaveLength(3);

    const md = renderSummaryMarkdown(judged);
    expect(md).toContain('### Repeats');
    expect(md).toMatch(new RegExp(`\\| \`${runs[0].runId}\` \\| completed \\| [^|]+ \\| [^|]+ \\| 0 \\| 2 \\| check failed: harness not saturated: .*<br>check failed: no unexpected errors: 2 unexpected errors: handshake:500 ×2<br>why: fanout-connect: 2 errors in`));
  });
});
