import { cloudWatchFor } from './metrics/cloudwatch-clients.ts';
import { pullCloudWatch } from './metrics/cloudwatch-puller.ts';
import { estimateCost, type CostOptions } from './metrics/cost-model.ts';
import type { Results } from './metrics/results-schema.ts';
import { writeResults } from './metrics/results-writer.ts';
import { dynamoDbWork, lambdaWork } from './metrics/work-per-message.ts';
import { writeReports } from './report/write-reports.ts';
import type { Target } from './targets/target.ts';

export interface AfterRunHooks {
  /** a step that went wrong, one line (the run's results are already on disk) */
  onWarning?: (message: string) => void;
  /** prices and architecture for the cost estimate (default: the dated us-east-1 table, x86_64) */
  cost?: CostOptions;
}

/**
 * The last step of every run — finished, interrupted or failed — while the target is still up.
 * results.json is written first, so nothing measured is lost if a later step fails; then the
 * CloudWatch pull, the work per message and the cost estimate are added, results.json is rewritten, and the reports
 * (index.html, summary.md, junit.xml) are rendered from it.
 */
export async function afterRun(
  results: Results,
  runDir: string,
  target: Target | undefined,
  hooks: AfterRunHooks = {},
): Promise<void> {
  writeResults(runDir, results);
  const warn = hooks.onWarning ?? (() => {});

  const source = target ? cloudWatchFor(target) : null;
  if (source) {
    // pullCloudWatch never throws: what it could not pull is listed in results.cloudwatch.problems
    results.cloudwatch = await pullCloudWatch({
      ...source,
      run: { startMs: Date.parse(results.startedAt), endMs: Date.parse(results.endedAt) },
    });
    if (results.cloudwatch.status !== 'complete') {
      warn(`CloudWatch pull ${results.cloudwatch.status}: ${results.cloudwatch.problems.map((p) => `${p.step}: ${p.errorName}`).join('; ')}`);
    }
  }
  try {
    const dynamodb = dynamoDbWork(results);
    if (dynamodb) results.dynamodb = dynamodb;
    const lambda = lambdaWork(results, hooks.cost?.functions);
    if (lambda) results.lambda = lambda;
  } catch (err) {
    warn(`work per message failed: ${(err as Error).message}`);
  }
  try {
    results.cost = estimateCost(results, hooks.cost);
  } catch (err) {
    warn(`cost estimate failed: ${(err as Error).message}`);
  }
  writeResults(runDir, results);
  try {
    await writeReports(results, runDir);
  } catch (err) {
    warn(`report rendering failed: ${(err as Error).message} (results.json is complete; re-render with \`fanout-bench report ${runDir}\`)`);
  }
}
