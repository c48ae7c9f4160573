import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultStackConfig } from '../../emulator/config.ts';
import { copiesRuntime, initPasses, SEND_EVENT } from '../init-passes.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';

/**
 * What a cold start of the reference stack's sendMessage costs as its cloud assembly deploys it:
 * NodejsFunction's ESM bundle, loaded as written (`handler` code), on the Node running this
 * script. K copies; pass 1 invokes each once, one after another (every one the first INIT of its
 * function); pass 2 sends each copy two invocations at once, one warm, one a cold start after the
 * first. With `cache`, the bundle cache (and with it Node's module compile cache, on a Node that
 * has one: bundling/code-cache.ts) is a directory of this run's own, empty at its start; with
 * `off`, there is none. Prints per pass the median Init Duration and the process CPU per cold start.
 *
 *   <node> --import tsx bench/handler-init/main.ts cache|off [K=8]
 */
const mode = process.argv[2];
if (mode !== 'cache' && mode !== 'off') throw new Error('usage: bench/handler-init/main.ts cache|off [K]');
const K = Number(process.argv[3] ?? 8);
const cacheDir = mkdtempSync(join(tmpdir(), 'fb-handler-init-'));
process.env.FANOUT_BENCH_BUNDLE_CACHE = mode === 'off' ? 'off' : cacheDir;
const described = await describeStack(defaultStackConfig());
const send = described.stack.functions.find((f) => f.name === 'fanout-send-message')!;
// every endpoint at 127.0.0.1:9 in case a call were made (a BAD_REQUEST answer makes none)
const environment = { ...send.environment, CALLBACK_URL: 'http://127.0.0.1:9/local', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' };
const lambda = await copiesRuntime(K, { runtime: send.runtime, code: send.code }, environment);
let lines: string[] = [];
try {
  lines = await initPasses(lambda, K, SEND_EVENT, ['pass 1, each function once', 'pass 2, a second environment of each']);
} finally {
  await lambda.close();
  await described.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
}
console.log(`Node ${process.versions.node}, ${mode}, ${K} functions:\n${lines.join('\n')}`);
