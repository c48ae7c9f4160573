/**
 * Where the local stack's CPU goes, per operation: what one invocation, one join and one
 * delivery cost the stack's process (split into the function's environments' threads, the main
 * thread, the DynamoDB thread (dynalite) and the rest: V8's GC and compiler threads of every
 * isolate, libuv's pool), and what a new sendMessage
 * environment's warm-up costs on top. These per-operation costs, times the capacity scenario's
 * rates, are the CPU the scenario asks of the host (bench/RESULTS.md).
 *
 *   npx tsx bench/emulator-capacity/op-cost.ts [--write]
 *
 * The stack runs in this process, on this Node: run it with the emulated runtime's Node
 * (`.cache/node/v22.23.3/bin/node --import tsx bench/emulator-capacity/op-cost.ts`) to measure
 * what the default stack runs. The clients live in this process too (their share is in "main").
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type WebSocket from 'ws';
import { defaultStackConfig } from '../../emulator/config.ts';
import { threadCpuClock } from '../../emulator/lambda/environments/cpu-share.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { blockMarkers, tsxCommand, writeResultsBlock } from '../results-block.ts';
import { ask, inFlight, open } from './chat-calls.ts';

const { values } = parseArgs({ options: { write: { type: 'boolean', default: false } } });
const ROOM = 100;

interface Cost {
  what: string;
  count: number;
  envMs: number;
  mainMs: number;
  dynamodbMs: number;
  otherMs: number;
  processMs: number;
  perSecond: number;
}

// The stage's throttle as high as the account's: back-to-back invocations go past the 500/s the
// stage admits by default, and this measures what an operation costs, not the throttle.
const stack = await startStack({ config: defaultStackConfig({ limits: { stageRps: 10_000, stageBurst: 5_000 } }), log: () => {} });
const mainClock = threadCpuClock();
if (!mainClock) throw new Error('op-cost: needs Linux (/proc/thread-self/schedstat)');
const clients: WebSocket[] = [];
const costs: Cost[] = [];
try {
  for (let i = 0; i < ROOM; i++) clients.push(await open(stack));

  // 1. Invocation overhead: $default answers an unknown action with no SDK call.
  await inFlight(4, 400, (i) => ask('op-cost', clients[i % ROOM], { action: 'noSuchAction' }, 'error'));
  costs.push(await measure('one invocation ($default, 0 SDK calls)', 'fanout-default', 1200, () => inFlight(4, 1200, (i) => ask('op-cost', clients[i % ROOM], { action: 'noSuchAction' }, 'error'))));

  // 2. Joins into rooms of 100 (PutItem + Query COUNT; the room's GetItem is cached per
  //    environment), after eight rooms' worth to warm the environments.
  let room = 0;
  const joinRoom = async () => {
    const name = `j${room++}`;
    await ask('op-cost', clients[0], { action: 'createRoom', room: name }, 'roomCreated');
    await inFlight(2, ROOM, (i) => ask('op-cost', clients[i], { action: 'joinRoom', room: name }, 'joined'));
  };
  for (let r = 0; r < 8; r++) await joinRoom();
  costs.push(await measure('one join (room of 100, 2 in flight)', 'fanout-join-room', 4 * ROOM, async () => {
    for (let r = 0; r < 4; r++) await joinRoom();
  }));

  // 3. Deliveries: sendMessage to the 100 members of room j0, 4 senders at once.
  const send = (count: number) => inFlight(4, count, (i) => ask('op-cost', clients[i % 4], { action: 'sendMessage', room: 'j0', payload: 'x'.repeat(64) }, 'sent'));
  const fresh = await measure('one delivery, environments new (their INIT and first 30 invocations)', 'fanout-send-message', 120 * ROOM, () => send(120));
  await send(120);
  const warm = await measure('one delivery, environments warm', 'fanout-send-message', 120 * ROOM, () => send(120));
  costs.push(warm, fresh);
  const envs = stack.runtime.stats()['fanout-send-message'].live;
  const warmUpS = ((fresh.processMs - warm.processMs) * fresh.count) / 1000 / Math.max(1, envs);
  report(costs, envs, warmUpS);
} finally {
  for (const c of clients) c.terminate();
  await stack.close();
}

async function measure(what: string, fn: string, count: number, work: () => Promise<void>): Promise<Cost> {
  const envCpu = () => {
    const s = stack.runtime.stats()[fn];
    return s.hostCpuInitMs + s.hostCpuInvokeMs;
  };
  // The DynamoDB thread reports its CPU with its metric batches (every 100 ms): let one arrive.
  const dynamodbCpu = async () => {
    await new Promise((resolve) => setTimeout(resolve, 250));
    return stack.hostCpu().dynamodbMs;
  };
  const db0 = await dynamodbCpu();
  const env0 = envCpu();
  const main0 = mainClock!();
  const p0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const wall = performance.now() - t0;
  const envMs = envCpu() - env0;
  const mainMs = mainClock!() - main0;
  const dynamodbMs = (await dynamodbCpu()) - db0;
  const p = process.cpuUsage(p0);
  const processMs = (p.user + p.system) / 1000;
  return {
    what,
    count,
    envMs: envMs / count,
    mainMs: mainMs / count,
    dynamodbMs: dynamodbMs / count,
    otherMs: Math.max(0, processMs - envMs - mainMs - dynamodbMs) / count,
    processMs: processMs / count,
    perSecond: (count / wall) * 1000,
  };
}

function report(rows: Cost[], envs: number, warmUpS: number): void {
  const f = (n: number) => n.toFixed(3);
  const lines = [
    '## Emulator: CPU per operation',
    '',
    'What one operation costs the local stack\'s process (`emulator` in one process with its',
    'clients), by thread: the function\'s environments (worker threads, INIT and invoking), the main thread',
    '(gateway, runtime, these clients), the DynamoDB thread (dynalite and its metering front) and the rest',
    '(V8\'s GC and compiler threads of every isolate, libuv\'s pool). On 2 cores the stack can do at most',
    '2,000 ÷ "whole process" of an operation per second, before the harness\'s share.',
    '',
    `- command: \`${tsxCommand()} bench/emulator-capacity/op-cost.ts --write\``,
    `- measured: ${new Date().toISOString()}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `- machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version} (the functions run on it)`,
    '',
    '| operation | environments ms | main thread ms | DynamoDB thread ms | other threads ms | whole process ms | at most /s on 2 cores | measured rate /s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.what} | ${f(r.envMs)} | ${f(r.mainMs)} | ${f(r.dynamodbMs)} | ${f(r.otherMs)} | ${f(r.processMs)} | ${Math.floor(2000 / r.processMs)} | ${r.perSecond.toFixed(0)} |`),
    '',
    `- what a new sendMessage environment costs the host beyond a warm one's work (INIT and its first 30 invocations): ${warmUpS.toFixed(2)} s of host CPU each (${envs} environments)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.write) writeResultsBlock(new URL('../RESULTS.md', import.meta.url).pathname, blockMarkers('op-cost', 'bench/emulator-capacity/op-cost.ts'), lines);
}

