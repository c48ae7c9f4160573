import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { packagePath } from '../../common/package-paths.ts';
import { FUNCTION_ENV, FUNCTIONS } from '../../reference-stack/functions/manifest.ts';

/**
 * What one INIT of a function costs on an idle host: cold starts one at a time (each environment
 * reaped before the next invocation), nothing else running. The reference point for what a cold
 * start should cost a client of the local stack.
 */
export async function idleHostInitMs(functionName: string, samples: number): Promise<number[]> {
  const spec = FUNCTIONS.find((f) => f.name === functionName);
  if (!spec) throw new Error(`no function ${functionName}`);
  // its TypeScript entry, bundled by the runtime as NodejsFunction bundles it
  const fn = { ...spec, entry: packagePath('reference-stack', 'functions', spec.entry) };
  const environment = {
    [FUNCTION_ENV.connectionsTable]: 'connections',
    [FUNCTION_ENV.roomMembersTable]: 'members',
    [FUNCTION_ENV.messagesTable]: 'messages',
    [FUNCTION_ENV.callbackUrl]: 'http://127.0.0.1:9/local',
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
  };
  const runtime = await createLambdaRuntime({
    metrics: new MetricStore(),
    logs: new LogStore(),
    idleReapMs: 50,
    functions: [{ name: fn.name, entry: fn.entry, memoryMB: fn.memoryMB, timeoutSeconds: fn.timeoutSeconds, environment }],
  });
  const out: number[] = [];
  try {
    for (let i = 0; i <= samples; i++) {
      // A request the handler refuses before any SDK call: only INIT is timed here.
      const outcome = await runtime.invoke(fn.name, { requestContext: { connectionId: 'idle', routeKey: fn.route }, body: '{}' });
      if (outcome.kind === 'throttled' || outcome.initDurationMs === undefined) throw new Error(`idle INIT: expected a cold start, got ${JSON.stringify(outcome)}`);
      if (i > 0) out.push(outcome.initDurationMs); // the first one also writes the V8 code cache
      while (runtime.stats()[fn.name]!.live > 0) await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await runtime.close();
  }
  return out;
}
