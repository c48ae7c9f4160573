import { buildComparison, type SizeInput } from '../analyses/compare/build-comparison.ts';
import { REFERENCE_SEND_FUNCTION } from '../contracts/reference-functions.ts';
import type { Comparison, LatencyMetric } from '../analyses/compare/compare-schema.ts';
import { newRunId } from '../metrics/results/run-id.ts';
import { choosePrices, UnknownPrices } from '../metrics/cost/price-choice.ts';
import { writeComparison } from '../report/compare/write.ts';
import { UserError } from '../../common/errors.ts';
import { createLambdaClient } from '../aws/lambda-client.ts';
import { memorySession } from '../aws/memory-session.ts';
import { checkRunInput } from '../session/run-input.ts';
import { withSession, type SessionOptions } from '../session/session.ts';
import { DEFAULT_WARM_UP_MS } from '../session/warm-up.ts';
import { functionNamed } from '../targets/target-functions.ts';
import type { Target } from '../targets/target.ts';

/**
 * `compare`: one scenario at several Lambda memory sizes, against one target. For each size the
 * compared functions are set through Lambda's UpdateFunctionConfiguration (the same calls for AWS
 * and the emulator, waiting for `Successful`; an update retires the warm environments), a short
 * warm-up runs the scenario's connect, join and send phases so the measurement starts on warm
 * environments, then the scenario is measured `repeat` times, each a complete run directory
 * (`<size>mb-<n>/`) starting in a CloudWatch minute of its own. The original sizes are restored
 * at the end, also after a failure or Ctrl-C. The comparison (compare.json, index.html,
 * summary.md) goes into the comparison's directory.
 */
export interface CompareOptions extends SessionOptions {
  /** memory sizes, MB */
  sizes: number[];
  /** functions set to each size, by name or (a local template's) logical id (default: fanout-send-message) */
  functions?: string[];
  repeat?: number;
  latencyMetric?: LatencyMetric;
  balancedWeights?: number[];
  /** send phases of the warm-up last this long (default 3 s; 0: no warm-up) */
  warmUpMs?: number;
}

export interface CompareOutcome {
  comparison: Comparison;
  dir: string;
  /** every measurement completed (none interrupted or failed) */
  complete: boolean;
}

export const DEFAULT_COMPARED_FUNCTIONS = [REFERENCE_SEND_FUNCTION];

/**
 * The functions set to each size, by the names Lambda's API knows: those named (a local template's
 * by logical id too), else the reference stack's send function, which a stack of another shape
 * does not have: it is asked to name its own, from the list of them, or, where its functions could
 * not be listed (and it is not known to be the reference stack), by name.
 */
export async function comparedFunctions(target: Pick<Target, 'describeFunctions'>, named: string[] | undefined): Promise<string[]> {
  const { functions: listed } = await target.describeFunctions();
  if (named) return [...new Set(named.map((id) => functionNamed(listed, id)))];
  if (listed.length === 0) throw new UserError("--function: this stack's functions could not be listed, and it did not answer as the reference stack: name the functions to set to each size");
  if (DEFAULT_COMPARED_FUNCTIONS.every((d) => listed.some((f) => f.name === d))) return DEFAULT_COMPARED_FUNCTIONS;
  const its = listed.map((f) => (f.logicalId ? `${f.logicalId} (${f.name})` : f.name)).join(', ');
  throw new UserError(`--function: this stack has no ${DEFAULT_COMPARED_FUNCTIONS.join(', ')} (the reference stack's, set by default): name the functions to set to each size (its functions: ${its})`);
}

export async function runComparison(o: CompareOptions): Promise<CompareOutcome> {
  const input = checkRunInput(o);
  const { scenario } = input;
  const named = o.functions && o.functions.length > 0 ? [...new Set(o.functions)] : undefined;
  let functions = named ?? DEFAULT_COMPARED_FUNCTIONS;
  const repeat = o.repeat ?? 1;
  const compareId = newRunId(`compare-${scenario.name}`);
  const sizes: SizeInput[] = [];
  let complete = true;
  const dir = await withSession(o, compareId, async (session) => {
    const quotas = await session.planQuotas(scenario, input);
    const target = await session.start(input);
    const where = target.lambdaApi;
    if (!where) {
      throw new UserError(`--target ${input.target.spec}: compare changes memory through Lambda's API, which this target does not name (use --target local or an execute-api URL)`);
    }
    // compare ranks by cost: a region without prices is refused before any load, not priced as another
    if (!o.cost?.priceList) {
      try {
        choosePrices(target.endpoints.region, o.cost ?? {});
      } catch (err) {
        if (err instanceof UnknownPrices) throw new UserError(err.message);
        throw err;
      }
    }
    functions = await comparedFunctions(target, named);
    const lambda = createLambdaClient(where);
    try {
      const memory = await memorySession(lambda, functions, { log: (line) => session.say(line) });
      try {
        for (const memoryMB of o.sizes) {
          if (session.aborted) break;
          session.say(`${functions.join(', ')} at ${memoryMB} MB: updating, then warming up`);
          try {
            await memory.set(Object.fromEntries(functions.map((f) => [f, memoryMB])));
          } catch (err) {
            // Ctrl-C while the update was taking effect: an interruption like any other (the sizes
            // measured so far are written), not a failed update.
            if (session.aborted) break;
            throw err;
          }
          const warmUpMs = o.warmUpMs ?? DEFAULT_WARM_UP_MS;
          if (warmUpMs > 0) await session.warmUp(scenario, target, input, { runId: `${compareId}-${memoryMB}mb-warm`, warmUpMs });
          const runs: SizeInput['runs'] = [];
          for (let i = 1; i <= repeat && !session.aborted; i++) {
            const runDir = session.subdir(`${memoryMB}mb-${i}`);
            const results = await session.measure({ dir: runDir, runId: `${compareId}-${memoryMB}mb-${i}`, scenario, target, input, quotas });
            runs.push({ results, dir: runDir });
            if (results.status !== 'completed') complete = false;
          }
          sizes.push({ memoryMB, runs });
        }
      } finally {
        await memory.restore();
      }
    } finally {
      lambda.destroy();
    }
    return session.dir;
  });
  if (o.signal?.aborted || sizes.length < o.sizes.length) complete = false;
  if (sizes.length === 0) throw new UserError('compare: interrupted before any size was measured (the original memory sizes were restored)', 130);
  const comparison = buildComparison({
    functions,
    sizes,
    repeat,
    latencyMetric: o.latencyMetric,
    balancedWeights: o.balancedWeights,
    prices: o.cost?.prices,
    architecture: o.cost?.architecture,
  });
  await writeComparison(comparison, dir);
  return { comparison, dir, complete };
}
