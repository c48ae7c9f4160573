/**
 * The emulator's own CPU per invocation and per @connections post, the reference stack run two
 * ways in one process, alternately (A B A B …: this host is shared and noisy, so only ratios
 * measured in one sitting mean anything):
 *   built-in  the manifest's stack (its TypeScript entries bundled by the emulator, local CALLBACK_URL)
 *   template  the same stack read from a template or CDK cloud assembly (its bundled code as
 *             deployed, the AWS CALLBACK_URL redirected to the emulator)
 *
 *   npx tsx bench/emulator-capacity/template-compare.ts --template <cdk.out|template> [--rounds 3] [--quick] [--write]
 *
 * "Emulator's own" is the stack process minus the functions' environments (their threads run the
 * `--only built-in|template` runs one way (to profile it); its report has no ratio.
 * functions' code, which differs between the two: bundled by us or by CDK): the main thread
 * (gateway, runtime, @connections, CloudWatch, and these clients, the same in both), the DynamoDB
 * thread and the rest (GC and compiler threads, libuv's pool). The main thread is also shown alone.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type WebSocket from 'ws';
import { defaultStackConfig } from '../../emulator/config.ts';
import { threadCpuClock } from '../../emulator/lambda/environments/cpu-share.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { blockMarkers, tsxCommand, writeResultsBlock } from '../results-block.ts';
import { ask, inFlight, open } from './chat-calls.ts';

const USAGE = 'usage: template-compare.ts --template <cdk.out|template> [--rounds 3] [--only built-in|template] [--quick] [--write]';
// A mistake in the flags is one line naming it and exit 2, before any stack starts.
const fail = (message: string): never => {
  process.stderr.write(`template-compare: ${message} (${USAGE})\n`);
  process.exit(2);
};
const values = (() => {
  try {
    return parseArgs({
      options: {
        template: { type: 'string' },
        rounds: { type: 'string', default: '3' },
        // One way only: to profile it alone (`node --cpu-prof --import tsx …`), not to compare.
        only: { type: 'string' },
        quick: { type: 'boolean', default: false },
        write: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
})();
if (values.template === undefined) fail('--template <path> is required (a CDK cloud assembly or a template)');
if (!existsSync(values.template!)) fail(`--template: ${values.template} does not exist`);
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10) fail('--rounds must be a whole number from 1 to 10');
if (values.only !== undefined && values.only !== 'built-in' && values.only !== 'template') fail('--only must be built-in or template');
const ways = values.only !== undefined ? [values.only as Way] : (['built-in', 'template'] as const);
const templatePath = resolve(values.template!);
const quick = values.quick === true;
const ROOM = quick ? 50 : 100;
const INVOCATIONS = quick ? 400 : 1200;
const SENDS = quick ? 40 : 120;
const mainClock = threadCpuClock();
if (!mainClock) throw new Error('template-compare: needs Linux (/proc/thread-self/schedstat)');

type Way = 'built-in' | 'template';
interface Cost {
  envMs: number;
  mainMs: number;
  ownMs: number;
  processMs: number;
}
const samples: Record<Way, { invocation: Cost[]; post: Cost[] }> = {
  'built-in': { invocation: [], post: [] },
  template: { invocation: [], post: [] },
};
const log = (line: string) => process.stderr.write(`template-compare: ${line}\n`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const started = performance.now();

for (let r = 0; r < rounds; r++) {
  for (const way of ways) {
    log(`round ${r + 1}, ${way} (load ${load()}) …`);
    const c = await measureOnce(way);
    samples[way].invocation.push(c.invocation);
    samples[way].post.push(c.post);
    log(`  invocation own ${c.invocation.ownMs.toFixed(3)} ms, post own ${c.post.ownMs.toFixed(3)} ms`);
  }
}
report();

async function measureOnce(way: Way): Promise<{ invocation: Cost; post: Cost }> {
  // The stage's throttle as high as the account's: this measures cost, not the throttle (op-cost.ts).
  const config = defaultStackConfig({
    limits: { stageRps: 10_000, stageBurst: 5_000 },
    ...(way === 'template' ? { template: { path: templatePath, parameters: {} } } : {}),
  });
  const described = await describeStack(config);
  const stack = await startStack({ config, stack: described.stack, log: () => {} });
  const clients: WebSocket[] = [];
  try {
    const fnOf = (routeKey: string) => {
      const route = described.stack.routes.find((x) => x.routeKey === routeKey);
      const fn = described.stack.functions.find((f) => f.logicalId === route?.functionId);
      if (!fn) throw new Error(`template-compare: ${way}: no function behind route ${routeKey}`);
      return fn.name;
    };
    for (let i = 0; i < ROOM; i++) clients.push(await open(stack));
    // Warm-up: the environments' INIT and their hot paths' compilation are not what is compared.
    await inFlight(4, INVOCATIONS / 2, (i) => ask('template-compare', clients[i % ROOM]!, { action: 'noSuchAction' }, 'error'));
    const invocation = await measure(stack, fnOf('$default'), INVOCATIONS, () =>
      inFlight(4, INVOCATIONS, (i) => ask('template-compare', clients[i % ROOM]!, { action: 'noSuchAction' }, 'error')),
    );
    await ask('template-compare', clients[0]!, { action: 'createRoom', room: 'r' }, 'roomCreated');
    await inFlight(2, ROOM, (i) => ask('template-compare', clients[i]!, { action: 'joinRoom', room: 'r' }, 'joined'));
    const send = (count: number) => inFlight(4, count, (i) => ask('template-compare', clients[i % 4]!, { action: 'sendMessage', room: 'r', payload: 'x'.repeat(64) }, 'sent'));
    await send(SENDS);
    const post = await measure(stack, fnOf('sendMessage'), SENDS * ROOM, () => send(SENDS));
    return { invocation, post };
  } finally {
    for (const c of clients) c.terminate();
    await stack.close();
    await described.dispose();
  }
}

async function measure(stack: RunningStack, fn: string, count: number, work: () => Promise<void>): Promise<Cost> {
  if (!stack.runtime.stats()[fn]) throw new Error(`template-compare: no function ${fn} in the runtime`);
  // Every function's environments, not only the measured one's: another function's environment
  // booting in the window (prepared environments, the template's extra functions) is not the emulator.
  const envCpu = () => Object.values(stack.runtime.stats()).reduce((a, s) => a + s.hostCpuInitMs + s.hostCpuInvokeMs, 0);
  const env0 = envCpu();
  const main0 = mainClock!();
  const p0 = process.cpuUsage();
  await work();
  // Let the DynamoDB thread's and the posts' tail finish inside the window (op-cost.ts waits too).
  await new Promise((r) => setTimeout(r, 250));
  const envMs = envCpu() - env0;
  const mainMs = mainClock!() - main0;
  const p = process.cpuUsage(p0);
  const processMs = (p.user + p.system) / 1000;
  return { envMs: envMs / count, mainMs: mainMs / count, ownMs: (processMs - envMs) / count, processMs: processMs / count };
}

function report(): void {
  const median = (xs: number[]) => {
    if (xs.length === 0) return NaN; // the way not run (--only)
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const f = (n: number) => n.toFixed(3);
  const per = (way: Way, what: 'invocation' | 'post', k: keyof Cost) => median(samples[way][what].map((c) => c[k]));
  const each = (way: Way, what: 'invocation' | 'post', k: keyof Cost) => samples[way][what].map((c) => f(c[k])).join(', ');
  const rows: string[] = [];
  for (const what of ['invocation', 'post'] as const) {
    for (const [k, label] of [['ownMs', "emulator's own (process − environments)"], ['mainMs', 'main thread'], ['envMs', 'environments'], ['processMs', 'whole process']] as const) {
      const a = per('built-in', what, k);
      const b = per('template', what, k);
      rows.push(`| per ${what}: ${label} | ${f(a)} (${each('built-in', what, k)}) | ${f(b)} (${each('template', what, k)}) | ${(b / a).toFixed(2)} |`);
    }
  }
  const argv = process.argv.slice(2).join(' ');
  const lines = [
    '## Emulator: built-in stack against its template (`--template cdk.out`), CPU per operation',
    '',
    "The reference stack run two ways in one process, alternately: built-in (the manifest, entries bundled by the emulator) and from its CDK cloud assembly (cdk.out's bundled code as deployed). CPU ms per operation, median of the rounds (each round's value in brackets); per invocation: `$default` answering an unknown action (no SDK call); per post: one `sendMessage` delivery to a room member (one @connections post). The clients run in the same process (their share is in the main thread, the same both ways).",
    '',
    `- command: \`${tsxCommand()} bench/emulator-capacity/template-compare.ts ${argv}\` (${quick ? 'quick' : 'full'} mode, ${rounds} rounds ABAB, ${((performance.now() - started) / 1000).toFixed(0)} s)`,
    `- measured: ${new Date().toISOString()}; load average at the end ${load()}`,
    `- machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}`,
    '',
    '| CPU ms | built-in | template | template ÷ built-in |',
    '|---|---:|---:|---:|',
    ...rows,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.write && values.only === undefined) writeResultsBlock(new URL('../RESULTS.md', import.meta.url).pathname, blockMarkers('template-compare', 'bench/emulator-capacity/template-compare.ts'), lines);
}

