import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { SEND_EVENT } from '../init-passes.ts';

/**
 * What provisioned concurrency costs this host at stack start (issue 68): the reference stack's
 * sendMessage as its cloud assembly deploys it, published as version 1 with N provisioned
 * environments, none INIT'd ahead otherwise. Times the runtime from its creation until every
 * provisioned environment has run INIT (`prepared()`: at start-up every core may INIT), and the
 * process's resident memory before and after; then one invocation of the version, to show it is
 * served warm. Prints the time and the memory per provisioned environment.
 *
 *   <node> --import tsx bench/provisioned-start/main.ts [N=8]
 */
const N = Number(process.argv[2] ?? 8);
const described = await describeStack(defaultStackConfig());
const send = described.stack.functions.find((f) => f.name === 'fanout-send-message')!;
const environment = { ...send.environment, CALLBACK_URL: 'http://127.0.0.1:9/local', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' };
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const lambda = await createLambdaRuntime({
  cpuModel: 'off',
  preparedPerFunction: 0,
  metrics: new MetricStore(),
  logs: new LogStore(),
  functions: [{ name: 'send', runtime: send.runtime, code: send.code, memoryMB: 1024, timeoutSeconds: 20, environment, ...(N > 0 ? { versions: [{ provisionedConcurrency: N }] } : {}) }],
});
try {
  await lambda.prepared();
  const readyMs = performance.now() - started;
  const rssAfter = process.memoryUsage().rss;
  const out = N > 0 ? await lambda.invoke('send:1', SEND_EVENT) : undefined;
  const warm = out?.kind === 'ok' && !out.cold;
  const per = (x: number) => (N > 0 ? (x / N).toFixed(1) : '–');
  console.log(
    `Node ${process.versions.node}, ${N} provisioned: ready in ${readyMs.toFixed(0)} ms (${per(readyMs)} ms each), ` +
      `RSS +${((rssAfter - rssBefore) / 2 ** 20).toFixed(0)} MB (${per((rssAfter - rssBefore) / 2 ** 20)} MB each)${out ? `; first invocation of version 1 ${warm ? 'warm' : 'cold'}` : ''}`,
  );
} finally {
  await lambda.close();
  await described.dispose();
}
