import { readFileSync } from 'node:fs';
import * as hdr from 'hdr-histogram-js';
import type { CloudWatchResults, CloudWatchSeries, ReportLineStats } from '../../src/contracts/cloudwatch-schema.ts';
import { estimateCost } from '../../src/metrics/cost/cost-model.ts';
import { summarize } from '../../src/metrics/measurement/latency-summary.ts';
import { Results, SCHEMA_VERSION, type IntervalRecord, type LatencySummary, type PhaseResult } from '../../src/contracts/results-schema.ts';
import { dynamoDbWork, lambdaWork } from '../../src/metrics/cost/work-per-message.ts';

/**
 * A realistic run for the report tests: 2 minutes, 1,000 clients in 20 rooms of 50, 20 sends/s,
 * 50 clients dropped at 60 s, real HDR histograms (µs, compressed base64) and a CloudWatch pull
 * with 1-second periods. `hostile` puts markup in every string a target or user controls.
 */
export const XSS = {
  errorKind: '<img src=x onerror=alert(1)>',
  scenario: '<script>alert("name")</script> fan-out',
  statusReason: '</script><script>alert(2)</script> target closed',
  payload: '<img src=x onerror=alert(3)>',
  functionName: '<svg onload=alert(4)>',
  problem: '<b onmouseover=alert(5)>denied</b>',
  runtimeNote: '<img src=y onerror=alert(6)> no Node 22',
};

export const RUN_START = Date.UTC(2026, 10, 21, 6, 0, 0);
const SECONDS = 120;
const CLIENTS = 1000;
const ROOMS = 20;
const ROOM_SIZE = 50;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function logNormal(random: () => number, medianMs: number, sigma: number): number {
  const u = Math.max(1e-12, random());
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return medianMs * Math.exp(sigma * z);
}

function histogram(): hdr.Histogram {
  return hdr.build({ numberOfSignificantValueDigits: 3, highestTrackableValue: 60_000_000, autoResize: true });
}

const recordMs = (h: hdr.Histogram, ms: number) => h.recordValue(Math.max(1, Math.round(ms * 1000)));

export interface FixtureOptions {
  hostile?: boolean;
  cloudwatch?: boolean;
}

const built = new Map<string, Results>();

/** A fresh copy each call (tests may change it); built once per option set. */
export function buildResults(options: FixtureOptions = {}): Results {
  const key = JSON.stringify([options.hostile ?? false, options.cloudwatch ?? true]);
  let results = built.get(key);
  if (!results) built.set(key, (results = build(options)));
  return structuredClone(results);
}

function build(options: FixtureOptions): Results {
  const random = rng(42);
  const hostile = options.hostile ?? false;
  const whole = {
    connect: histogram(),
    broadcast: histogram(),
    fanoutCompletion: histogram(),
    connectCold: histogram(),
    connectWarm: histogram(),
    broadcastCold: histogram(),
    broadcastWarm: histogram(),
    join: histogram(),
    ack: histogram(),
  };
  const intervals: IntervalRecord[] = [];
  let open = 0;
  let sent = 0;
  let delivered = 0;
  for (let k = 0; k < SECONDS; k++) {
    const phase = k < 10 ? 'connect' : k < 115 ? 'steady' : 'drain';
    const per = { connect: histogram(), broadcast: histogram(), fanoutCompletion: histogram() };
    let connects = 0;
    if (k < 10) {
      connects = CLIENTS / 10;
      for (let c = 0; c < connects; c++) {
        const cold = random() < 0.05;
        const ms = logNormal(random, cold ? 180 : 28, 0.35);
        recordMs(per.connect, ms);
        recordMs(whole.connect, ms);
        recordMs(cold ? whole.connectCold : whole.connectWarm, ms);
        recordMs(whole.join, logNormal(random, cold ? 150 : 22, 0.3));
      }
      open += connects;
    }
    if (k === 60) open -= 50;
    let sentNow = 0;
    let deliveredNow = 0;
    if (phase === 'steady') {
      // a slow patch around 70–75 s: throttled sends queue up
      const slow = k >= 70 && k < 76 ? 4 : 1;
      sentNow = 20;
      for (let m = 0; m < sentNow; m++) {
        const members = k >= 60 ? ROOM_SIZE - 2 : ROOM_SIZE;
        let last = 0;
        for (let d = 0; d < members; d++) {
          const cold = k < 14 && random() < 0.2;
          const ms = logNormal(random, (cold ? 120 : 38) * slow, 0.3);
          recordMs(per.broadcast, ms);
          recordMs(whole.broadcast, ms);
          recordMs(cold ? whole.broadcastCold : whole.broadcastWarm, ms);
          last = Math.max(last, ms);
        }
        recordMs(whole.ack, last * 0.9);
        recordMs(per.fanoutCompletion, last);
        recordMs(whole.fanoutCompletion, last);
        deliveredNow += members;
      }
    }
    sent += sentNow;
    delivered += deliveredNow;
    const summaryOf = (h: hdr.Histogram): LatencySummary | undefined => (h.totalCount > 0 ? summarize(h) : undefined);
    intervals.push({
      t: RUN_START + k * 1000,
      elapsedSec: k,
      phase,
      openClients: open,
      connects,
      sent: sentNow,
      delivered: deliveredNow,
      errors: k >= 70 && k < 76 ? 3 : k === 61 ? 5 : 0,
      ...(summaryOf(per.connect) ? { connect: summaryOf(per.connect) } : {}),
      ...(summaryOf(per.broadcast) ? { broadcast: summaryOf(per.broadcast) } : {}),
      ...(summaryOf(per.fanoutCompletion) ? { fanoutCompletion: summaryOf(per.fanoutCompletion) } : {}),
      eventLoopLagMs: Math.round((2 + random() * 6 + (k >= 70 && k < 76 ? 20 : 0)) * 10) / 10,
      cpuCores: Math.round((0.25 + random() * 0.1 + (phase === 'steady' ? 0.2 : 0)) * 100) / 100,
    });
  }
  const errors: Record<string, number> = { 'frame:Internal server error': 18, 'close:1006': 5 };
  if (hostile) errors[XSS.errorKind] = 7;

  const histograms = Object.fromEntries(Object.entries(whole).map(([k, h]) => [k, hdr.encodeIntoCompressedBase64(h)]));
  const lost = 12;
  const results: Results = {
    schemaVersion: SCHEMA_VERSION,
    runId: '2026-11-21T06-00-00Z-fixture',
    tool: { name: 'fanout-bench', version: '0.1.0' },
    status: hostile ? 'failed' : 'completed',
    ...(hostile ? { statusReason: XSS.statusReason } : {}),
    startedAt: new Date(RUN_START).toISOString(),
    endedAt: new Date(RUN_START + SECONDS * 1000).toISOString(),
    durationMs: SECONDS * 1000,
    scenario: {
      name: hostile ? XSS.scenario : 'room-fanout',
      description: '1,000 clients in 20 rooms of 50; each room sends one message per second; 50 clients vanish at 60 s',
      definition: { clients: CLIENTS, rooms: ROOMS, payloadBytes: 512, phases: [{ name: 'steady', durationSec: 105 }], ...(hostile ? { note: XSS.payload } : {}) },
    },
    config: {
      target: { kind: 'local', url: 'ws://127.0.0.1:4510/local' },
      clients: CLIENTS,
      rooms: ROOMS,
      durationMs: SECONDS * 1000,
      payloadBytes: 512,
      ...(hostile ? { payloadSample: XSS.payload } : {}),
    },
    environment: {
      node: 'v20.20.2',
      platform: 'linux x64',
      cpus: 2,
      cpuModel: 'Test CPU @ 2.0GHz',
      totalMemoryMB: 7963,
      clock: 'one host clock (sender and receivers on this host)',
      lambdaRuntime: hostile
        ? { runtime: 'nodejs22.x', node: '20.20.2', matches: false, note: XSS.runtimeNote }
        : { runtime: 'nodejs22.x', node: '22.23.3', matches: true },
    },
    metrics: {
      connect: summarize(whole.connect),
      broadcast: summarize(whole.broadcast),
      fanoutCompletion: summarize(whole.fanoutCompletion),
      connectCold: summarize(whole.connectCold),
      connectWarm: summarize(whole.connectWarm),
      broadcastCold: summarize(whole.broadcastCold),
      broadcastWarm: summarize(whole.broadcastWarm),
      join: summarize(whole.join),
      ack: summarize(whole.ack),
    },
    sends: { intended: sent, sent, missedSlots: 14, acked: sent - 18, failed: 18 },
    connections: { attempted: CLIENTS, opened: CLIENTS, failed: 0, missedSlots: 0, joined: CLIENTS, joinFailed: 0, openAtEnd: CLIENTS - 50 },
    deliveries: { expected: delivered + lost, received: delivered, lost, duplicates: 0, outOfOrder: 3, late: 2 },
    phases: [
      phase(0, 'connect', 'connect', 0, 10_000, { connect: summarize(whole.connect), join: summarize(whole.join) }),
      phase(1, 'steady', 'send', 10_000, 105_000, {
        sends: { intended: sent, sent, missedSlots: 14, acked: sent - 18, failed: 18 },
        deliveries: { expected: delivered + lost, received: delivered, lost, duplicates: 0, outOfOrder: 3 },
        broadcast: summarize(whole.broadcast),
        fanoutCompletion: summarize(whole.fanoutCompletion),
        gone410: 50,
        errors,
      }),
      phase(2, 'drain', 'drain', 115_000, 5_000, {}),
    ],
    stale: { dropped: 50, gone410: 50, timeToCleanMs: 1840, wastedPosts: 50 },
    errors,
    harness: {
      shards: 2,
      cpuSeconds: 61.4,
      cpuCoresMax: 0.71,
      eventLoopLagP99Ms: 24.1,
      eventLoopLagMaxMs: 31.5,
      rssMB: 212,
      saturated: hostile,
      warnings: hostile ? ['event-loop lag above 200 ms for 12 s'] : [],
    },
    intervals,
    histograms,
  };
  if (options.cloudwatch ?? true) results.cloudwatch = cloudWatchFixture(hostile);
  // as the run's last step derives them (after-run.ts)
  const dynamodb = dynamoDbWork(results);
  if (dynamodb) results.dynamodb = dynamodb;
  const lambda = lambdaWork(results);
  if (lambda) results.lambda = lambda;
  results.cost = estimateCost(results);
  return Results.parse(results);
}

/**
 * The same run as a results.json written before fanout-bench knew AWS charges no data transfer
 * out on WebSocket APIs: its cost is what the code then wrote for it (generated by the code at
 * a95f701 from this fixture), with a "Data transfer" line at the old built-in $0.09 per GB, its
 * `dataTransfer` total and source, and no `transferOut`.
 */
export function resultsWithOldTransferLine(): Results {
  const results = buildResults();
  results.cost = JSON.parse(readFileSync(new URL('../fixtures/results/cost-before-transfer-rule.json', import.meta.url), 'utf8'));
  return Results.parse(results);
}

function phase(index: number, name: string, kind: PhaseResult['kind'], offsetMs: number, durationMs: number, rest: Partial<PhaseResult>): PhaseResult {
  return {
    index,
    name,
    kind,
    startedAt: RUN_START + offsetMs,
    durationMs,
    sends: { intended: 0, sent: 0, missedSlots: 0, acked: 0, failed: 0 },
    deliveries: { expected: 0, received: 0, lost: 0, duplicates: 0, outOfOrder: 0 },
    gone410: 0,
    errors: {},
    ...rest,
  };
}

function cloudWatchFixture(hostile: boolean): CloudWatchResults {
  const random = rng(7);
  const startMs = RUN_START - 5000;
  const endMs = RUN_START + (SECONDS + 5) * 1000;
  const fns = ['fanout-connect', 'fanout-create-room', 'fanout-join-room', 'fanout-send-message', 'fanout-disconnect'];
  if (hostile) fns.push(XSS.functionName);
  const series: CloudWatchSeries[] = [];
  const add = (namespace: string, metric: string, stat: string, dimensions: Record<string, string>, at: (sec: number) => number | null) => {
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let t = startMs; t < endMs; t += 1000) {
      const v = at((t - RUN_START) / 1000);
      if (v === null) continue;
      timestamps.push(t);
      values.push(v);
    }
    if (timestamps.length) series.push({ namespace, metric, stat, dimensions, timestamps, values, status: 'Complete' });
  };
  const invocationsAt: Record<string, (s: number) => number | null> = {
    'fanout-connect': (s) => (s >= 0 && s < 10 ? 100 : null),
    'fanout-create-room': (s) => (s === 0 ? ROOMS : null),
    'fanout-join-room': (s) => (s >= 0 && s < 10 ? 100 : null),
    'fanout-send-message': (s) => (s >= 10 && s < 115 ? 20 : null),
    'fanout-disconnect': (s) => (s >= 116 && s < 120 ? 237 : null),
    [XSS.functionName]: (s) => (s === 30 ? 1 : null),
  };
  const durationAt: Record<string, number> = { 'fanout-connect': 9, 'fanout-create-room': 8, 'fanout-join-room': 14, 'fanout-send-message': 46, 'fanout-disconnect': 12, [XSS.functionName]: 3 };
  for (const fn of fns) {
    const d = { FunctionName: fn };
    const inv = invocationsAt[fn];
    add('AWS/Lambda', 'Invocations', 'Sum', d, inv);
    add('AWS/Lambda', 'Duration', 'Average', d, (s) => (inv(s) === null ? null : durationAt[fn] * (1 + random() * 0.2)));
    add('AWS/Lambda', 'Duration', 'p99', d, (s) => (inv(s) === null ? null : durationAt[fn] * (s >= 70 && s < 76 ? 5 : 2) * (1 + random() * 0.3)));
    add('AWS/Lambda', 'ConcurrentExecutions', 'Maximum', d, (s) => (inv(s) === null ? null : Math.ceil((inv(s)! * durationAt[fn]) / 1000) + (s >= 70 && s < 76 ? 6 : 0)));
    add('AWS/Lambda', 'Throttles', 'Sum', d, (s) => (fn === 'fanout-send-message' && s >= 70 && s < 76 ? 3 : null));
    add('AWS/Lambda', 'Errors', 'Sum', d, (s) => (fn === 'fanout-send-message' && s >= 72 && s < 74 ? 1 : null));
  }
  const emf = { service: 'fanout-chat' };
  add('FanoutBench', 'StaleConnectionsRemoved', 'Sum', emf, (s) => (s >= 61 && s < 63 ? 25 : null));
  add('FanoutBench', 'FanoutDeliveries', 'Sum', emf, (s) => (s >= 10 && s < 115 ? (s >= 60 ? 960 : 1000) : null));
  // the emulator's host: busy during the connect storm, which it partly held back
  const during = (s: number) => s >= 0 && s < SECONDS;
  add('FanoutBench/LocalHost', 'HostBusyPercent', 'Average', {}, (s) => (during(s) ? (s < 10 ? 98 : 55) : null));
  add('FanoutBench/LocalHost', 'StackCpuMs', 'Sum', {}, (s) => (during(s) ? (s < 10 ? 1700 : 900) : null));
  add('FanoutBench/LocalHost', 'HeldBackMs', 'SampleCount', { FunctionName: 'fanout-connect' }, (s) => (s >= 0 && s < 4 ? 30 : null));

  const report = (fn: string, invocations: number, coldStarts: number, memory: number, firstSec: number): ReportLineStats => {
    const init = histogram();
    const dur = histogram();
    for (let i = 0; i < coldStarts; i++) recordMs(init, logNormal(random, 85, 0.2));
    for (let i = 0; i < invocations; i++) recordMs(dur, logNormal(random, durationAt[fn], 0.3));
    const initMs = coldStarts > 0 ? init.mean / 1000 * coldStarts : 0;
    return {
      invocations,
      coldStarts,
      initDuration: coldStarts > 0 ? summarize(init) : null,
      ...(coldStarts > 0 ? { initHistogram: hdr.encodeIntoCompressedBase64(init) } : {}),
      duration: summarize(dur),
      durationMsTotal: Math.round((dur.mean / 1000) * invocations),
      billedDurationMsTotal: Math.round((dur.mean / 1000 + 0.5) * invocations),
      initDurationMsTotal: Math.round(initMs),
      initNotInBilledMs: Math.round(initMs + coldStarts * 0.5),
      memorySizeMB: memory,
      maxMemoryUsedMB: Math.round(memory * 0.3),
      coldStartsOverTime: {
        timestamps: Array.from({ length: Math.min(coldStarts, 4) }, (_, i) => RUN_START + (firstSec + i) * 1000),
        values: Array.from({ length: Math.min(coldStarts, 4) }, (_, i) => Math.floor(coldStarts / 4) + (i < coldStarts % 4 ? 1 : 0)),
      },
      truncated: false,
    };
  };
  return {
    status: hostile ? 'partial' : 'complete',
    source: 'local',
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:4599',
    window: { startMs, endMs, periodSec: 1 },
    pulledAt: new Date(RUN_START + 130_000).toISOString(),
    functions: fns,
    apiGateway: { apiId: 'local', stage: 'local' },
    series,
    localHost: {
      hostBusyAvgPercent: (10 * 98 + (SECONDS - 10) * 55) / SECONDS,
      hostBusyPeakPercent: 98,
      stackCpuMs: 10 * 1700 + (SECONDS - 10) * 900,
      heldBack: { 'fanout-connect': { count: 120, totalMs: 37_224, p50Ms: 310.2, p99Ms: 820.5, maxMs: 901.1 } },
    },
    lambda: Object.fromEntries(
      fns.map((fn) => {
        const inv = series.find((s) => s.metric === 'Invocations' && s.dimensions.FunctionName === fn);
        const total = inv ? inv.values.reduce((a, b) => a + b, 0) : 0;
        return [fn, { invocations: total, errors: fn === 'fanout-send-message' ? 2 : 0, throttles: fn === 'fanout-send-message' ? 18 : 0, durationAvgMs: durationAt[fn] * 1.1, durationP50Ms: durationAt[fn], durationP99Ms: durationAt[fn] * 3, concurrentExecutionsMax: 8 }];
      }),
    ),
    apiGatewayTotals: { connectCount: 1000, messageCount: 2100 + 2100 + 104_000, integrationError: 0, clientError: 18, executionError: 2, integrationLatencyAvgMs: 31, integrationLatencyP99Ms: 140 },
    emf: { StaleConnectionsRemoved: { sum: 50, average: null, p99: null }, FanoutDeliveries: { sum: 103_200, average: null, p99: null }, ColdStart: { sum: 33, average: null, p99: null } },
    reports: {
      'fanout-connect': report('fanout-connect', 1000, 12, 256, 0),
      'fanout-create-room': report('fanout-create-room', 20, 2, 256, 0),
      'fanout-join-room': report('fanout-join-room', 1000, 9, 256, 1),
      'fanout-send-message': report('fanout-send-message', 2100, 8, 1024, 10),
      'fanout-disconnect': report('fanout-disconnect', 950, 2, 256, 116),
    },
    dynamodb: {
      // 1,000 connects, 1,000 joins (1 room each), 2,100 messages to rooms of 50, 950 disconnects
      'fanout-connections': {
        readUnits: 2100,
        writeUnits: 1950,
        indexes: {},
        operations: { PutItem: { requests: 1000, throttled: 0 }, GetItem: { requests: 2100, throttled: 0 }, BatchWriteItem: { requests: 950, throttled: 0 } },
        conditionalCheckFailed: 0,
      },
      'fanout-room-members': {
        readUnits: 5200,
        writeUnits: 1950,
        indexes: { byConnection: { readUnits: 475, writeUnits: 1950 } },
        operations: {
          GetItem: { requests: 2100, throttled: 0 },
          Query: { requests: 4050, throttled: hostile ? 4 : 0, returnedItems: 131_450 },
          PutItem: { requests: 1000, throttled: 0 },
          BatchWriteItem: { requests: 950, throttled: 0 },
        },
        conditionalCheckFailed: 0,
      },
      'fanout-messages': {
        readUnits: 1000,
        writeUnits: 2120,
        indexes: {},
        operations: { GetItem: { requests: 1000, throttled: 0 }, PutItem: { requests: 2120, throttled: 0 } },
        conditionalCheckFailed: 0,
      },
      ...(hostile
        ? { [XSS.functionName]: { readUnits: 1, writeUnits: 0, indexes: { [XSS.functionName]: { readUnits: 1, writeUnits: 0 } }, operations: { [XSS.functionName]: { requests: 1, throttled: 0 } }, conditionalCheckFailed: 0 } }
        : {}),
    },
    problems: hostile ? [{ step: 'FilterLogEvents /aws/lambda/x', errorName: 'AccessDeniedException', message: XSS.problem }] : [],
    notes: hostile ? [`note with ${XSS.payload}`] : [],
  };
}
