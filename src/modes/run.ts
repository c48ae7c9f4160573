import type { Results } from '../contracts/results-schema.ts';
import type { Verdict } from '../contracts/verdict-schema.ts';
import { newRunId } from '../metrics/results/run-id.ts';
import { finish } from '../session/finish.ts';
import { checkRunInput } from '../session/run-input.ts';
import { withSession, type SessionOptions } from '../session/session.ts';
import { checkVerdictInput } from '../session/verdict-input.ts';

/**
 * One run, start to end: check the input (scenario, flags, thresholds, baseline) → hold it against
 * the target's quotas → start the target → measure (`repeat` times) → judge → finish (files) →
 * stop the target. The session (src/session/session.ts) does every step a run shares with the
 * other modes; this is the order of them. Only mistakes the user can fix (bad scenario, bad flag
 * or threshold, a bad baseline file, an unreachable target, a local stack that does not start)
 * throw, as UserError, before anything is measured; whatever happens once measuring starts ends
 * in results.json, with its verdict.
 *
 * With `repeat` > 1 every measurement is a complete run directory of its own (`repeat-1/` …) and
 * the run directory's results.json is the last one's measurements judged over all of them
 * (medians, and differences within the repeats' spread called noise: src/verdict).
 */
export interface RunOptions extends SessionOptions {
  runId?: string;
  /** `--threshold` expressions, after the scenario's own */
  thresholds?: string[];
  /** `--baseline`: a results.json to compare with */
  baseline?: string;
  /** measure the scenario this many times against one target (default 1) */
  repeat?: number;
}

export interface RunOutcome {
  results: Results & { verdict: Verdict };
  runDir: string;
}

/** Where repeat `i` (1-based) of a run with several writes its files. */
export const repeatDirName = (i: number): string => `repeat-${i}`;

export async function runBenchmark(o: RunOptions = {}): Promise<RunOutcome> {
  const input = checkRunInput(o);
  const verdictInput = await checkVerdictInput(input.scenario, o);
  const repeat = o.repeat ?? 1;
  const runId = o.runId ?? newRunId(input.scenario.name);
  return withSession(o, runId, async (session) => {
    const quotas = await session.planQuotas(input.scenario, input);
    const target = await session.start(input);
    const all: Array<Results & { verdict: Verdict }> = [];
    for (let i = 1; i <= repeat; i++) {
      // each repeat its own rooms (room names carry the run id)
      const dir = repeat > 1 ? session.subdir(repeatDirName(i)) : session.dir;
      const results = await session.measure({ dir, runId: repeat > 1 ? `${runId}-${repeatDirName(i)}` : runId, scenario: input.scenario, target, input, quotas, judge: verdictInput });
      all.push(results);
      // an interrupted or failed measurement ends the series: the verdict is over what was measured
      if (results.status !== 'completed' || session.aborted) break;
    }
    if (repeat === 1) return { results: all[0]!, runDir: session.dir };
    if (session.aborted) session.say(`stopping: writing results and reports to ${session.dir}`);
    // the run directory's: the last repeat judged over every one (the medians, the repeats' spread as noise)
    const last = await finish(all.at(-1)!, session.dir, { judge: { ...verdictInput, ...(all.length > 1 ? { repeats: all } : {}) }, onWarning: o.onWarning });
    return { results: last.results, runDir: session.dir };
  });
}
