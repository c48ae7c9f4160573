import { LogStore } from '../../reference-stack/local/cloudwatch/log-store.ts';
import { MetricStore } from '../../reference-stack/local/cloudwatch/metric-store.ts';
import { createLambdaRuntime } from '../../reference-stack/local/lambda/runtime.ts';
import { FUNCTION_ENV } from '../../reference-stack/functions/manifest.ts';
import { TABLE_DEFAULT_NAMES } from '../../reference-stack/functions/shared/tables.ts';
import { manifestFunctions } from '../../reference-stack/local/stack.ts';

/**
 * What one cold start of the real sendMessage function costs on the Node running this script:
 * K copies of it, each invoked once, one after another (nothing else running), so each
 * invocation is a cold start. Prints the median Init Duration and the process CPU per cold start
 * (worker start-up + module load; the handler answers BAD_REQUEST without an SDK call, and
 * every endpoint points at 127.0.0.1:9 in case one were made).
 *
 *   <node> --import tsx bench/node-init/main.ts [K=8]
 */
const K = Number(process.argv[2] ?? 8);
const sendMessage = manifestFunctions().find((f) => f.name === 'fanout-send-message')!;
const environment = {
  [FUNCTION_ENV.connectionsTable]: TABLE_DEFAULT_NAMES.connections,
  [FUNCTION_ENV.roomMembersTable]: TABLE_DEFAULT_NAMES.roomMembers,
  [FUNCTION_ENV.messagesTable]: TABLE_DEFAULT_NAMES.messages,
  [FUNCTION_ENV.callbackUrl]: 'http://127.0.0.1:9/local',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
};
const event = { requestContext: { connectionId: 'bench', routeKey: 'sendMessage', eventType: 'MESSAGE' }, body: '{}' };
const lambda = await createLambdaRuntime({
  cpuModel: 'off',
  preparedPerFunction: 0,
  metrics: new MetricStore(),
  logs: new LogStore(),
  functions: Array.from({ length: K }, (_, i) => ({ name: `f${i}`, entry: sendMessage.entry, memoryMB: 1024, timeoutSeconds: 20, environment })),
});
const inits: number[] = [];
const cpuAtStart = process.cpuUsage();
try {
  for (let i = 0; i < K; i++) {
    const out = await lambda.invoke(`f${i}`, event);
    if (out.kind !== 'ok' || out.initDurationMs === undefined) throw new Error(`not a successful cold start: ${JSON.stringify(out)}`);
    inits.push(out.initDurationMs);
  }
} finally {
  await lambda.close();
}
const cpu = process.cpuUsage(cpuAtStart);
const median = [...inits].sort((a, b) => a - b)[Math.floor(K / 2)]!;
console.log(`Node ${process.versions.node}: ${K} cold starts, Init Duration p50 ${median.toFixed(0)} ms, process CPU ${((cpu.user + cpu.system) / 1000 / K).toFixed(0)} ms per cold start`);
