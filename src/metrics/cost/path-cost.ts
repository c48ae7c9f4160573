import type { CostLine, CostSource } from '../../contracts/cost-schema.ts';
import type { StackPath } from '../../contracts/path-schema.ts';
import type { PriceTable } from '../../contracts/prices.ts';
import { fmtInt } from '../../number-format.ts';
import { tablePrices } from './region-prices.ts';

/**
 * What a queued path bills, read from results.path's totals (AWS/SQS, AWS/SNS, AWS/Events and the
 * event source mappings' counts, on AWS and on the emulator alike): SQS requests, SNS publishes and
 * deliveries, EventBridge custom events, DynamoDB Streams reads by Lambda triggers. The path's
 * functions' Lambda compute is the cost model's (run-functions.ts lists them). A month's plan
 * scales the same counts per message (pathRequestsPer, scalePathRequests), so a run and its plan
 * are priced by the same lines.
 *
 * What CloudWatch counts is messages, and SQS and SNS bill requests, each 64 KB chunk of a
 * request's payload one request (EventBridge: each 64 KB chunk of an event one event). So:
 * - a queue's sends: one SendMessage per message sent (a sender that batches makes fewer: an upper
 *   bound); its receives and deletes: one ReceiveMessage and one DeleteMessageBatch per batch its
 *   mapping invoked (a queue no mapping reads: one per message), a receive's chunks its batch's
 *   bytes; the pollers' empty receives are not counted (CloudWatch's NumberOfEmptyReceives is not
 *   pulled): a lower bound there;
 * - a topic's publishes: one per message published; its deliveries to Lambda and SQS: free;
 * - a bus's custom events: the most any of its rules matched (an event matched by two rules is put
 *   once; one matched by none is billed too and not counted: a lower bound);
 * - a stream's reads by its mapping: one GetRecords per batch, free.
 * Free tiers are not counted (SQS's and SNS's first 1 million requests a month), as everywhere in
 * the model (region-prices.ts).
 */

/** Bytes of one message on the path: the client's payload and the frame it came in (the route function forwards it). */
export const PATH_MESSAGE_ENVELOPE_BYTES = 60;

export interface QueueRequests {
  name: string;
  fifo: boolean;
  /** messages sent (one SendMessage each) */
  sends: number;
  /** ReceiveMessage calls: a mapping's batches, else the messages received */
  receiveCalls: number;
  /** messages those calls returned */
  received: number;
  /** DeleteMessage(Batch) calls */
  deleteCalls: number;
  /** the queue is another one's dead-letter queue (nothing sent to it directly) */
  deadLetter: boolean;
}

export interface TopicRequests {
  name: string;
  fifo: boolean;
  publishes: number;
  deliveries: number;
}

export interface BusRequests {
  /** the bus's name (`default` for the default bus) */
  bus: string;
  events: number;
  /** rule targets invoked */
  invocations: number;
}

export interface MappingRequests {
  name: string;
  functionName: string;
  source: 'queue' | 'stream' | 'other';
  sourceName: string;
  /** the source is a FIFO queue */
  fifo: boolean;
  records: number;
  batches: number;
  /** BatchSize as configured, and ScalingConfig.MaximumConcurrency where set */
  batchSize?: number;
  maximumConcurrency?: number;
}

export interface ApiRequests {
  apiType: 'http' | 'rest';
  name: string;
  requests: number;
}

/** A path's billed requests over a period (a run's window, or per message, or a month). */
export interface PathRequests {
  /** the HTTP and REST APIs' requests (absent from requests read before they were priced) */
  apis?: ApiRequests[];
  queues: QueueRequests[];
  topics: TopicRequests[];
  buses: BusRequests[];
  mappings: MappingRequests[];
}

/** The billed requests of a run's path (results.path totals). */
export function pathRequests(path: StackPath): PathRequests {
  const mappings: MappingRequests[] = [];
  const queueFifo = new Map<string, boolean>();
  for (const h of path.hops) if (h.kind === 'queue') queueFifo.set(h.name, h.fifo ?? h.name.endsWith('.fifo'));
  for (const h of path.hops) {
    if (h.kind !== 'mapping') continue;
    mappings.push({
      name: h.name,
      functionName: h.functionName,
      source: h.source.kind,
      sourceName: h.source.name,
      fifo: queueFifo.get(h.source.name) ?? h.source.name.endsWith('.fifo'),
      records: h.totals.polled,
      batches: h.totals.batches,
      ...(h.batchSize !== undefined ? { batchSize: h.batchSize } : {}),
      ...(h.maximumConcurrency !== undefined ? { maximumConcurrency: h.maximumConcurrency } : {}),
    });
  }
  const queues: QueueRequests[] = [];
  const topics: TopicRequests[] = [];
  const buses = new Map<string, BusRequests>();
  for (const h of path.hops) {
    if (h.kind === 'queue') {
      const readers = mappings.filter((m) => m.source === 'queue' && m.sourceName === h.name);
      const batches = readers.reduce((n, m) => n + m.batches, 0);
      const byMapping = readers.length > 0 && batches > 0;
      queues.push({
        name: h.name,
        fifo: queueFifo.get(h.name)!,
        sends: h.totals.sent,
        receiveCalls: byMapping ? batches : h.totals.received,
        received: h.totals.received,
        deleteCalls: byMapping ? batches : h.totals.deleted,
        deadLetter: (h.deadLetterOf ?? []).length > 0,
      });
    } else if (h.kind === 'topic') {
      topics.push({ name: h.name, fifo: h.name.endsWith('.fifo'), publishes: h.totals.published, deliveries: h.totals.delivered });
    } else if (h.kind === 'rule') {
      const bus = h.bus ?? 'default';
      const b = buses.get(bus) ?? { bus, events: 0, invocations: 0 };
      b.events = Math.max(b.events, h.totals.matched);
      b.invocations += h.totals.invocations;
      buses.set(bus, b);
    }
  }
  const apis = path.hops.flatMap((h): ApiRequests[] => (h.kind === 'api' ? [{ apiType: h.apiType, name: h.name, requests: h.totals.requests }] : []));
  return { ...(apis.length > 0 ? { apis } : {}), queues, topics, buses: [...buses.values()], mappings };
}

/** Every count of `r` × `factor` (per message: 1 ÷ messages; a month: × messages). */
export function scalePathRequests(r: PathRequests, factor: number): PathRequests {
  return {
    ...(r.apis ? { apis: r.apis.map((a) => ({ ...a, requests: a.requests * factor })) } : {}),
    queues: r.queues.map((q) => ({ ...q, sends: q.sends * factor, receiveCalls: q.receiveCalls * factor, received: q.received * factor, deleteCalls: q.deleteCalls * factor })),
    topics: r.topics.map((t) => ({ ...t, publishes: t.publishes * factor, deliveries: t.deliveries * factor })),
    buses: r.buses.map((b) => ({ ...b, events: b.events * factor, invocations: b.invocations * factor })),
    mappings: r.mappings.map((m) => ({ ...m, records: m.records * factor, batches: m.batches * factor })),
  };
}

/** Several runs' requests pooled (sums, hop by hop by name). */
export function sumPathRequests(all: readonly PathRequests[]): PathRequests {
  const merge = <T extends object>(items: T[], key: (t: T) => string, add: (a: T, b: T) => T): T[] => {
    const out = new Map<string, T>();
    for (const t of items) out.set(key(t), out.has(key(t)) ? add(out.get(key(t))!, t) : { ...t });
    return [...out.values()];
  };
  const apis = merge(all.flatMap((r) => r.apis ?? []), (a) => `${a.apiType}:${a.name}`, (a, b) => ({ ...a, requests: a.requests + b.requests }));
  return {
    ...(apis.length > 0 ? { apis } : {}),
    queues: merge(all.flatMap((r) => r.queues), (q) => q.name, (a, b) => ({ ...a, sends: a.sends + b.sends, receiveCalls: a.receiveCalls + b.receiveCalls, received: a.received + b.received, deleteCalls: a.deleteCalls + b.deleteCalls })),
    topics: merge(all.flatMap((r) => r.topics), (t) => t.name, (a, b) => ({ ...a, publishes: a.publishes + b.publishes, deliveries: a.deliveries + b.deliveries })),
    buses: merge(all.flatMap((r) => r.buses), (x) => x.bus, (a, b) => ({ ...a, events: a.events + b.events, invocations: a.invocations + b.invocations })),
    mappings: merge(all.flatMap((r) => r.mappings), (m) => m.name, (a, b) => ({ ...a, records: a.records + b.records, batches: a.batches + b.batches })),
  };
}

/** The price sections a path needs: the table's own, else the built-in table's for its region (a Price List answer has none). */
export function pathPrices(prices: PriceTable): { prices: Required<Pick<PriceTable, 'sqs' | 'sns' | 'eventBridge' | 'dynamodbStreams'>> | undefined; note?: string } {
  const table = tablePrices(prices.region);
  const sqs = prices.sqs ?? table?.sqs;
  const sns = prices.sns ?? table?.sns;
  const eventBridge = prices.eventBridge ?? table?.eventBridge;
  const dynamodbStreams = prices.dynamodbStreams ?? table?.dynamodbStreams;
  if (!sqs || !sns || !eventBridge || !dynamodbStreams) {
    return { prices: undefined, note: `no SQS, SNS and EventBridge prices for ${prices.region} (the built-in table has none for it; a price file's sqs, sns, eventBridge and dynamodbStreams give them): the queued path is not priced` };
  }
  const borrowed = !prices.sqs && table !== undefined;
  return {
    prices: { sqs, sns, eventBridge, dynamodbStreams },
    ...(borrowed ? { note: `SQS, SNS and EventBridge at the built-in table's ${table!.region} prices of ${table!.asOf} (the prices used do not give them: the Price List reader asks Lambda, API Gateway and DynamoDB only)` } : {}),
  };
}

const chunks = (bytes: number, unit: number) => Math.max(1, Math.ceil(bytes / unit));

/**
 * The path's cost lines at `prices`: per queue its requests (standard or FIFO), per topic its
 * publishes and its deliveries (free), per bus its custom events, per stream mapping its reads
 * (free). `messageBytes`: one message's bytes on the path.
 */
export function pathLines(r: PathRequests, o: { prices: PriceTable; messageBytes: number; source: CostSource }): { lines: CostLine[]; notes: string[] } {
  const chosen = pathPrices(o.prices);
  const notes = chosen.note ? [chosen.note] : [];
  const lines: CostLine[] = [];
  const line = (service: CostLine['service'], item: string, quantity: number, unit: string, unitPrice: number, note: string): CostLine => ({
    service,
    item,
    quantity,
    unit,
    unitPrice,
    per: 1e6,
    cost: (quantity * unitPrice) / 1e6,
    source: o.source,
    note,
  });
  const api = apiLines(r.apis ?? [], o, line);
  lines.push(...api.lines);
  notes.push(...api.notes);
  if (!chosen.prices) return { lines, notes };
  const p = chosen.prices;
  const perMessage = chunks(o.messageBytes, p.sqs.requestUnitBytes);
  for (const q of r.queues) {
    const meanBatch = q.receiveCalls > 0 ? q.received / q.receiveCalls : 1;
    const receiveChunks = chunks(meanBatch * o.messageBytes, p.sqs.requestUnitBytes);
    const requests = q.sends * perMessage + q.receiveCalls * receiveChunks + q.deleteCalls;
    // a dead-letter queue nothing read: the redrive itself is not a request of the account's
    if (requests === 0) continue;
    const price = q.fifo ? p.sqs.fifoRequestsPerMillion : p.sqs.standardRequestsPerMillion;
    lines.push(
      line(
        'SQS',
        `${q.name} requests (${q.fifo ? 'FIFO' : 'standard'}, 64 KB chunks)`,
        requests,
        'requests',
        price,
        `${fmtInt(q.sends)} SendMessage × ${perMessage} + ${fmtInt(q.receiveCalls)} ReceiveMessage × ${receiveChunks} (batches of ${round(meanBatch)}) + ${fmtInt(q.deleteCalls)} DeleteMessage(Batch); one SendMessage per message (a sender that batches makes fewer), the pollers' empty receives not counted; the first 1M requests a month free not counted`,
      ),
    );
  }
  const snsChunks = chunks(o.messageBytes, p.sns.requestUnitBytes);
  for (const t of r.topics) {
    lines.push(
      line('SNS', `${t.name} publishes (64 KB chunks)`, t.publishes * snsChunks, 'requests', p.sns.publishesPerMillion, `${fmtInt(t.publishes)} publishes × ${snsChunks}${t.fifo ? '; a FIFO topic is billed per publish and per GB of payload, priced here as a standard topic' : ''}; the first 1M requests a month free not counted`),
      line('SNS', `${t.name} deliveries to Lambda and SQS`, t.deliveries, 'deliveries', p.sns.lambdaSqsDeliveriesPerMillion, 'free: SNS charges no delivery to a Lambda function or an SQS queue'),
    );
  }
  const ebChunks = chunks(o.messageBytes, p.eventBridge.eventUnitBytes);
  for (const b of r.buses) {
    lines.push(
      line(
        'EventBridge',
        `${b.bus} bus custom events (64 KB chunks)`,
        b.events * ebChunks,
        'events',
        p.eventBridge.customEventsPerMillion,
        `the most events any of its rules matched (${fmtInt(b.events)}) × ${ebChunks}: an event no rule matched is billed too, and not counted; its ${fmtInt(b.invocations)} rule target invocations are not charged`,
      ),
    );
  }
  for (const m of r.mappings.filter((x) => x.source === 'stream')) {
    lines.push(line('DynamoDB Streams', `${m.sourceName} reads by ${m.functionName}`, m.batches, 'GetRecords', p.dynamodbStreams.lambdaReadsPerMillion, 'free: GetRecords calls by a Lambda trigger are not charged'));
  }
  return { lines, notes };
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * An HTTP API's requests (each 512 KB of a request one request) and a REST API's, at the prices'
 * own or the built-in table's for their region; no prices for them: not priced, said once.
 */
function apiLines(apis: readonly ApiRequests[], o: { prices: PriceTable; messageBytes: number }, line: (service: CostLine['service'], item: string, quantity: number, unit: string, unitPrice: number, note: string) => CostLine): { lines: CostLine[]; notes: string[] } {
  if (apis.length === 0) return { lines: [], notes: [] };
  const table = tablePrices(o.prices.region);
  const http = o.prices.apiGatewayHttp ?? table?.apiGatewayHttp;
  const rest = o.prices.apiGatewayRest ?? table?.apiGatewayRest;
  const lines: CostLine[] = [];
  const notes: string[] = [];
  // AWS bills HTTP and REST APIs for the data they send out too (at data transfer rates): not here
  notes.push(`${apis.map((a) => a.name).join(', ')}: requests priced, not the data the API sends out (AWS charges HTTP and REST APIs for it at its data transfer rates)`);
  for (const a of apis) {
    if (a.apiType === 'http' && http) {
      const units = chunks(o.messageBytes, http.requestUnitBytes);
      lines.push(line('API Gateway', `${a.name} HTTP API requests (512 KB steps)`, a.requests * units, 'requests', http.requestsPerMillion, `${fmtInt(a.requests)} requests × ${units}, as AWS/ApiGateway Count counts them: an upper bound, since requests throttled, unauthorized or matching no route are counted and not charged`));
    } else if (a.apiType === 'rest' && rest) {
      lines.push(line('API Gateway', `${a.name} REST API requests`, a.requests, 'requests', rest.requestsPerMillion, `${fmtInt(a.requests)} requests as AWS/ApiGateway Count counts them: an upper bound, since requests throttled, unauthorized or matching no route are counted and not charged`));
    } else {
      notes.push(`no ${a.apiType === 'http' ? 'HTTP' : 'REST'} API request price for ${o.prices.region} (a price file's ${a.apiType === 'http' ? 'apiGatewayHttp' : 'apiGatewayRest'} gives it): ${a.name}'s requests are not priced`);
    }
  }
  return { lines, notes };
}
