import type { IntegrationOutcome } from './integration.ts';
import type { LambdaRuntime } from '../lambda/types.ts';

/**
 * One call API Gateway makes to a function (a method's Lambda proxy integration, an authorizer),
 * given up after `timeoutMs` as API Gateway gives up (the function runs on): the runtime's
 * outcome, `timeout`, or `failed` when the runtime itself threw (said in one line).
 */
export async function callFunction(runtime: LambdaRuntime, functionName: string, event: unknown, timeoutMs: number, log: (line: string) => void): Promise<IntegrationOutcome> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      runtime.invoke(functionName, event),
      new Promise<IntegrationOutcome>((resolve) => {
        timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
      }),
    ]);
  } catch (err) {
    log(`invoking ${functionName} failed: ${(err as Error)?.message ?? String(err)}`);
    return { kind: 'failed', message: String(err) };
  } finally {
    clearTimeout(timer);
  }
}
