import { LogStore } from '../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../emulator/cloudwatch/metric-store.ts';
import { createLambdaRuntime, type LambdaRuntimeOptions } from '../emulator/lambda/runtime.ts';
import type { LambdaRuntime } from '../emulator/lambda/types.ts';

type FunctionOptions = LambdaRuntimeOptions['functions'][number];

/** The event both benchmarks send: a sendMessage the handler refuses (BAD_REQUEST) before any SDK call. */
export const SEND_EVENT = { requestContext: { connectionId: 'bench', routeKey: 'sendMessage', eventType: 'MESSAGE' }, body: '{}' };

/**
 * A Lambda runtime of K copies `f0`…`f{K-1}` of one function's code at 1,024 MB, none INIT'd ahead
 * and no CPU model: what the passes below run.
 */
export function copiesRuntime(K: number, code: Pick<FunctionOptions, 'runtime' | 'code' | 'entry'>, environment: Record<string, string>): Promise<LambdaRuntime> {
  return createLambdaRuntime({
    cpuModel: 'off',
    preparedPerFunction: 0,
    metrics: new MetricStore(),
    logs: new LogStore(),
    functions: Array.from({ length: K }, (_, i) => ({ name: `f${i}`, ...code, memoryMB: 1024, timeoutSeconds: 20, environment })),
  });
}

/**
 * The two passes of the cold-start benchmarks (node-init/, handler-init/) over K functions
 * `f0`…`f{K-1}`: pass 1 invokes each once, one after another (every one the first INIT of its
 * function); pass 2 sends each two invocations at once, one warm and one a cold start after the
 * first. A line per pass: the median Init Duration and the process CPU per cold start.
 */
export async function initPasses(lambda: Pick<LambdaRuntime, 'invoke'>, K: number, event: unknown, names: [first: string, second: string]): Promise<string[]> {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const c = process.cpuUsage(since);
    return (c.user + c.system) / 1000;
  };
  const line = (what: string, inits: number[], cpu: number) =>
    `  ${what}: Init Duration p50 ${median(inits).toFixed(0)} ms, process CPU ${(cpu / inits.length).toFixed(0)} ms per cold start`;
  const first: number[] = [];
  let since = process.cpuUsage();
  for (let i = 0; i < K; i++) {
    const out = await lambda.invoke(`f${i}`, event);
    if (out.kind !== 'ok' || out.initDurationMs === undefined) throw new Error(`not a successful cold start: ${JSON.stringify(out)}`);
    first.push(out.initDurationMs);
  }
  const lines = [line(names[0], first, cpuMs(since))];
  const later: number[] = [];
  since = process.cpuUsage();
  for (let i = 0; i < K; i++) {
    const outs = await Promise.all([lambda.invoke(`f${i}`, event), lambda.invoke(`f${i}`, event)]);
    const cold = outs.filter((o) => o.kind === 'ok' && o.initDurationMs !== undefined);
    if (cold.length !== 1) throw new Error(`expected one cold start: ${JSON.stringify(outs)}`);
    later.push((cold[0] as { initDurationMs: number }).initDurationMs);
  }
  lines.push(line(names[1], later, cpuMs(since)));
  return lines;
}
