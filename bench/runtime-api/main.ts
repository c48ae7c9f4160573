import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { RuntimeApiServer } from '../../emulator/lambda/runtimes/runtime-api-server.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { blockMarkers, tsxCommand, writeResultsBlock } from '../results-block.ts';

/**
 * What the Runtime API costs beside the Node worker path, on this host:
 *
 * 1. Invocation overhead: `runtime.invoke` of a handler that returns at once (gateway's invoke →
 *    the answer), a Node.js handler in a worker thread against a Python one on the Runtime API
 *    (the emulator's bootstrap), warm, one at a time, in alternating rounds; p50/p90/p99 and the
 *    p50 difference (the issue's bound: ≤ 1 ms).
 * 2. A cold start's host CPU: K copies of a function, each invoked once (its first INIT), for a
 *    Node.js handler and a Python one, each bare and importing its SDK client (boto3's DynamoDB
 *    client; the SDK v3's DynamoDB client): the stack process's CPU (main thread and worker
 *    threads) plus the runtime processes' own (read from /proc), per cold start, and the median
 *    Init Duration.
 * 3. The per-environment Runtime API server: listen + close, CPU and wall per server.
 *
 *   npx tsx bench/runtime-api/main.ts [--rounds 6] [--per-round 500] [--cold 6] [--write]
 *
 * `--write` records the result in bench/RESULTS.md. cpuModel off, 1,769 MB: the emulator's own
 * costs, no CPU-share stretch.
 */
const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = flag('rounds', 6);
const PER_ROUND = flag('per-round', 500);
const COLD = flag('cold', 6);
const WRITE = args.includes('--write');

// Bundles in a directory of this run's own, removed after it: a first INIT compiles, as documented,
// instead of loading a V8 code cache an earlier run left beside a cached bundle (code-cache.ts).
process.env.FANOUT_BENCH_BUNDLE_CACHE = 'off';
const dir = mkdtempSync(join(tmpdir(), 'fb-runtime-api-bench-'));
const code = (name: string, files: Record<string, string>) => {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  return d;
};
const nodeBare = code('node-bare', { 'index.js': 'exports.handler = async () => ({ statusCode: 200 });\n' });
const nodeSdk = code('node-sdk', {
  'index.js': "const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');\nconst db = new DynamoDBClient({});\nexports.handler = async () => ({ statusCode: 200 });\n",
});
const pyBare = code('py-bare', { 'app.py': 'def handler(event, context):\n    return {"statusCode": 200}\n' });
const pySdk = code('py-sdk', { 'app.py': 'import boto3\ndb = boto3.client("dynamodb")\n\ndef handler(event, context):\n    return {"statusCode": 200}\n' });

const fn = (name: string, dir: string, runtime?: 'python3.11') => ({
  name,
  ...(runtime ? { runtime } : {}),
  code: { kind: 'handler' as const, dir, handler: runtime ? 'app.handler' : 'index.handler' },
  memoryMB: 1769,
  timeoutSeconds: 30,
  environment: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' },
});
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);
const cpuMs = (since: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};
const event = { requestContext: { connectionId: 'bench', routeKey: '$default', eventType: 'MESSAGE' }, body: 'x' };
const lines: string[] = [];
const say = (line: string) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
/** The runtime's line naming the Python that runs python3.11 */
let pythonLine = '';

async function overhead(): Promise<void> {
  const runtime = await createLambdaRuntime({
    metrics: new MetricStore(),
    logs: new LogStore(),
    cpuModel: 'off',
    log: (line) => (pythonLine = line),
    functions: [fn('node', nodeBare), fn('python', pyBare, 'python3.11')],
  });
  try {
    const samples: Record<string, number[]> = { node: [], python: [] };
    for (const name of ['node', 'python']) for (let i = 0; i < 200; i++) await invokeOk(runtime, name); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of round % 2 === 0 ? ['node', 'python'] : ['python', 'node']) {
        for (let i = 0; i < PER_ROUND; i++) {
          const t = performance.now();
          await invokeOk(runtime, name);
          samples[name]!.push(performance.now() - t);
        }
      }
    }
    const stat = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return { p50: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99) };
    };
    const n = stat(samples.node!);
    const p = stat(samples.python!);
    say(`1. Invocation overhead (runtime.invoke → answer, a handler that returns at once, warm, one at a time; ${ROUNDS} alternating rounds of ${PER_ROUND}):`);
    say('');
    say('| path | p50 | p90 | p99 |');
    say('|---|---:|---:|---:|');
    say(`| Node.js worker thread | ${n.p50.toFixed(3)} ms | ${n.p90.toFixed(3)} ms | ${n.p99.toFixed(3)} ms |`);
    say(`| Python on the Runtime API | ${p.p50.toFixed(3)} ms | ${p.p90.toFixed(3)} ms | ${p.p99.toFixed(3)} ms |`);
    say(`| difference | ${(p.p50 - n.p50).toFixed(3)} ms | ${(p.p90 - n.p90).toFixed(3)} ms | ${(p.p99 - n.p99).toFixed(3)} ms |`);
    say('');
    say(`p50 over Node's: ${(p.p50 - n.p50).toFixed(3)} ms (bound: ≤ 1 ms): ${p.p50 - n.p50 <= 1 ? 'PASS' : 'FAIL'}`);
    say('');
  } finally {
    await runtime.close();
  }
}

async function invokeOk(runtime: LambdaRuntime, name: string): Promise<{ initDurationMs?: number }> {
  const o = await runtime.invoke(name, event);
  if (o.kind !== 'ok') throw new Error(`${name}: ${JSON.stringify(o)}`);
  return o;
}

async function coldStarts(): Promise<void> {
  say(`2. A cold start's host CPU (${COLD} copies of each function, each invoked once: its first INIT; the stack process's CPU, threads included, plus the runtime processes'):`);
  say('');
  say('| function | Init Duration p50 | host CPU per cold start | of which the runtime process |');
  say('|---|---:|---:|---:|');
  const kinds = [
    ['Node.js, bare', nodeBare, undefined],
    ['Node.js, SDK v3 DynamoDB client at INIT', nodeSdk, undefined],
    ['Python, bare', pyBare, 'python3.11'],
    ['Python, boto3 DynamoDB client at INIT', pySdk, 'python3.11'],
  ] as const;
  for (const [label, codeDir, runtimeId] of kinds) {
    const runtime = await createLambdaRuntime({
      metrics: new MetricStore(),
      logs: new LogStore(),
      cpuModel: 'off',
      preparedPerFunction: 0,
      functions: Array.from({ length: COLD }, (_, i) => fn(`f${i}`, codeDir, runtimeId)),
    });
    try {
      const inits: number[] = [];
      const since = process.cpuUsage();
      for (let i = 0; i < COLD; i++) {
        const o = await invokeOk(runtime, `f${i}`);
        if (o.initDurationMs === undefined) throw new Error('not a cold start');
        inits.push(o.initDurationMs);
      }
      const stackCpu = cpuMs(since);
      const stats = Object.values(runtime.stats());
      const processCpu = stats.filter((s) => s.runsIn === 'process').reduce((a, s) => a + s.hostCpuInitMs + s.hostCpuInvokeMs, 0);
      const total = (stackCpu + processCpu) / COLD;
      say(`| ${label} | ${median(inits).toFixed(1)} ms | ${total.toFixed(1)} ms | ${runtimeId ? `${(processCpu / COLD).toFixed(1)} ms` : '– (a thread of the stack)'} |`);
    } finally {
      await runtime.close();
    }
  }
  say('');
  say("Init Duration as Lambda reports it: a worker's start-up is outside Node's (as Lambda's platform start is), the interpreter's start inside Python's (as the runtime's is on Lambda); the host CPU counts both.");
  say('');
}

async function servers(): Promise<void> {
  const n = 1000;
  const since = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const s = await RuntimeApiServer.listen({ next: () => undefined, response: () => undefined, error: () => undefined, initError: () => undefined });
    s.close();
  }
  const wall = performance.now() - t;
  say(`3. One Runtime API server per environment: listen on 127.0.0.1 + close, ${n} times: ${((wall / n) * 1000).toFixed(0)} µs wall and ${((cpuMs(since) / n) * 1000).toFixed(0)} µs CPU per server.`);
  say('');
}

try {
  const started = new Date();
  const loadBefore = load();
  await overhead();
  await coldStarts();
  await servers();
  const cpu = cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const header = [
    '## Runtime API against the Node worker path',
    '',
    `- command: \`${tsxCommand()} bench/runtime-api/main.ts${args.filter((a) => a !== '--write').map((a) => ` ${a}`).join('')} --write\``,
    `- measured: ${started.toISOString()}, load average ${loadBefore} before, ${load()} after`,
    `- machine: ${availableParallelism()} cores, ${cpu}, ${Math.round(totalmem() / 2 ** 20)} MB, Node ${process.version}; ${pythonLine.replace(/^stack: |^fanout-bench: warning: /, '')}`,
    '',
  ];
  if (WRITE) writeResultsBlock(new URL('../RESULTS.md', import.meta.url).pathname, blockMarkers('runtime-api', 'bench/runtime-api/main.ts'), [...header, ...lines]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
