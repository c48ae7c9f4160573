import { loadHosts } from '../../src/analyses/plan/load-hosts.ts';
import { Plan, type GrowthAxis, type PlanTraffic } from '../../src/analyses/plan/plan-schema.ts';

/**
 * A plan that fills every part of a plan's index.html: 50,000 connections in rooms of 200 at 25 messages/s
 * with a daily profile, from an emulator run and an AWS run (a room-size fit on the fan-out
 * function), headroom against six limits (the 3-hour session passes the 2-hour connection
 * lifetime, which no axis moves), the traffic grown along three axes (messages/s first: the
 * account's request rate breaks at ×2; connections: nothing up to ×100; room size: the same
 * limit at ×2), a run's measured figures beside its plan, and the load hosts a rehearsal takes
 * (this host a 2-vCPU 24 GiB one). The figures are coherent enough to
 * read (the request rate is messages plus posts; cost lines sum to the totals), not a real run.
 */

const BROADCAST = 'fanout-broadcast';

/** The share of each scaled limit at ×1 of the peak, and the axes that move it (linearly). */
const LIMITS: Array<{ key: string; share: number; moves: GrowthAxis[] }> = [
  { key: 'accountRequestsPerSecond', share: 0.5025, moves: ['messagesPerS', 'roomSize'] },
  { key: 'lambdaConcurrency', share: 0.103, moves: ['messagesPerS', 'roomSize'] },
  { key: `lambdaScaling:${BROADCAST}`, share: 0.0412, moves: ['messagesPerS', 'roomSize'] },
  { key: 'newConnectionsPerSecond', share: 0.00926, moves: ['connections'] },
  { key: 'tableWriteUnits:fanout-messages', share: 0.0021, moves: ['messagesPerS', 'connections'] },
];

const BASE = { connections: 50_000, roomSize: 200, messagesPerS: 25 };
const MONTH_COST = 4321.5;

function growth(axis: GrowthAxis, factors: number[], breakAt: number | null, maxFactor: number) {
  const at = (f: number) => ({ ...BASE, [axis]: BASE[axis] * f });
  const cost = (f: number) => Math.round(MONTH_COST * (0.4 + 0.6 * f) * 100) / 100;
  return {
    axis,
    points: factors.map((f) => ({
      factor: f,
      traffic: at(f),
      monthlyCost: cost(f),
      shares: Object.fromEntries(LIMITS.map((l) => [l.key, l.moves.includes(axis) ? l.share * f : l.share])),
    })),
    firstBreak:
      breakAt === null
        ? null
        : {
            axis,
            limit: 'accountRequestsPerSecond' as const,
            label: 'account request rate (messages + @connections posts)',
            factor: breakAt,
            traffic: at(breakAt),
            monthlyCost: cost(breakAt),
            moves: 'a quota increase of the account throttle (Service Quotas), or fewer posts per message',
          },
    maxFactor,
  };
}

const lines = [
  { service: 'Lambda', item: 'requests', quantity: 131_000_000, unit: 'requests', unitPrice: 0.2, per: 1_000_000, cost: 26.2, source: 'report-lines' },
  { service: 'Lambda', item: 'compute (GB-seconds)', quantity: 98_000, unit: 'GB-s', unitPrice: 0.0000166667, per: 1, cost: 1633.34, source: 'report-lines', note: 'emulator durations: this host\'s' },
  { service: 'API Gateway', item: 'messages (32 KB units)', quantity: 1_998_000_000, unit: 'messages', unitPrice: 1, per: 1_000_000, cost: 1998, source: 'cloudwatch' },
  { service: 'API Gateway', item: 'connection minutes', quantity: 2_160_000_000, unit: 'minutes', unitPrice: 0.25, per: 1_000_000, cost: 540, source: 'assumption' },
  { service: 'DynamoDB', item: 'read request units', quantity: 240_000_000, unit: 'RRU', unitPrice: 0.125, per: 1_000_000, cost: 30, source: 'cloudwatch' },
  { service: 'DynamoDB', item: 'write request units', quantity: 150_355_200, unit: 'WRU', unitPrice: 0.625, per: 1_000_000, cost: 93.96, source: 'cloudwatch', partial: 'ConsumedWriteCapacityUnits: 58 of 60 periods published' },
];
const sum = (service: string) => Math.round(lines.filter((l) => l.service === service).reduce((s, l) => s + l.cost, 0) * 100) / 100;

const fn = (name: string, route: string, per: string, invocationsPer: number, billedMsPer: number, extra: Record<string, unknown> = {}) => ({
  name,
  route,
  per,
  invocationsPer,
  billedMsPer,
  billedMsPerUnit: 'invocation',
  measuredMemoryMB: 1024,
  memoryMB: 1024,
  invocationsSource: 'report-lines',
  billedSource: 'report-lines',
  p99Ms: 48,
  p99AtRecipients: null,
  initBilledMsPerColdStart: null,
  coldStarts: 0,
  runs: ['emu-10'],
  measuredOn: ['emulator'],
  ...extra,
});

export const PLAN_INPUT = {
  kind: 'plan',
  toolVersion: '0.1.0',
  createdAt: '2026-03-01T12:00:00.000Z',
  workModel: {
    runs: [
      { runId: 'emu-10', file: 'runs/emu-10/results.json', measuredOn: 'emulator', cloudwatchSource: 'local', durationSec: 21.3, roomSize: 10, payloadBytes: 256 },
      { runId: 'aws-100', file: 'runs/aws-100/results.json', measuredOn: 'aws', cloudwatchSource: 'aws', durationSec: 60, roomSize: 100, payloadBytes: 256 },
    ],
    counts: { connects: 1200, rooms: 60, joins: 1200, messages: 2400, recipients: 132_000 },
    functions: [
      fn('fanout-connect', '$connect', 'connect', 1, 31),
      fn('fanout-authorizer', '$connect', 'connect', 1, 12, { authorizer: true }),
      fn('fanout-send-message', 'sendMessage', 'message', 1, 22),
      fn(BROADCAST, 'broadcast', 'message', 1, 1.9, {
        billedMsPerUnit: 'recipient',
        measuredMemoryMB: 512,
        p99Ms: 410,
        p99AtRecipients: 100,
        initBilledMsPerColdStart: null,
        coldStarts: 0,
        runs: ['emu-10', 'aws-100'],
        measuredOn: ['emulator', 'aws'],
        fit: {
          interceptMs: 14.2,
          perRecipientMs: 1.83,
          r2: 0.997,
          points: [
            { recipients: 10, billedMsPerInvocation: 33.1, runs: ['emu-10'] },
            { recipients: 100, billedMsPerInvocation: 196.4, runs: ['aws-100'] },
            { recipients: 1000, billedMsPerInvocation: 1844, runs: ['aws-1000'] },
          ],
        },
      }),
    ],
    dynamodb: {
      source: 'cloudwatch',
      readScale: 1.04,
      writeScale: 0.98,
      perOperation: [
        { operation: 'connect', readUnits: 0, writeUnits: 1 },
        { operation: 'join', readUnits: 0.5, writeUnits: 1 },
        { operation: 'message', readUnits: 5.5, writeUnits: 1.1 },
        { operation: 'recipient', readUnits: 0, writeUnits: 0 },
      ],
      gonePerMessage: 0.002,
      runs: ['emu-10', 'aws-100'],
    },
    posts: { perRecipient: 1, source: 'cloudwatch', runs: ['emu-10', 'aws-100'] },
    bytes: { perPost: 412, source: 'client', runs: ['emu-10'] },
    joinsPerConnect: 1,
    notes: ['fanout-broadcast ran at 512 MB on emu-10 and is planned at 1024 MB'],
  },
  traffic: {
    source: 'flags',
    periodSec: 2_592_000,
    periodLabel: 'month (30 days, profiled)',
    connections: BASE.connections,
    roomSize: BASE.roomSize,
    messagesPerS: BASE.messagesPerS,
    connectsPerS: 4.63,
    sessionSec: 10_800,
    profile: {
      hours: [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.5, 0.7, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 0.9, 1, 1, 1, 1, 0.6, 0.3],
      source: 'plan.yaml: peak 18-22, off-peak 0.2',
    },
    totals: { connects: 7_200_000, rooms: 36_000, joins: 7_200_000, messages: 40_500_000, recipients: 8_100_000_000, posts: 8_100_000_000, connectionMinutes: 2_160_000_000 },
  },
  cost: {
    currency: 'USD',
    region: 'eu-west-1',
    pricesAsOf: '2026-01-01',
    pricesSource: 'built-in table',
    architecture: 'arm64',
    lines,
    totals: { lambda: sum('Lambda'), apiGateway: sum('API Gateway'), dynamodb: sum('DynamoDB'), total: sum('Lambda') + sum('API Gateway') + sum('DynamoDB') },
    invocations: { 'fanout-connect': 7_200_000, 'fanout-authorizer': 7_200_000, 'fanout-send-message': 40_500_000, [BROADCAST]: 40_500_000 },
  },
  headroom: [
    {
      limit: 'lambdaConcurrency',
      label: 'account Lambda concurrency',
      needs: 103,
      of: 1000,
      unit: 'concurrent executions',
      share: 0.103,
      how: "Little's law: 25 invocations/s × p99 4.1 s, and the connects",
      limitSource: 'AWS default',
      moves: 'a quota increase, or a larger memory size (shorter durations)',
    },
    {
      limit: 'connectionLifetime',
      label: 'API Gateway connection lifetime',
      needs: 10_800,
      of: 7200,
      unit: 's',
      share: 1.5,
      how: 'sessions of 3 h',
      limitSource: 'AWS fixed',
      moves: 'clients that reconnect before 2 h',
    },
    {
      limit: 'accountRequestsPerSecond',
      label: 'account request rate (messages + @connections posts)',
      needs: 5025,
      of: 10_000,
      unit: 'requests/s',
      share: 0.5025,
      how: '25 messages/s + 5,000 posts/s',
      limitSource: 'AWS default',
      moves: 'a quota increase of the account throttle',
    },
    {
      limit: 'lambdaScaling',
      scope: BROADCAST,
      label: `${BROADCAST} scaling rate`,
      needs: 41.2,
      of: 1000,
      unit: 'new environments per 10 s',
      share: 0.0412,
      how: 'the concurrency reached from cold within 10 s',
      limitSource: 'AWS fixed',
      moves: 'provisioned concurrency',
    },
    {
      limit: 'newConnectionsPerSecond',
      label: 'API Gateway new connections per second',
      needs: 4.63,
      of: 500,
      unit: 'connections/s',
      share: 0.00926,
      how: '50,000 connections ÷ 3 h sessions',
      limitSource: 'AWS default',
      moves: 'a quota increase',
    },
    {
      limit: 'tableWriteUnits',
      scope: 'fanout-messages',
      label: 'table fanout-messages write units',
      needs: 84,
      of: 40_000,
      unit: 'write units/s',
      share: 0.0021,
      how: '25 messages/s × 1.1 + 4.63 connects/s × 1 × 2',
      limitSource: 'on-demand table maximum (AWS default)',
      moves: 'a quota increase',
    },
  ],
  growth: [
    growth('messagesPerS', [1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4], 1.99, 100),
    growth('connections', [1, 2, 4, 8, 16, 32, 64, 100], null, 100),
    growth('roomSize', [1, 1.5, 2, 3, 4, 5], 1.99, 100),
  ],
  firstBreak: null as unknown,
  check: {
    runId: 'emu-10',
    invocations: [
      { function: 'fanout-connect', measured: 1200, planned: 1200 },
      { function: 'fanout-send-message', measured: 2400, planned: 2400 },
      { function: BROADCAST, measured: 2400, planned: 2412 },
    ],
    lines: [
      { service: 'Lambda', item: 'requests', quantity: { measured: 6000, planned: 6012 }, cost: { measured: 0.0012, planned: 0.0012024 } },
      { service: 'API Gateway', item: 'messages (32 KB units)', quantity: { measured: 134_400, planned: 134_400 }, cost: { measured: 0.1344, planned: 0.1344 } },
      { service: 'API Gateway', item: 'connection minutes', quantity: { measured: null, planned: 426 }, cost: { measured: null, planned: 0.0001065 } },
    ],
    total: { measured: 0.1356, planned: 0.1357089 },
  },
  notes: ['a month of 50,000 connections, rooms of 200, 25 messages/s at the profile\'s peak'],
};
PLAN_INPUT.firstBreak = PLAN_INPUT.growth[0]!.firstBreak;
(PLAN_INPUT as Record<string, unknown>).loadHosts = loadHosts(PLAN_INPUT.traffic as PlanTraffic, [], { vcpus: 2, memoryBytes: 24 * 2 ** 30, openFiles: 20_000, ports: 28_232 });

export const PLAN = Plan.parse(PLAN_INPUT);

/** The plan with markup in what comes from a user's stack: a function's name, a table's, a note. */
export function hostilePlan(payload: string): Plan {
  const p = structuredClone(PLAN);
  const name = `${BROADCAST}${payload}`;
  const f = p.workModel.functions.find((x) => x.name === BROADCAST)!;
  f.name = name;
  p.cost.invocations[name] = p.cost.invocations[BROADCAST]!;
  delete p.cost.invocations[BROADCAST];
  p.check!.invocations.find((i) => i.function === BROADCAST)!.function = name;
  const scaling = p.headroom.find((x) => x.scope === BROADCAST)!;
  scaling.scope = name;
  scaling.label = `${name} scaling rate`;
  for (const g of p.growth) for (const pt of g.points) {
    pt.shares[`lambdaScaling:${name}`] = pt.shares[`lambdaScaling:${BROADCAST}`]!;
    delete pt.shares[`lambdaScaling:${BROADCAST}`];
  }
  p.cost.lines[1]!.item = `compute ${payload}`;
  p.firstBreak!.label = `${p.firstBreak!.label} ${payload}`;
  p.notes.push(`note ${payload}`);
  return Plan.parse(p);
}
