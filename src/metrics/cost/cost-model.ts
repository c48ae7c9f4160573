import type { CloudWatchResults, ReportLineStats } from '../../contracts/cloudwatch-schema.ts';
import type { CostEstimate, CostLine, CostSource } from '../../contracts/cost-schema.ts';
import { DEFAULT_DYNAMO_ASSUMPTIONS, routeUnits, type DynamoAssumptions, type RouteContext } from './dynamo-units.ts';
import type { PriceTable } from '../../contracts/prices.ts';
import type { BenchFunction } from '../../contracts/reference-functions.ts';
import { choosePrices } from './price-choice.ts';
import type { PriceFile } from './prices-file.ts';
import { pathLines, pathRequests, PATH_MESSAGE_ENVELOPE_BYTES } from './path-cost.ts';
import { secretsManagerLines } from './secrets-cost.ts';
import { snapStartLines } from './snapstart-cost.ts';
import { gbSecondRate } from './lambda-rates.ts';
import { PATH_ROUTE, runArchitecture, runFunctions, runPathFunctions, type PathFunction } from './run-functions.ts';
import type { Results } from '../../contracts/results-schema.ts';
import { dynamoDbWork } from './work-per-message.ts';

/**
 * The estimated AWS cost of the load a run generated: Lambda requests and GB-seconds, WebSocket
 * messages and connection-minutes, DynamoDB on-demand request units. Pure: results in, estimate
 * out. Each quantity takes the best source available — REPORT lines, then CloudWatch metrics,
 * then the harness's own counts — and says which one it used. DynamoDB units are the measured
 * AWS/DynamoDB ones when the run has them, else assumptions per route (dynamo-units.ts). No data
 * transfer out: AWS charges none on WebSocket APIs; a price file that prices it (a contract's
 * terms) adds a line for the bytes the clients received. Prices are the stack's region's
 * (price-choice.ts). A queued path (results.path) adds its SQS, SNS, EventBridge and DynamoDB
 * Streams lines (path-cost.ts) and its functions' Lambda usage, from the path's own totals; the
 * stack's Secrets Manager use (results.secretsManager) its calls and secrets (secrets-cost.ts).
 */
export interface CostOptions {
  /** a complete table; default: the built-in table's prices of the run's region */
  prices?: PriceTable;
  /** `--prices FILE`: overrides over the region's prices (or all of them, for a region the table lacks) */
  priceFile?: PriceFile;
  /** `--prices aws`: the AWS Price List API is asked for the stack's region when the run measures (system-metrics.ts) */
  priceList?: boolean;
  /** said in the estimate's assumptions (e.g. why the Price List's answer is not used) */
  priceNotes?: string[];
  /** default: the architecture the target's functions declare, else x86_64 */
  architecture?: 'x86_64' | 'arm64';
  /** the stack's functions (name, route, configured memory); default: the run's target's (runFunctions) */
  functions?: readonly BenchFunction[];
  /** bytes of one message payload; default: results.config / scenario `payloadBytes`, else 256 */
  payloadBytes?: number;
  dynamo?: Partial<DynamoAssumptions>;
}

/** Hours AWS prices a month at. */
export const HOURS_PER_MONTH = 730;
/** Envelope bytes around the payload: the client's sendMessage frame, the delivered message frame. */
export const INBOUND_ENVELOPE_BYTES = 60;
export const OUTBOUND_ENVELOPE_BYTES = 250;
export const DEFAULT_PAYLOAD_BYTES = 256;
/** Bytes of a route response (`sent`, `joined`, `roomCreated`), for runs that did not count bytes. */
const RESPONSE_BYTES = 100;
/** A transfer price is per GB of 2^30 bytes. */
const GB_BYTES = 2 ** 30;
/** Routes that are not messages: they bill as connection time, not per frame. */
export const CONNECTION_ROUTES: ReadonlySet<string> = new Set(['$connect', '$disconnect']);
/** Routes whose function posts one message to each recipient. */
export const FANOUT_ROUTES: ReadonlySet<string> = new Set(['sendMessage', 'broadcast']);
const SOURCE_RANK: Record<CostSource, number> = { 'report-lines': 0, cloudwatch: 1, client: 2, assumption: 3 };

export interface FunctionUsage {
  fn: BenchFunction;
  invocations: number;
  invocationsSource: CostSource;
  memoryMB: number;
  /** billed ms, INIT included when billed */
  billedMs: number;
  billedSource: CostSource;
}

export function estimateCost(results: Results, options: CostOptions = {}): CostEstimate {
  const choice = choosePrices(results.config.target.endpoints?.region, options);
  const prices = choice.prices;
  const architecture = options.architecture ?? runArchitecture(results) ?? 'x86_64';
  const functions = options.functions ?? runFunctions(results);
  const dynamo = { ...DEFAULT_DYNAMO_ASSUMPTIONS, ...options.dynamo };
  const cw = results.cloudwatch && results.cloudwatch.status !== 'unavailable' ? results.cloudwatch : undefined;
  const assumptions: string[] = [...choice.notes, ...(options.priceNotes ?? [])];

  const foundPayload = options.payloadBytes ?? payloadBytesOf(results);
  const payloadBytes = foundPayload ?? DEFAULT_PAYLOAD_BYTES;
  if (foundPayload === undefined) assumptions.push(`message payload ${DEFAULT_PAYLOAD_BYTES} bytes (the results name no payloadBytes)`);

  const connection = connectionTime(results);
  if (connection.source === 'assumption') assumptions.push('connection time: every client connected for the whole run (no intervals recorded)');
  const clientCounts = clientRouteCounts(results);
  const { usage, pathUsage } = runUsage(results, functions, cw, clientCounts, prices, assumptions);
  if (usage.some((u) => u.invocationsSource === 'client' && u.invocations > 0)) {
    assumptions.push('invocations counted by the harness: one $connect and one $disconnect per opened connection, one joinRoom per join attempt, one createRoom per room, one sendMessage per send');
  }
  const byRoute = (route: string) => usage.filter((u) => u.fn.route === route).reduce((n, u) => n + u.invocations, 0);

  const lines: CostLine[] = [];

  lines.push(...lambdaLines([...usage, ...pathUsage], prices, architecture));
  const restored = usage.flatMap((u) => {
    const restores = cw?.reports[u.fn.name]?.restores ?? 0;
    return restores > 0 ? [{ name: u.fn.name, memoryMB: u.memoryMB, restores }] : [];
  });
  const snapStart = snapStartLines(restored, { prices, seconds: results.durationMs / 1000, over: "the run's duration", source: 'report-lines' });
  lines.push(...snapStart.lines);
  assumptions.push(...snapStart.notes);

  // API Gateway WebSocket: client → API frames, API → client route responses and posts
  const { posts, source: postsSource } = runPosts(results, cw);
  const messages = apiGatewayMessageLines(usage, { posts, postsSource, payloadBytes }, prices);
  const countsSource = messages.countsSource;
  const framesInCount = messages.framesIn;
  lines.push(...messages.lines);
  lines.push(connectionMinutesLine(connection.seconds / 60, connection.source, prices));
  // Data transfer out: not on AWS's bill for a WebSocket API; priced only when the prices say so
  let dataTransferSource: CostSource | undefined;
  if (prices.dataTransferOut) {
    const counted = results.bytesReceived;
    dataTransferSource = counted !== undefined ? 'client' : 'assumption';
    const bytes = counted ?? posts * (payloadBytes + OUTBOUND_ENVELOPE_BYTES) + framesInCount * RESPONSE_BYTES;
    lines.push(line('Data transfer', 'out to the clients (GB of 2^30 bytes)', bytes / GB_BYTES, 'GB', prices.dataTransferOut.outPerGB, 1, dataTransferSource));
    assumptions.push(
      counted !== undefined
        ? `data transfer out, at the prices' $${prices.dataTransferOut.outPerGB} per GB (AWS charges none on WebSocket APIs; these prices add it): the ${counted} bytes of WebSocket messages the harness's clients received (frame headers, TLS and TCP/IP overhead not counted)`
        : `data transfer out, at the prices' $${prices.dataTransferOut.outPerGB} per GB (AWS charges none on WebSocket APIs; these prices add it), estimated (the results count no bytes): each post ${payloadBytes + OUTBOUND_ENVELOPE_BYTES} bytes, each route response ${RESPONSE_BYTES}`,
    );
  } else {
    assumptions.push('no data transfer out: AWS charges WebSocket APIs for messages and connection minutes only (a price file with dataTransferOut adds a transfer line)');
  }
  if (cw?.apiGatewayTotals) {
    assumptions.push(`API Gateway MessageCount in CloudWatch for the window: ${cw.apiGatewayTotals.messageCount} (for comparison; the estimate counts frames by route)`);
  }

  // DynamoDB on-demand: the units CloudWatch measured when there are any, else per-route assumptions
  const measured = results.dynamodb ?? dynamoDbWork(results);
  let dynamoSource: CostSource;
  if (measured) {
    dynamoSource = 'cloudwatch';
    lines.push(...dynamoDbLines(measured.readUnits, measured.writeUnits, 'cloudwatch', prices));
    assumptions.push(
      `DynamoDB units measured: AWS/DynamoDB ConsumedReadCapacityUnits / ConsumedWriteCapacityUnits of ${Object.keys(measured.tables).join(', ')} and their global indexes (no per-route assumptions)`,
    );
  } else {
    dynamoSource = 'assumption';
    const sends = byRoute('sendMessage') + byRoute('broadcast');
    const staleRemoved = cw?.emf.StaleConnectionsRemoved?.sum ?? results.stale?.gone410 ?? 0;
    const ctx: RouteContext = {
      members: results.sends.acked > 0 ? results.deliveries.expected / results.sends.acked : results.config.clients / Math.max(1, results.config.rooms),
      connections: connection.peak,
      payloadBytes,
      gonePerInvocation: sends > 0 ? staleRemoved / sends : 0,
    };
    let read = 0;
    let write = 0;
    for (const u of usage) {
      const units = u.fn.authorizer ? { read: 0, write: 0 } : routeUnits(u.fn.route, ctx, dynamo);
      read += units.read * u.invocations;
      write += units.write * u.invocations;
    }
    lines.push(...dynamoDbLines(read, write, 'assumption', prices));
    assumptions.push(
      `DynamoDB units per route as in dynamo-units.ts (no AWS/DynamoDB metrics for the run): member row ${dynamo.memberRowBytes} B, connection row ${dynamo.connectionRowBytes} B, history item ${dynamo.historyOverheadBytes} B + payload, ${dynamo.roomsPerConnection} room(s) per connection, ${round(ctx.members, 2)} members per send`,
    );
  }

  // the queued path: its requests, publishes and events as results.path counted them
  let pathSource: CostSource | undefined;
  if (results.path) {
    pathSource = 'cloudwatch';
    const path = pathLines(pathRequests(results.path), { prices, messageBytes: payloadBytes + PATH_MESSAGE_ENVELOPE_BYTES, source: pathSource });
    lines.push(...path.lines);
    assumptions.push(...path.notes);
    if (path.lines.length > 0) {
      assumptions.push(`the queued path's requests from results.path (AWS/SQS, AWS/SNS, AWS/Events and the event source mappings' counts), each message ${payloadBytes + PATH_MESSAGE_ENVELOPE_BYTES} bytes on it (the payload and its frame), billed in 64 KB chunks; free tiers not counted`);
    }
  }

  // Secrets Manager: the calls CloudWatch counted and the stack's secrets, their month prorated to the run
  let secretsSource: CostSource | undefined;
  if (results.secretsManager) {
    const secrets = secretsManagerLines(results.secretsManager, { prices, runSeconds: results.durationMs / 1000, hoursPerMonth: HOURS_PER_MONTH });
    lines.push(...secrets.lines);
    assumptions.push(...secrets.notes);
    if (secrets.lines.length > 0) {
      secretsSource = 'cloudwatch';
      assumptions.push(
        `Secrets Manager: the API calls AWS/Usage CallCount counted over the CloudWatch window (the account's in the region, not only the stack's functions'), and the stack's ${results.secretsManager.secrets.length} secret(s) at the secret-month price prorated to the run's ${round(results.durationMs / 1000, 1)} s (a secret is billed by the hour while it exists)`,
      );
    }
  }

  markPartial(lines, cw, assumptions);

  const total = (service: CostLine['service']) => lines.filter((l) => l.service === service).reduce((s, l) => s + l.cost, 0);
  const pathTotal = PATH_SERVICES.reduce((n, s) => n + total(s), 0);
  const totals = {
    lambda: total('Lambda'),
    apiGateway: total('API Gateway'),
    dynamodb: total('DynamoDB'),
    ...(dataTransferSource ? { dataTransfer: total('Data transfer') } : {}),
    ...(pathSource ? { path: pathTotal } : {}),
    ...(secretsSource ? { secretsManager: total('Secrets Manager') } : {}),
    total: 0,
  };
  totals.total = totals.lambda + totals.apiGateway + totals.dynamodb + (totals.dataTransfer ?? 0) + (totals.path ?? 0) + (totals.secretsManager ?? 0);
  const deliveries = results.deliveries.received;
  assumptions.push(`per 1,000 users per month: the run's cost per connection-second, for 1,000 connections held ${HOURS_PER_MONTH} hours (the run's activity mix sustained)`);

  return {
    currency: 'USD',
    prices,
    architecture,
    lines,
    totals,
    perMillionDeliveries: deliveries > 0 ? (totals.total / deliveries) * 1e6 : null,
    perThousandUsersPerMonth: connection.seconds > 0 ? (totals.total / connection.seconds) * 1000 * HOURS_PER_MONTH * 3600 : null,
    basis: { runSeconds: results.durationMs / 1000, deliveries, connectionSeconds: connection.seconds, peakConnections: connection.peak },
    sources: {
      lambda: weakest([...usage, ...pathUsage].filter((u) => u.invocations > 0).flatMap((u) => [u.invocationsSource, u.billedSource])),
      messages: weakest([countsSource, postsSource]),
      dynamodb: dynamoSource,
      ...(dataTransferSource ? { dataTransfer: dataTransferSource } : {}),
      ...(pathSource ? { path: pathSource } : {}),
      ...(secretsSource ? { secretsManager: secretsSource } : {}),
    },
    transferOut: dataTransferSource ? 'priced' : 'not-charged',
    assumptions,
  };
}

/** The services of a queued path's lines (path-cost.ts). */
export const PATH_SERVICES: ReadonlyArray<CostLine['service']> = ['SQS', 'SNS', 'EventBridge', 'DynamoDB Streams'];

/**
 * Each function's usage in a run, the route functions' apart from the path's: a listed function's
 * from its REPORT lines, else CloudWatch, else the harness's counts (functionUsage); a function of
 * results.path the same where CloudWatch was read for it (the target listed it), else from its
 * hop's totals (pathFunctionUsage). `path`: runPathFunctions(results), where the caller has it.
 */
export function runUsage(
  results: Results,
  functions: readonly BenchFunction[],
  cw: CloudWatchResults | undefined,
  clientCounts: Record<string, number>,
  prices: PriceTable,
  assumptions: string[],
  path: readonly PathFunction[] = runPathFunctions(results),
): { usage: FunctionUsage[]; pathUsage: FunctionUsage[] } {
  const onPath = new Set(path.map((p) => p.fn.name));
  const read = (name: string) => cw?.reports[name] !== undefined || cw?.lambda[name] !== undefined;
  return {
    usage: functions.filter((fn) => !onPath.has(fn.name)).map((fn) => functionUsage(fn, results, cw, clientCounts, prices, assumptions)),
    pathUsage: path.map((p) => (read(p.fn.name) ? functionUsage(p.fn, results, cw, clientCounts, prices, assumptions) : pathFunctionUsage(p, assumptions))),
  };
}

/**
 * A path function's usage from its hop's AWS/Lambda totals: invocations, and billed time
 * invocations × ⌈average Duration⌉ (as for a route function without REPORT lines); a path pulled
 * before the average was kept: × ⌈p99⌉, an upper bound. Its memory as the path read it, else
 * Lambda's default 128 MB, said.
 */
export function pathFunctionUsage(p: PathFunction, assumptions: string[]): FunctionUsage {
  const t = p.hop.totals;
  const avg = t.durationAvgMs ?? null;
  const ms = avg ?? t.durationP99Ms ?? 0;
  if (t.invocations > 0) {
    if (avg === null) {
      assumptions.push(
        t.durationP99Ms === null
          ? `${p.fn.name} (a path function): no Duration in CloudWatch, compute not estimated`
          : `${p.fn.name} (a path function): billed time = invocations × ⌈p99 Duration⌉ (no average pulled): an upper bound`,
      );
    }
    if (p.memoryAssumed) assumptions.push(`${p.fn.name} (a path function): memory not read, priced at Lambda's default ${p.fn.memoryMB} MB`);
  }
  return { fn: p.fn, invocations: t.invocations, invocationsSource: 'cloudwatch', memoryMB: p.fn.memoryMB, billedMs: t.invocations * Math.ceil(ms), billedSource: 'cloudwatch' };
}

/** A client frame's route: not a connection's, not a path function's (a mapping or an async invocation invokes it). */
export const isFrameRoute = (route: string): boolean => !CONNECTION_ROUTES.has(route) && route !== PATH_ROUTE;

/** The Lambda lines of a usage: requests, and each invoked function's GB-seconds at its memory. */
export function lambdaLines(usage: readonly FunctionUsage[], prices: PriceTable, architecture: 'x86_64' | 'arm64'): CostLine[] {
  const invoked = usage.filter((u) => u.invocations > 0);
  const requests = invoked.reduce((n, u) => n + u.invocations, 0);
  const lines = [line('Lambda', 'requests', requests, 'requests', prices.lambda.requestsPerMillion, 1e6, weakest(invoked.map((u) => u.invocationsSource)))];
  const gbSecond = gbSecondRate(prices, architecture);
  for (const u of invoked) {
    const gbs = (u.billedMs / 1000) * (u.memoryMB / 1024);
    lines.push(line('Lambda', computeItem(u.fn.name, u.memoryMB, architecture), gbs, 'GB-s', gbSecond, 1, u.billedSource));
  }
  return lines;
}

export const computeItem = (name: string, memoryMB: number, architecture: 'x86_64' | 'arm64') => `${name} compute (${memoryMB} MB, ${architecture})`;
export const initItem = (name: string, memoryMB: number, architecture: 'x86_64' | 'arm64') => `${name} INIT (${memoryMB} MB, ${architecture})`;

/** A function's cold starts over a period and the billed INIT of each (a plan's: its compute lines leave INIT out). */
export interface InitUsage {
  fn: BenchFunction;
  memoryMB: number;
  coldStarts: number;
  initBilledMsPerColdStart: number;
  /** how the cold starts were counted */
  note?: string;
}

/**
 * Billed INIT as lines of its own, one per function with cold starts: cold starts × billed INIT
 * ms × memory, at the GB-second price, from REPORT lines (the only source of INIT). None where
 * the prices do not bill INIT.
 */
export function lambdaInitLines(inits: readonly InitUsage[], prices: PriceTable, architecture: 'x86_64' | 'arm64'): CostLine[] {
  if (!prices.lambda.initBilled) return [];
  const gbSecond = gbSecondRate(prices, architecture);
  return inits
    .filter((i) => i.coldStarts > 0 && i.initBilledMsPerColdStart > 0)
    .map((i) => {
      const gbs = ((i.coldStarts * i.initBilledMsPerColdStart) / 1000) * (i.memoryMB / 1024);
      const l = line('Lambda', initItem(i.fn.name, i.memoryMB, architecture), gbs, 'GB-s', gbSecond, 1, 'report-lines');
      return i.note ? { ...l, note: i.note } : l;
    });
}

/**
 * The INIT inside functionUsage's billed ms of REPORT lines: INIT within Billed Duration (every
 * line since August 2025 bills it there: Billed Duration ≈ ⌈Init + Duration⌉) and, where the
 * prices bill INIT, the INIT a line left out of it (initNotInBilledMs, ⌈Init⌉ each). Both come to
 * the lines' INIT, within a millisecond per cold start: the larger of the two totals. Where the
 * prices do not bill INIT, nothing is taken out (billed time is then as the lines billed it).
 */
export function billedInitMs(report: Pick<ReportLineStats, 'initDurationMsTotal' | 'initNotInBilledMs'>, prices: PriceTable): number {
  return prices.lambda.initBilled ? Math.max(report.initDurationMsTotal, report.initNotInBilledMs) : 0;
}

/** @connections posts of a run: the stack's own count (EMF FanoutDeliveries) when it published one, else the harness's. */
export function runPosts(results: Pick<Results, 'deliveries'>, cw: CloudWatchResults | undefined): { posts: number; source: CostSource } {
  const emfDeliveries = cw?.emf.FanoutDeliveries?.sum;
  const d = results.deliveries;
  return emfDeliveries !== undefined ? { posts: emfDeliveries, source: 'cloudwatch' } : { posts: d.received + d.lost + (d.unacknowledged ?? 0), source: 'client' };
}

/**
 * API Gateway's message lines: every client frame but a connect or disconnect (a send metered in
 * 32 KB units of payload and envelope), and every frame back: one route response per frame in,
 * one @connections post per recipient.
 */
export function apiGatewayMessageLines(
  usage: readonly FunctionUsage[],
  o: { posts: number; postsSource: CostSource; payloadBytes: number },
  prices: PriceTable,
): { lines: CostLine[]; framesIn: number; countsSource: CostSource } {
  const unitBytes = prices.apiGatewayWebSocket.messageUnitBytes;
  const framesIn = usage.filter((u) => isFrameRoute(u.fn.route));
  const framesInCount = framesIn.reduce((n, u) => n + u.invocations, 0);
  const inboundUnits = framesIn.reduce((n, u) => n + u.invocations * (FANOUT_ROUTES.has(u.fn.route) ? Math.ceil((o.payloadBytes + INBOUND_ENVELOPE_BYTES) / unitBytes) : 1), 0);
  const countsSource = weakest(framesIn.filter((u) => u.invocations > 0).map((u) => u.invocationsSource));
  const outboundUnits = framesInCount + o.posts * Math.ceil((o.payloadBytes + OUTBOUND_ENVELOPE_BYTES) / unitBytes);
  const ws = prices.apiGatewayWebSocket;
  return {
    lines: [
      line('API Gateway', 'messages client → API (32 KB units)', inboundUnits, 'messages', ws.messagesPerMillion, 1e6, countsSource),
      line('API Gateway', 'messages API → clients: route responses + @connections posts (32 KB units)', outboundUnits, 'messages', ws.messagesPerMillion, 1e6, weakest([countsSource, o.postsSource])),
    ],
    framesIn: framesInCount,
    countsSource,
  };
}

export function connectionMinutesLine(minutes: number, source: CostSource, prices: PriceTable): CostLine {
  return line('API Gateway', 'connection-minutes', minutes, 'minutes', prices.apiGatewayWebSocket.connectionMinutesPerMillion, 1e6, source);
}

export function dynamoDbLines(readUnits: number, writeUnits: number, source: CostSource, prices: PriceTable): CostLine[] {
  const db = prices.dynamodbOnDemand;
  return [
    line('DynamoDB', 'read request units', readUnits, 'RRU', db.readUnitsPerMillion, 1e6, source),
    line('DynamoDB', 'write request units', writeUnits, 'WRU', db.writeUnitsPerMillion, 1e6, source),
  ];
}

/**
 * The lines whose quantities come from CloudWatch families that were not all published when
 * pulled (results.cloudwatch.completeness) say so: the estimate is then a lower bound there.
 */
function markPartial(lines: CostLine[], cw: CloudWatchResults | undefined, assumptions: string[]): void {
  const c = cw?.completeness;
  if (!c) return;
  const incomplete = (families: ReadonlyArray<keyof typeof c>) =>
    families.flatMap((f) => {
      const x = c[f];
      return x && x.status !== 'complete' ? [`${f} ${x.status}: ${x.detail}`] : [];
    });
  for (const l of lines) {
    // what the line's quantity rests on, or would have rested on had CloudWatch had it all (a
    // fallback to the harness's counts or to assumptions is there because it had not)
    const families: Array<keyof typeof c> =
      l.service === 'DynamoDB'
        ? ['dynamodb']
        : l.service === 'Lambda'
          ? l.source === 'report-lines' ? ['reports'] : ['lambda']
          : l.service === 'API Gateway' && l.item.startsWith('messages')
            ? [l.source === 'report-lines' ? 'reports' : 'lambda', ...(l.item.includes('posts') ? (['emf'] as const) : [])]
            : [];
    const why = incomplete(families);
    if (why.length > 0) l.partial = why.join('; ');
  }
  const partial = lines.filter((l) => l.partial);
  if (partial.length > 0) {
    assumptions.push(
      `partial CloudWatch data under ${partial.map((l) => `${l.service} ${l.item.split(' (')[0]}`).join(', ')}: those lines are a lower bound (\`fanout-bench report --repull <run-dir>\` pulls the run again)`,
    );
  }
}

function line(service: CostLine['service'], item: string, quantity: number, unit: string, unitPrice: number, per: number, source: CostSource): CostLine {
  return { service, item, quantity, unit, unitPrice, per, cost: (quantity * unitPrice) / per, source };
}

export function weakest(sources: CostSource[]): CostSource {
  return sources.reduce<CostSource>((w, s) => (SOURCE_RANK[s] > SOURCE_RANK[w] ? s : w), sources[0] ?? 'client');
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Invocations and billed time of one function, from the best source there is. */
export function functionUsage(
  fn: BenchFunction,
  results: Results,
  cw: CloudWatchResults | undefined,
  clientCounts: Record<string, number>,
  prices: PriceTable,
  assumptions: string[],
): FunctionUsage {
  const report = cw?.reports[fn.name];
  if (report && report.invocations > 0 && !report.truncated) {
    const init = prices.lambda.initBilled ? report.initNotInBilledMs : 0;
    return {
      fn,
      invocations: report.invocations,
      invocationsSource: 'report-lines',
      memoryMB: report.memorySizeMB ?? fn.memoryMB,
      // a SnapStart restore's billed part (loading the runtime, the after-restore hooks) is billed as duration too
      billedMs: report.billedDurationMsTotal + init + (report.billedRestoreDurationMsTotal ?? 0),
      billedSource: 'report-lines',
    };
  }
  const metrics = cw?.lambda[fn.name];
  if (metrics) {
    const avg = metrics.durationAvgMs;
    if (metrics.invocations > 0) {
      assumptions.push(
        avg === null
          ? `${fn.name}: no Duration in CloudWatch, compute not estimated`
          : `${fn.name}: billed time = invocations × ⌈average Duration⌉, INIT not included (no REPORT lines)`,
      );
    }
    return {
      fn,
      invocations: metrics.invocations,
      invocationsSource: 'cloudwatch',
      memoryMB: fn.memoryMB,
      billedMs: metrics.invocations * Math.ceil(avg ?? 0),
      billedSource: 'cloudwatch',
    };
  }
  const invocations = clientCounts[fn.route] ?? 0;
  const proxy = clientDurationProxyMs(fn.route, results);
  if (invocations > 0) {
    assumptions.push(`${fn.name}: no CloudWatch data; duration taken as the client-side p50 ${fn.route === 'sendMessage' || fn.route === 'broadcast' ? 'fan-out completion' : 'connect'} latency ${proxy} ms (an upper bound)`);
  }
  return { fn, invocations, invocationsSource: 'client', memoryMB: fn.memoryMB, billedMs: invocations * Math.ceil(proxy), billedSource: 'assumption' };
}

/**
 * Without CloudWatch, what the client saw bounds the function's duration from above: a fan-out
 * completes after the function posted to every member; a handshake after $connect returned.
 */
function clientDurationProxyMs(route: string, results: Results): number {
  if (route === 'sendMessage' || route === 'broadcast') {
    const m = results.metrics.fanoutCompletion.count > 0 ? results.metrics.fanoutCompletion : results.metrics.broadcast;
    return m.p50;
  }
  return results.metrics.connect.p50;
}

/** What the harness itself counted, by route (each attempt invokes its function, answered or not). */
export function clientRouteCounts(results: Results): Record<string, number> {
  const c = results.connections;
  const intervalConnects = results.intervals.reduce((n, i) => n + i.connects, 0);
  const connects = c ? c.opened : intervalConnects > 0 ? intervalConnects : results.config.clients;
  return {
    $connect: connects,
    $disconnect: connects,
    createRoom: results.config.rooms,
    joinRoom: c ? c.joined + c.joinFailed : results.config.clients,
    sendMessage: results.sends.sent,
  };
}

/** Connection-seconds held (open clients integrated over the intervals) and the peak. */
export function connectionTime(results: Results): { seconds: number; peak: number; source: CostSource } {
  const iv = results.intervals;
  if (iv.length === 0) {
    return { seconds: (results.config.clients * results.durationMs) / 1000, peak: results.config.clients, source: 'assumption' };
  }
  let seconds = 0;
  let peak = 0;
  for (let k = 0; k < iv.length; k++) {
    const lengthSec = k + 1 < iv.length ? (iv[k + 1].t - iv[k].t) / 1000 : 1;
    seconds += iv[k].openClients * lengthSec;
    peak = Math.max(peak, iv[k].openClients);
  }
  return { seconds, peak, source: 'client' };
}

/** `payloadBytes` from the run's config or scenario (searched a few levels deep; the largest). */
export function payloadBytesOf(results: Results): number | undefined {
  let found: number | undefined;
  const visit = (v: unknown, depth: number) => {
    if (depth > 4 || v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'payloadBytes' && typeof x === 'number' && Number.isFinite(x) && x >= 0) found = Math.max(found ?? 0, x);
      else visit(x, depth + 1);
    }
  };
  visit(results.config, 0);
  if (found === undefined) visit(results.scenario.definition, 0);
  return found;
}
