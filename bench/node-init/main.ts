import { copiesRuntime, initPasses, SEND_EVENT } from '../init-passes.ts';
import { FUNCTION_ENV, FUNCTIONS } from '../../reference-stack/functions/manifest.ts';
import { TABLE_DEFAULT_NAMES } from '../../reference-stack/functions/shared/tables.ts';
import { packagePath } from '../../common/package-paths.ts';

/**
 * What a cold start of the real sendMessage function costs on the Node running this script. K
 * copies of it; pass 1 invokes each once, one after another: every one is the first INIT of its
 * function, which compiles the bundle (as every INIT on AWS does). Pass 2 sends each copy two
 * invocations at once: one warm, one a cold start that loads the V8 code cache the first left
 * behind (the emulator's usual cold start). Prints per pass the median Init Duration and the
 * process CPU per cold start (worker start-up + INIT + a BAD_REQUEST answer, which makes no SDK
 * call; every endpoint points at 127.0.0.1:9 in case one were made; pass 2 includes its warm
 * invocations, a few ms each).
 *
 *   <node> --import tsx bench/node-init/main.ts [K=8]
 */
// Bundles in a directory of this run's own, removed after it: a first INIT compiles, as documented,
// instead of loading a V8 code cache an earlier run left beside a cached bundle (code-cache.ts).
process.env.FANOUT_BENCH_BUNDLE_CACHE = 'off';
const K = Number(process.argv[2] ?? 8);
const entry = packagePath('reference-stack', 'functions', FUNCTIONS.find((f) => f.name === 'fanout-send-message')!.entry);
const environment = {
  [FUNCTION_ENV.connectionsTable]: TABLE_DEFAULT_NAMES.connections,
  [FUNCTION_ENV.roomMembersTable]: TABLE_DEFAULT_NAMES.roomMembers,
  [FUNCTION_ENV.messagesTable]: TABLE_DEFAULT_NAMES.messages,
  [FUNCTION_ENV.callbackUrl]: 'http://127.0.0.1:9/local',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
};
const lambda = await copiesRuntime(K, { entry }, environment);
let lines: string[] = [];
try {
  lines = await initPasses(lambda, K, SEND_EVENT, ['first INIT (compiles)', 'INIT from the code cache']);
} finally {
  await lambda.close();
}
console.log(`Node ${process.versions.node}, ${K} functions:\n${lines.join('\n')}`);
