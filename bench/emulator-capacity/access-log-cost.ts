/**
 * What the stage's access logging costs the local stack, per delivery and per line: the reference
 * stack in this process, a room of 100 clients (each with a User-Agent of its own, as the fleet
 * sends), sendMessage 4 at a time, in rounds alternating access logging off and on (the harness's
 * own JSON format, written to the emulator's CloudWatch Logs), so a busy host's
 * drift falls on both alike. Per delivery: the main thread's CPU (where the gateway renders and
 * stores each line) and the whole process's. Then the renderer alone: one line rendered many
 * times, ns per line, which a busy host disturbs least.
 *
 *   npx tsx bench/emulator-capacity/access-log-cost.ts [--write] [--rounds 4]
 *
 * floor.ts leaves the gateway out, so it has nothing to log: this is the floor's stack with its
 * gateway, measured as op-cost.ts measures an operation.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { defaultStackConfig } from '../../emulator/config.ts';
import { threadCpuClock } from '../../emulator/lambda/environments/cpu-share.ts';
import { compileAccessLogFormat, type AccessLogRecord } from '../../emulator/gateway/access-log-format.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { HARNESS_ACCESS_LOG_FORMAT } from '../../src/metrics/attribution/access-log-format.ts';
import { blockMarkers, tsxCommand, writeResultsBlock } from '../results-block.ts';
import { ask, inFlight } from './chat-calls.ts';

const usage = (problem: string): never => {
  process.stderr.write(`access-log-cost: ${problem} (usage: access-log-cost.ts [--write] [--rounds <2..20>])\n`);
  process.exit(2);
};
let values: { write?: boolean; rounds?: string } = {};
try {
  ({ values } = parseArgs({ options: { write: { type: 'boolean', default: false }, rounds: { type: 'string', default: '4' } } }));
} catch (err) {
  usage((err as Error).message);
}
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 2 || ROUNDS > 20) usage('--rounds must be a whole number from 2 to 20');

const ROOM = 100;
const SENDS_PER_ROUND = 60;
const GROUP = '/fanout-bench/access-log-cost';
/** the format a run sets on a stage when it enables access logging itself (`--access-log enable`) */
const FORMAT = HARNESS_ACCESS_LOG_FORMAT;

const stack: RunningStack = await startStack({ config: defaultStackConfig({ limits: { stageRps: 10_000, stageBurst: 5_000 } }), log: () => {} });
const mainClock = threadCpuClock();
if (!mainClock) throw new Error('access-log-cost: needs Linux (/proc/thread-self/schedstat)');
stack.logs.createGroup(GROUP);
const settings = { destinationArn: `arn:aws:logs:${stack.ready.region}:000000000000:log-group:${GROUP}`, format: FORMAT };
const clients: WebSocket[] = [];
interface Round {
  on: boolean;
  mainMs: number;
  processMs: number;
  deliveries: number;
  lines: number;
}
const rounds: Round[] = [];
try {
  for (let i = 0; i < ROOM; i++) clients.push(await openAs(`fanout-bench/bench client/${i}.0`));
  await ask('access-log-cost', clients[0]!, { action: 'createRoom', room: 'r' }, 'roomCreated');
  await inFlight(2, ROOM, (i) => ask('access-log-cost', clients[i]!, { action: 'joinRoom', room: 'r' }, 'joined'));
  const send = () => inFlight(4, SENDS_PER_ROUND, (i) => ask('access-log-cost', clients[i % 4]!, { action: 'sendMessage', room: 'r', payload: 'x'.repeat(64) }, 'sent'));
  // environments warm, and the logging path run once, before the first measured round
  await send();
  stack.gateway.accessLog.configure(settings);
  await send();
  for (let r = 0; r < ROUNDS * 2; r++) {
    const on = r % 2 === 1;
    stack.gateway.accessLog.configure(on ? settings : undefined);
    const lines0 = linesIn(GROUP);
    const main0 = mainClock();
    const p0 = process.cpuUsage();
    await send();
    // 'sent' comes before its invocation returns, and the line after it: let the round's last ones finish
    while (stack.runtime.stats()['fanout-send-message']!.busy > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const p = process.cpuUsage(p0);
    rounds.push({ on, mainMs: mainClock() - main0, processMs: (p.user + p.system) / 1000, deliveries: SENDS_PER_ROUND * ROOM, lines: linesIn(GROUP) - lines0 });
  }
} finally {
  for (const c of clients) c.terminate();
  await stack.close();
}
report(rounds, lineNs());

function openAs(userAgent: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(stack.ready.websocketUrl, { headers: { 'User-Agent': userAgent } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function linesIn(group: string): number {
  return stack.logs.filter({ logGroupName: group })?.events.length ?? 0;
}

/** ns to render one MESSAGE line in FORMAT, and to render and store it in a log store, best of five batches each. */
function lineNs(): { render: number; renderAndStore: number } {
  const render = compileAccessLogFormat(FORMAT, { apiId: 'abcdefghij', stage: 'local', domainName: '127.0.0.1:4000' });
  const record: AccessLogRecord = {
    eventType: 'MESSAGE',
    requestId: 'Xc3DfbgRvHcCJbQ=',
    client: { connectionId: 'dTxBJtOf7EqReVw=', connectedAt: Date.now(), sourceIp: '127.0.0.1', userAgent: 'fanout-bench/run-1 client/17.0' },
    routeKey: 'sendMessage',
    messageId: 'L0SM9cOFvHcCIhw=',
    requestTimeEpoch: Date.now(),
    status: 200,
    integration: { latencyMs: 31.7, status: 200, integrationStatus: 200, requestId: '8f9c2a1e-55a4-4a57-9d1e-4c1b0e7f3a21' },
  };
  const n = 200_000;
  let sink = 0;
  const best = (work: () => void) => {
    let min = Infinity;
    for (let b = 0; b < 5; b++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) work();
      min = Math.min(min, Number(process.hrtime.bigint() - t0) / n);
    }
    return min;
  };
  const renderOnly = best(() => (sink += render(record).length));
  const store = new LogStore();
  const renderAndStore = best(() => store.append(GROUP, 'stream', { timestamp: Date.now(), message: render(record) }));
  if (sink === 0) throw new Error('unreachable');
  return { render: renderOnly, renderAndStore };
}

function report(all: Round[], ns: { render: number; renderAndStore: number }): void {
  const sum = (on: boolean, f: (r: Round) => number) => all.filter((r) => r.on === on).reduce((a, r) => a + f(r), 0);
  const per = (on: boolean, f: (r: Round) => number) => sum(on, f) / sum(on, (r) => r.deliveries);
  const us = (ms: number) => (ms * 1000).toFixed(2);
  const mainOff = per(false, (r) => r.mainMs);
  const mainOn = per(true, (r) => r.mainMs);
  const procOff = per(false, (r) => r.processMs);
  const procOn = per(true, (r) => r.processMs);
  const linesPerDelivery = per(true, (r) => r.lines);
  const spread = (on: boolean) => {
    const v = all.filter((r) => r.on === on).map((r) => r.mainMs / r.deliveries);
    return Math.max(...v) - Math.min(...v);
  };
  const load = loadavg();
  const lines = [
    '## Emulator: the cost of access logging',
    '',
    "What the stage's access logging costs the local stack: the reference stack in one process with",
    'its clients, a room of 100, sendMessage 4 at a time, rounds alternating logging off and on',
    `(${ROUNDS} of each, ${SENDS_PER_ROUND * ROOM} deliveries a round; the harness's JSON format, ${FORMAT.match(/\$context\./g)!.length} variables).`,
    'A sendMessage is one MESSAGE line for its 100 deliveries; CPU per delivery, µs.',
    '',
    `- command: \`${tsxCommand()} bench/emulator-capacity/access-log-cost.ts --write --rounds ${ROUNDS}\``,
    `- measured: ${new Date().toISOString()}; load average ${load.map((l) => l.toFixed(2)).join(' ')}${load[0]! > availableParallelism() * 0.5 ? ' (the host was busy: other work ran beside it, so the round-to-round spread is wide)' : ''}`,
    `- machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}`,
    '',
    '| access logging | main thread µs/delivery | whole process µs/delivery | lines/delivery |',
    '|---|---:|---:|---:|',
    `| off | ${us(mainOff)} | ${us(procOff)} | 0 |`,
    `| on | ${us(mainOn)} | ${us(procOn)} | ${linesPerDelivery.toFixed(3)} |`,
    `| on − off | ${us(mainOn - mainOff)} | ${us(procOn - procOff)} | |`,
    '',
    `- rounds (main thread µs/delivery, off/on alternated): ${all.map((r) => `${r.on ? 'on' : 'off'} ${us(r.mainMs / r.deliveries)}`).join(', ')}; the spread of the off rounds alone: ${us(spread(false))} µs`,
    `- one line, rendered: ${ns.render.toFixed(0)} ns; rendered and stored in the log store: ${ns.renderAndStore.toFixed(0)} ns (best of 5 × 200,000), i.e. ${((ns.renderAndStore / 1000) * linesPerDelivery).toFixed(4)} µs per delivery at this fan-out (one line per 100 deliveries)`,
    `- reading: ${Math.abs(mainOn - mainOff) <= spread(false) ? 'on − off is within the spread of the off rounds, so the stack-level difference is not resolved on this host; the line cost above bounds it' : 'on − off is larger than the spread of the off rounds'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.write) writeResultsBlock(new URL('../RESULTS.md', import.meta.url).pathname, blockMarkers('access-log-cost', 'bench/emulator-capacity/access-log-cost.ts'), lines);
}
