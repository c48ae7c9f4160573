/**
 * Fan-out through a queue against direct fan-out, on this host, at the floor's load (issue 60,
 * "Speed and memory"), and what each new provider costs per message.
 *
 *   npx tsx bench/queued-fanout/main.ts [--quick] [--write] [--only direct,queued,cost] [--members-per-message 10]
 *
 * direct, queued: the stack in stack/template.yaml started in this process (startStack, IAM
 * enforced, default limits), a fresh one per path. Its clients (clients.ts, a thread of their
 * own) connect into ROOMS rooms of ROOM_SIZE, the first member of each room also its sender, as
 * the floor (bench/emulator-capacity/floor.ts) and the capacity scenario have them: 2,000 clients
 * in 20 rooms of 100, 2,500 then 1,250 deliveries/s for 15 s each. Then a ceiling: 5,000
 * deliveries/s offered for 10 s, and the deliveries/s the path actually made.
 *   direct  the send function queries the room and posts to every member itself;
 *   queued  the send function SendMessageBatch-es one message per --members-per-message members to
 *           an SQS queue; the queue's event source mapping invokes a worker that posts to them.
 * Each phase: deliveries lost, latency (due send time → client's socket), deliveries/s made, the
 * stack's CPU per delivery (this process less the clients' thread: main thread, the functions'
 * environments, DynamoDB's thread, the rest) and, queued, the mapping's peak concurrency and the
 * queue's deepest backlog and oldest message (its AWS/SQS and emulator metrics).
 * cost: provider-cost.ts, CPU-ms per SQS send/receive/delete, SNS publish+delivery, EventBridge
 * PutEvents+target and DynamoDB stream record.
 * --quick: 200 clients in 2 rooms, 5 s phases: a smoke check, not a measurement to record.
 * Every wait is bounded; every stack, thread and socket is closed at the end; 127.0.0.1 only.
 * For a CPU profile: `node --cpu-prof --cpu-prof-dir=<dir> --import tsx bench/queued-fanout/main.ts --quick --only queued`
 * (the `=` form: the functions' environments are given the flags that start with --cpu-prof, and
 * write theirs there too; the main thread's profile is the one whose thread id is 0).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { defaultStackConfig } from '../../emulator/config.ts';
import { ESM_EMULATOR_METRIC, ESM_EMULATOR_NAMESPACE } from '../../emulator/event-sources/mapping-metrics.ts';
import type { HostCpuReport } from '../../emulator/host-cpu.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { decodeHistogram } from '../../src/metrics/measurement/histogram.ts';
import { blockMarkers, tsxCommand, writeResultsBlock } from '../results-block.ts';
import { bundleThreads } from '../thread-bundles.ts';
import type { ClientsInit, FromClients, ToClients } from './clients.ts';
import { measureProviderCosts, providerCostLines, type ProviderCost } from './provider-cost.ts';

const ALL = ['direct', 'queued', 'cost'] as const;
type Which = (typeof ALL)[number];
type Path = Exclude<Which, 'cost'>;

const usage = (problem: string): never => {
  process.stderr.write(`queued-fanout: ${problem} (usage: main.ts [--quick] [--write] [--only ${ALL.join(',')}] [--members-per-message <1-100>])\n`);
  process.exit(2);
};
let values: { quick?: boolean; write?: boolean; only?: string; 'members-per-message'?: string } = {};
try {
  ({ values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, write: { type: 'boolean', default: false }, only: { type: 'string' }, 'members-per-message': { type: 'string', default: '10' } },
  }));
} catch (err) {
  usage((err as Error).message);
}
const only = (values.only?.split(',').map((s) => s.trim()) ?? [...ALL]) as Which[];
const unknown = only.find((w) => !ALL.includes(w));
if (unknown !== undefined) usage(`--only: unknown measurement "${unknown}"`);
const PER_MESSAGE = Number(values['members-per-message']);
if (!Number.isInteger(PER_MESSAGE) || PER_MESSAGE < 1 || PER_MESSAGE > 100) usage('--members-per-message must be a whole number from 1 to 100');
const QUICK = values.quick === true;
if (QUICK && values.write) usage('--quick is a smoke check: it is not written to bench/RESULTS.md');

// The floor's load (floor.ts, capacity.yaml): 2,000 clients in 20 rooms of 100.
const ROOMS = QUICK ? 2 : 20;
const ROOM_SIZE = 100;
const PHASE_SECONDS = QUICK ? 3 : 15;
const CEILING_SECONDS = QUICK ? 3 : 10;
/** --quick offers a tenth of each rate: it proves the paths work on a busy host */
const SCALE = QUICK ? 0.1 : 1;
/** deliveries/s offered, each phase in turn (messages/s = ÷ ROOM_SIZE) */
const PHASES: Array<{ name: string; deliveriesPerSecond: number; seconds: number }> = [
  { name: 'scenario', deliveriesPerSecond: 2_500 * SCALE, seconds: PHASE_SECONDS },
  { name: 'scenario', deliveriesPerSecond: 1_250 * SCALE, seconds: PHASE_SECONDS },
  { name: 'ceiling', deliveriesPerSecond: 5_000 * SCALE, seconds: CEILING_SECONDS },
];
/** how long the deliveries of a phase may trail its last send before the rest count as lost (late, if they come after) */
const DRAIN_MS = QUICK ? 30_000 : 60_000;
const ROUTE: Record<Path, string> = { direct: 'direct', queued: 'queued' };
const TEMPLATE = fileURLToPath(new URL('./stack/template.yaml', import.meta.url));

interface Row {
  path: Path;
  phase: string;
  offered: number;
  messages: number;
  expected: number;
  received: number;
  /** deliveries of the phase before that came after it was counted */
  lateBefore: number;
  /** received ÷ (last delivery − first due send), s */
  madePerSecond: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** the stack's CPU per delivery, ms: all, and its main thread, the environments, DynamoDB, the rest */
  cpu: { total: number; main: number; environments: number; dynamodb: number; other: number };
  /** queued: most batches invoked at once, deepest backlog (visible messages), oldest message (s) */
  esmPeak?: number;
  queuePeak?: number;
  oldestSeconds?: number;
  /** frames that were no delivery (API Gateway's own) */
  others: number;
  firstOther?: string;
}

const log = (line: string) => process.stderr.write(`queued-fanout: ${line}\n`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const started = performance.now();
const dir = await mkdtemp(join(tmpdir(), 'fb-queued-fanout-'));
const rows: Row[] = [];
let costs: ProviderCost[] = [];
try {
  const [clientsPath] = await bundleThreads(dir, [fileURLToPath(new URL('./clients.ts', import.meta.url))]);
  for (const path of (['direct', 'queued'] as const).filter((p) => only.includes(p))) rows.push(...(await runPath(path, clientsPath!)));
  if (only.includes('cost')) costs = await measureProviderCosts({ quick: QUICK, dir, log });
  report();
} finally {
  await rm(dir, { recursive: true, force: true });
}

async function runPath(path: Path, clientsPath: string): Promise<Row[]> {
  log(`${path}: starting the stack (load ${load()})`);
  const config = defaultStackConfig({ template: { path: TEMPLATE, parameters: { MembersPerMessage: String(PER_MESSAGE) } } });
  const described = await describeStack(config);
  const stackLog: string[] = [];
  let stack: RunningStack | undefined;
  let clients: Clients | undefined;
  try {
    stack = await startStack({ config, stack: described.stack, log: (line) => stackLog.push(line) });
    const running = stack;
    const rooms = Array.from({ length: ROOMS }, (_, i) => `r${i}`);
    clients = await openClients(clientsPath, { url: running.ready.websocketUrl, rooms, perRoom: ROOM_SIZE, openConcurrency: 16 });
    log(`${path}: ${ROOMS * ROOM_SIZE} clients open in ${(clients.openedMs / 1000).toFixed(1)} s`);
    const out: Row[] = [];
    for (const [index, phase] of PHASES.entries()) {
      const rate = phase.deliveriesPerSecond / ROOM_SIZE;
      const count = Math.round(rate * phase.seconds);
      const cpu0 = running.hostCpu();
      const clientsCpu0 = clients.cpuMs;
      const t0 = Date.now();
      log(`${path}: ${phase.deliveriesPerSecond} deliveries/s for ${phase.seconds} s (load ${load()})`);
      const sent = await clients.ask({ t: 'send', phase: index, route: ROUTE[path], rate, count }, (phase.seconds + 30) * 1000);
      if (sent.t !== 'sent') throw new Error(`queued-fanout: the clients answered ${sent.t} to a send`);
      const expected = count * ROOM_SIZE;
      const got = await clients.ask({ t: 'collect', phase: index, expected, timeoutMs: DRAIN_MS }, DRAIN_MS + 10_000);
      if (got.t !== 'collected') throw new Error(`queued-fanout: the clients answered ${got.t} to a collect`);
      const cpu = cpuPerDelivery(cpu0, running.hostCpu(), clients.cpuMs - clientsCpu0, Math.max(1, got.received));
      const h = got.histogram ? decodeHistogram(got.histogram) : undefined;
      const row: Row = {
        path,
        phase: phase.name,
        offered: phase.deliveriesPerSecond,
        messages: count,
        expected,
        received: got.received,
        lateBefore: got.late,
        madePerSecond: got.received === 0 ? 0 : got.received / ((got.lastArrival - sent.t0) / 1000),
        p50Ms: h && h.getValueAtPercentile(50) / 1000,
        p99Ms: h && h.getValueAtPercentile(99) / 1000,
        cpu,
        others: got.others,
        ...(got.firstOther !== undefined ? { firstOther: got.firstOther } : {}),
        ...(path === 'queued' ? queueGauges(running, t0, Date.now()) : {}),
      };
      h?.destroy();
      log(`${path}:   ${row.received} of ${expected} delivered, ${row.madePerSecond.toFixed(0)}/s, p99 ${row.p99Ms?.toFixed(1) ?? '—'} ms`);
      out.push(row);
    }
    return out;
  } catch (err) {
    process.stderr.write(`${stackLog.slice(-20).join('\n')}\n`);
    throw err;
  } finally {
    await clients?.close();
    await stack?.close();
    await described.dispose();
  }
}

interface Clients {
  openedMs: number;
  /** the clients' thread's CPU as it last said, ms */
  cpuMs: number;
  ask(m: ToClients, timeoutMs: number): Promise<FromClients>;
  close(): Promise<void>;
}

async function openClients(path: string, init: ClientsInit): Promise<Clients> {
  const w = new Worker(path, { workerData: init });
  let waiting: { resolve: (m: FromClients) => void; reject: (e: Error) => void } | undefined;
  const settle = (m: FromClients | Error) => {
    const w8 = waiting;
    waiting = undefined;
    if (m instanceof Error) w8?.reject(m);
    else if (m.t === 'failed') w8?.reject(new Error(`queued-fanout: clients: ${m.message}`));
    else w8?.resolve(m);
  };
  const next = (timeoutMs: number, what: string) =>
    new Promise<FromClients>((resolve, reject) => {
      const timer = setTimeout(() => settle(new Error(`queued-fanout: the clients did not answer ${what} in ${timeoutMs / 1000} s`)), timeoutMs);
      waiting = {
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  const self: Clients = {
    openedMs: 0,
    cpuMs: 0,
    ask(m, timeoutMs) {
      const answer = next(timeoutMs, m.t);
      w.postMessage(m);
      return answer;
    },
    close: () => w.terminate().then(() => undefined),
  };
  w.on('message', (m: FromClients) => {
    if ('cpuMs' in m) self.cpuMs = m.cpuMs;
    settle(m);
  });
  w.on('error', (err) => settle(err));
  try {
    const opened = await next(120_000, 'open');
    if (opened.t !== 'open') throw new Error(`queued-fanout: the clients answered ${opened.t} when opening`);
    self.openedMs = opened.ms;
    return self;
  } catch (err) {
    await w.terminate();
    throw err;
  }
}

/** The stack's CPU between two of its host-cpu reports, less the clients' thread, per delivery. */
function cpuPerDelivery(a: HostCpuReport, b: HostCpuReport, clientsMs: number, deliveries: number): Row['cpu'] {
  const env = (r: HostCpuReport) => Object.values(r.environments).reduce((s, e) => s + e.initMs + e.invokeMs, 0);
  const per = (ms: number) => ms / deliveries;
  return {
    total: per(b.totalMs - a.totalMs - clientsMs),
    main: per(b.mainThreadMs - a.mainThreadMs),
    environments: per(env(b) - env(a)),
    dynamodb: per(b.dynamodbMs - a.dynamodbMs),
    other: per(b.otherThreadsMs - a.otherThreadsMs - clientsMs),
  };
}

/** The queue's and the mapping's gauges between `from` and `to`: their most. */
function queueGauges(stack: RunningStack, from: number, to: number): Pick<Row, 'esmPeak' | 'queuePeak' | 'oldestSeconds'> {
  const most = (namespace: string, metricName: string) =>
    Math.max(
      0,
      ...stack.metrics.listMetrics({ namespace, metricName }).flatMap((m) =>
        stack.metrics.query({ namespace, metricName, dimensions: m.dimensions, stat: 'Maximum', periodSeconds: 1, startTime: from, endTime: to + 1_000 }).map((p) => p.value),
      ),
    );
  return {
    esmPeak: most(ESM_EMULATOR_NAMESPACE, ESM_EMULATOR_METRIC.concurrency),
    queuePeak: most('AWS/SQS', 'ApproximateNumberOfMessagesVisible'),
    oldestSeconds: most('AWS/SQS', 'ApproximateAgeOfOldestMessage'),
  };
}

function report(): void {
  const n = (v: number | undefined, digits = 1) => (v === undefined ? '—' : v.toFixed(digits));
  const command = `${tsxCommand()} bench/queued-fanout/main.ts ${QUICK ? '--quick' : '--write'}${values.only ? ` --only ${only.join(',')}` : ''}${PER_MESSAGE !== 10 ? ` --members-per-message ${PER_MESSAGE}` : ''}`;
  const lines = [
    '## Emulator: fan-out through an SQS queue against direct fan-out (issue 60)',
    '',
    `The stack of bench/queued-fanout/stack/template.yaml in one process (startStack, IAM enforced), a fresh one per path; ${ROOMS * ROOM_SIZE} clients`,
    `in ${ROOMS} rooms of ${ROOM_SIZE} on a thread of their own, the first member of each room its sender. **direct**: the send function`,
    'queries the room and posts to every member itself. **queued**: the send function SendMessageBatch-es one SQS message per',
    `${PER_MESSAGE} members; the queue's event source mapping (BatchSize 10) invokes a worker that posts to them. The floor's`,
    `phases (${PHASES[0]!.deliveriesPerSecond.toLocaleString('en-US')} then ${PHASES[1]!.deliveriesPerSecond.toLocaleString('en-US')} deliveries/s for ${PHASE_SECONDS} s), then a ceiling offered`,
    `${PHASES[2]!.deliveriesPerSecond.toLocaleString('en-US')}/s for ${CEILING_SECONDS} s: deliveries/s made is what arrived ÷ (last delivery − first due send); lost, what had`,
    `not arrived ${DRAIN_MS / 1000} s after the last send. Latency from the due send time to the socket. CPU is the stack's (this process`,
    "less the clients' thread), per delivery.",
    '',
    `- command: \`${command}\` (${((performance.now() - started) / 1000).toFixed(0)} s)${QUICK ? ' (--quick: a smoke check, not a measurement)' : ''}`,
    `- measured: ${new Date().toISOString()}; load average at the end ${load()}`,
    `- machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}`,
    '',
  ];
  if (rows.length > 0) {
    lines.push(
      '| path | phase | offered /s | messages | delivered | lost | made /s | p50 ms | p99 ms | CPU ms / delivery | main | environments | DynamoDB | other | ESM peak batches | queue peak | oldest s |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${r.path} | ${r.phase} | ${r.offered} | ${r.messages} | ${r.received} | ${Math.max(0, r.expected - r.received)} | ${r.madePerSecond.toFixed(0)} | ${n(r.p50Ms)} | ${n(r.p99Ms)} | ${r.cpu.total.toFixed(3)} | ${r.cpu.main.toFixed(3)} | ${r.cpu.environments.toFixed(3)} | ${r.cpu.dynamodb.toFixed(3)} | ${r.cpu.other.toFixed(3)} | ${r.esmPeak ?? '—'} | ${r.queuePeak ?? '—'} | ${r.oldestSeconds ?? '—'} |`,
      ),
    );
    for (const r of rows.filter((x) => x.others > 0)) lines.push('', `- ${r.path} ${r.offered}/s: ${r.others} frames that were no delivery, the first: \`${r.firstOther}\``);
    for (const r of rows.filter((x) => x.lateBefore > 0)) lines.push('', `- ${r.path}: ${r.lateBefore} deliveries of the phase before ${r.offered}/s came after their ${DRAIN_MS / 1000} s (counted lost there)`);
    lines.push('');
  }
  if (costs.length > 0) lines.push(...providerCostLines(costs), '');
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.write) writeResultsBlock(new URL('../RESULTS.md', import.meta.url).pathname, blockMarkers('queued-fanout', 'bench/queued-fanout/main.ts'), lines);
}
