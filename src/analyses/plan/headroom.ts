import { FANOUT_ROUTES, INBOUND_ENVELOPE_BYTES, isFrameRoute } from '../../metrics/cost/cost-model.ts';
import { roomPartitionUnits } from '../../metrics/cost/dynamo-units.ts';
import { fmtInt, fmtNum, fmtRate, fmtRoomSize } from '../../number-format.ts';
import { functionPeaks, peakRates, type FunctionPeak } from './function-peaks.ts';
import { plannedUnits } from './monthly-cost.ts';
import type { HeldLimit, PlanLimits } from './plan-limits.ts';
import { PATH_QUOTAS } from '../../contracts/quotas-schema.ts';
import type { Headroom, PlanLimitId, PlanTraffic, WorkModel } from './plan-schema.ts';
import { functionOf } from './work-model.ts';

/**
 * Headroom at the peak: every limit that applies, as "needs X of Y". The traffic given is the
 * peak's (with a daily profile, the hour whose factor is 1), held as rates per second: connects,
 * joins, messages, recipients and posts; each function's invocations per second are its
 * invocations per operation × that operation's rate. Lambda's concurrency is Little's law on
 * each function's p99 duration; DynamoDB's units are the cost model's per-route units (the same
 * arithmetic as the month's cost, in one second); a room's partitions get that room's share of
 * the operations that touch them.
 */

function entry(limit: PlanLimitId, label: string, needs: number, held: HeldLimit, unit: string, how: string, moves: string, scope?: string): Headroom {
  return { limit, ...(scope !== undefined ? { scope } : {}), label, needs, of: held.value, unit, share: needs / held.value, how, limitSource: held.source, moves };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Every limit that applies to `model` at the traffic `t` (its given figures are the peak's). */
export function headroomAt(model: WorkModel, t: PlanTraffic, limits: PlanLimits): Headroom[] {
  const peaks = functionPeaks(model, t);
  const rates = peakRates(model, t);
  const out: Headroom[] = [];

  // Lambda: the account's concurrency (less what is reserved), each reservation, each function's scaling rate
  const reservedSum = sum(Object.values(limits.reserved).map((r) => r.value));
  const pooled = peaks.filter((p) => !limits.reserved[p.f.name]);
  const littles = (ps: readonly FunctionPeak[]) =>
    [...ps]
      .filter((p) => p.perS > 0)
      .sort((a, b) => b.concurrency - a.concurrency)
      .map((p) => `${p.f.name} ${fmtRate(p.perS)} × ${p.durationHow}`)
      .join(' + ') || 'no invocations';
  const concurrency = sum(pooled.map((p) => p.concurrency));
  const busiest = [...pooled].sort((a, b) => b.concurrency - a.concurrency)[0];
  out.push(
    entry(
      'lambdaConcurrency',
      reservedSum > 0 ? 'account Lambda concurrency (unreserved)' : 'account Lambda concurrency',
      concurrency,
      reservedSum > 0 ? { value: limits.accountConcurrency.value - reservedSum, source: `${limits.accountConcurrency.source}, less ${fmtNum(reservedSum)} reserved` } : limits.accountConcurrency,
      'concurrent executions',
      `Little's law, invocations/s × duration: ${littles(pooled)} = ${fmtNum(concurrency)}`,
      `a Lambda concurrency quota increase (Service Quotas: concurrent executions), or shorter durations${busiest && concurrency > 0 ? `: ${busiest.f.name} holds ${fmtNum((100 * busiest.concurrency) / concurrency)} % of it (more memory is more CPU; compare --memory measures whether it is faster)` : ''}`,
    ),
  );
  for (const p of peaks) {
    const held = limits.reserved[p.f.name];
    if (held) {
      out.push(
        entry('reservedConcurrency', `${p.f.name} reserved concurrency`, p.concurrency, held, 'concurrent executions', `Little's law: ${littles([p])} = ${fmtNum(p.concurrency)}`, `a larger reservation for ${p.f.name} (--reserved ${p.f.name}=N), or a shorter duration`, p.f.name),
      );
    }
  }
  const per10s = limits.scalingPer10s.value;
  for (const p of peaks) {
    const steps = Math.max(1, Math.ceil(p.concurrency / per10s));
    out.push(
      entry(
        'lambdaScaling',
        `${p.f.name} scaling rate`,
        p.concurrency,
        limits.scalingPer10s,
        'new environments in 10 s',
        `${fmtNum(p.concurrency)} concurrent at the peak: from cold, ${steps === 1 ? 'within the first 10 s' : `${steps * 10} s to reach it`} at ${fmtNum(per10s)} new environments per 10 s`,
        `a ramp to the peak slower than ${fmtNum(per10s)} environments per 10 s, or provisioned concurrency for ${p.f.name} (the scaling rate is not a quota)`,
        p.f.name,
      ),
    );
  }

  // API Gateway: new connections, the account's throttle (client messages and posts), the stage's and routes' throttles
  const session = t.sessionSec !== undefined && Math.abs(t.connections / t.sessionSec - t.connectsPerS) <= 1e-9 * Math.max(1, t.connectsPerS);
  out.push(
    entry(
      'newConnectionsPerSecond',
      'API Gateway new connections per second',
      t.connectsPerS,
      limits.newConnectionsPerSecond,
      'connections/s',
      session ? `${fmtNum(t.connections)} connections ÷ sessions of ${fmtNum(t.sessionSec! / 60)} min = ${fmtRate(t.connectsPerS)}` : `${fmtRate(t.connectsPerS)} connects at the peak`,
      'a quota increase (Service Quotas: API Gateway new connections per second), or longer sessions (fewer reconnects)',
    ),
  );
  const frames = peaks.filter((p) => isFrameRoute(p.f.route) && !p.f.authorizer);
  const framesPerS = sum(frames.map((p) => p.perS));
  const framesHow = frames.filter((p) => p.perS > 0).map((p) => `${p.f.route} ${fmtNum(p.perS)}`).join(', ');
  const postsPerS = rates.recipient * model.posts.perRecipient;
  out.push(
    entry(
      'accountRequestsPerSecond',
      'API Gateway account throttle (messages + @connections posts)',
      framesPerS + postsPerS,
      limits.accountRequestsPerSecond,
      'requests/s',
      `client messages ${fmtRate(framesPerS)}${framesHow ? ` (${framesHow})` : ''} + @connections posts ${fmtRate(postsPerS)} (${fmtNum(t.messagesPerS)} messages/s × rooms of ${fmtRoomSize(t.roomSize)} × ${fmtNum(model.posts.perRecipient)} per recipient) = ${fmtRate(framesPerS + postsPerS)}`,
      'an account throttle increase (Service Quotas: API Gateway throttle rate), or fewer posts: smaller rooms, several messages batched into one post',
    ),
  );
  if (limits.stageRequestsPerSecond) {
    out.push(
      entry(
        'stageRequestsPerSecond',
        "the stage's throttle",
        framesPerS + t.connectsPerS,
        limits.stageRequestsPerSecond,
        'requests/s',
        `client messages ${fmtRate(framesPerS)} + $connect ${fmtRate(t.connectsPerS)} (a route like the others)`,
        "the stage's throttle setting (DefaultRouteSettings), up to the account's",
      ),
    );
  }
  for (const [route, held] of Object.entries(limits.routeRequestsPerSecond)) {
    const perS = route === '$connect' ? t.connectsPerS : sum(peaks.filter((p) => p.f.route === route && !p.f.authorizer).map((p) => p.perS));
    out.push(entry('stageRequestsPerSecond', `${route} route throttle`, perS, held, 'requests/s', `${route} ${fmtRate(perS)} at the peak`, `the route's throttle setting (RouteSettings ${route}), up to the account's`, route));
  }

  // DynamoDB: the tables' units in one second of the peak, and one room's partitions
  const perFunction = peaks.map((p) => ({ p, units: plannedUnits(model, [{ fn: functionOf(p.f), invocations: p.perS }], t) }));
  const tableHow = (dir: 'read' | 'write') =>
    `the stack's tables together (not split by table: the busiest needs at most this): ${
      perFunction
        .filter((x) => x.units[dir] > 0)
        .map((x) => `${x.p.f.name} ${fmtRate(x.p.perS)} × ${fmtNum(x.units[dir] / x.p.perS)}`)
        .join(' + ') || 'none'
    }`;
  const tableMoves =
    limits.table.mode === 'on-demand'
      ? 'a table-level throughput quota increase (Service Quotas: DynamoDB), or the units spread over more tables'
      : 'more provisioned capacity (--table-capacity), or on-demand';
  const mode = limits.table.mode;
  out.push(
    entry('tableReadUnits', `DynamoDB table read units (${mode})`, sum(perFunction.map((x) => x.units.read)), limits.table.read, 'read units/s', tableHow('read'), tableMoves),
    entry('tableWriteUnits', `DynamoDB table write units (${mode})`, sum(perFunction.map((x) => x.units.write)), limits.table.write, 'write units/s', tableHow('write'), tableMoves),
  );

  const rooms = t.roomSize > 0 ? t.connections / t.roomSize : 0;
  const ctx = { members: t.roomSize, connections: t.connections, payloadBytes: model.runs[0]!.payloadBytes, gonePerInvocation: model.dynamodb.gonePerMessage };
  const scale = { read: model.dynamodb.readScale, write: model.dynamodb.writeScale };
  const partition = (dir: 'read' | 'write') => {
    const terms = { members: [] as string[], history: [] as string[] };
    const total = { members: 0, history: 0 };
    for (const p of peaks) {
      if (p.f.authorizer || rooms === 0) continue;
      const perRoom = p.perS / rooms;
      const u = roomPartitionUnits(p.f.route, ctx);
      for (const key of ['members', 'history'] as const) {
        const units = u[key][dir];
        if (perRoom > 0 && units > 0) {
          total[key] += perRoom * units * scale[dir];
          terms[key].push(`${p.f.route} ${fmtRate(perRoom)} × ${fmtNum(units)}`);
        }
      }
    }
    const busier = total.members >= total.history ? 'members' : 'history';
    const other = busier === 'members' ? 'history' : 'members';
    const name = { members: 'room-members partition', history: 'message-history partition' };
    const scaled = scale[dir] !== 1 ? ` × ${fmtNum(scale[dir])} (measured ÷ modelled)` : '';
    const how = `one room of ${fmtRoomSize(t.roomSize)} (${fmtInt(Math.round(rooms))} rooms), its ${name[busier]}: ${terms[busier].join(' + ') || 'none'}${scaled} = ${fmtNum(total[busier])}; its ${name[other]}: ${fmtNum(total[other])}`;
    return { needs: total[busier], how };
  };
  const read = partition('read');
  const write = partition('write');
  out.push(
    entry(
      'partitionReadUnits',
      "one room's partition: read units",
      read.needs,
      limits.partition.read,
      'read units/s',
      read.how,
      'a different table design: the member list cached in the function or split over several keys per room (room#shard), or eventually consistent reads (half the units)',
    ),
    entry(
      'partitionWriteUnits',
      "one room's partition: write units",
      write.needs,
      limits.partition.write,
      'write units/s',
      write.how,
      'a different table design: history keyed by room and time bucket or shard (or no history item per message)',
    ),
  );

  // sizes: the sendMessage frame, the delivered message; the session against the connection's lifetime
  const payload = model.runs[0]!.payloadBytes;
  if (model.functions.some((f) => FANOUT_ROUTES.has(f.route))) {
    out.push(
      entry(
        'frameBytes',
        'API Gateway frame size (a sendMessage frame)',
        payload + INBOUND_ENVELOPE_BYTES,
        limits.frameBytes,
        'bytes',
        `a ${fmtNum(payload)}-byte payload + a ${INBOUND_ENVELOPE_BYTES}-byte envelope`,
        'a smaller payload, or a client that sends it over several frames (a message may be 128 KB)',
      ),
    );
  }
  if (model.posts.perRecipient > 0) {
    out.push(
      entry(
        'messageBytes',
        'API Gateway message size (a delivered message)',
        model.bytes.perPost,
        limits.messageBytes,
        'bytes',
        `${fmtNum(model.bytes.perPost)} bytes per post (${model.bytes.source === 'client' ? 'as the clients received them' : 'the payload and an envelope, assumed'})`,
        'a smaller payload, e.g. a link to the content (in S3) instead of the content',
      ),
    );
  }
  if (t.sessionSec !== undefined) {
    out.push(
      entry(
        'connectionLifetime',
        'API Gateway connection lifetime',
        t.sessionSec,
        limits.connectionLifetimeSec,
        's',
        `sessions of ${fmtNum(t.sessionSec / 60)} min`,
        'clients that reconnect before 2 h (AWS closes every connection then; no quota moves it)',
      ),
    );
  }
  out.push(...pathHeadroom(model, t, limits, peaks));
  return out.filter((h) => h.of > 0);
}

/** The limits a headroom entry of a queued path is held against (growth.ts finds the first of them to break). */
export const PATH_LIMIT_IDS: ReadonlySet<PlanLimitId> = new Set(['sqsFifoCallsPerAction', 'sqsInFlight', 'mappingConcurrency', 'snsPublish', 'eventBridgePutEvents', 'eventBridgeInvocations'] as PlanLimitId[]);

/**
 * A queued path at the peak: its requests per message × messages/s. Each FIFO queue's busiest
 * action against 300 calls/s; each standard queue's messages in flight (Little's law: messages
 * received/s × its consumers' duration) against 120,000; each SQS mapping's batches at once
 * (batches/s × its function's duration) against 1,000 or its MaximumConcurrency; the topics'
 * publishes, the buses' events and their rules' target invocations against the region's account
 * quotas.
 */
function pathHeadroom(model: WorkModel, t: PlanTraffic, limits: PlanLimits, peaks: readonly FunctionPeak[]): Headroom[] {
  const path = model.path;
  if (!path) return [];
  const m = t.messagesPerS;
  const out: Headroom[] = [];
  const l = limits.path;
  const durationOf = (fn: string) => peaks.find((p) => p.f.name === fn);
  for (const q of path.perMessage.queues) {
    if (q.deadLetter) continue;
    if (q.fifo) {
      const calls = { SendMessage: q.sends * m, ReceiveMessage: q.receiveCalls * m, DeleteMessage: q.deleteCalls * m };
      const [busiest, rate] = Object.entries(calls).sort((a, b) => b[1] - a[1])[0]!;
      out.push(
        entry(
          'sqsFifoCallsPerAction',
          `${q.name} FIFO API calls per action`,
          rate,
          l.sqsFifoCallsPerAction,
          'calls/s',
          `${busiest} ${fmtRate(rate)} (${Object.entries(calls).map(([a, r]) => `${a} ${fmtNum(r)}`).join(', ')}: the runs' ${fmtNum(q.sends)} sends, ${fmtNum(q.receiveCalls)} receives and ${fmtNum(q.deleteCalls)} deletes per message × ${fmtRate(m)} messages; one SendMessage per message)`,
          `send in batches of 10 (SendMessageBatch: ${fmtNum(l.sqsFifoMessagesBatched.value)} messages/s), or high throughput mode for FIFO queues (not emulated)`,
          q.name,
        ),
      );
    } else {
      const readers = path.perMessage.mappings.filter((x) => x.source === 'queue' && x.sourceName === q.name);
      const terms = readers.map((x) => ({ x, perS: x.records * m, peak: durationOf(x.functionName) }));
      const inFlight = terms.reduce((n, x) => n + x.perS * ((x.peak?.durationMs ?? 0) / 1000), 0);
      if (terms.length > 0) {
        out.push(
          entry(
            'sqsInFlight',
            `${q.name} messages in flight`,
            inFlight,
            l.sqsInFlight,
            'messages',
            `Little's law: ${terms.map((x) => `${x.x.functionName} ${fmtRate(x.perS)} received × ${x.peak ? x.peak.durationHow : 'no duration measured'}`).join(' + ')} = ${fmtNum(inFlight)}`,
            'shorter batches (a smaller BatchSize, a faster consumer), or several queues',
            q.name,
          ),
        );
      }
    }
  }
  for (const x of path.perMessage.mappings) {
    if (x.source !== 'queue') continue;
    const peak = durationOf(x.functionName);
    const batchesPerS = x.batches * m;
    const concurrency = batchesPerS * ((peak?.durationMs ?? 0) / 1000);
    const own = x.maximumConcurrency !== undefined && x.maximumConcurrency < l.mappingConcurrency.value;
    const held = own ? { value: x.maximumConcurrency!, source: "the mapping's ScalingConfig.MaximumConcurrency" } : l.mappingConcurrency;
    const meanBatch = x.batches > 0 ? x.records / x.batches : 0;
    out.push(
      entry(
        'mappingConcurrency',
        `${x.name} batches at once`,
        concurrency,
        held,
        'concurrent batches',
        `Little's law: ${fmtRate(batchesPerS)} batches (${fmtNum(x.batches)} per message, batches of ${fmtNum(meanBatch)} observed${x.batchSize !== undefined ? `, BatchSize ${fmtNum(x.batchSize)}` : ''}) × ${peak ? peak.durationHow : 'no duration measured'} = ${fmtNum(concurrency)}; it starts at ${PATH_QUOTAS.mappingInitialConcurrency} and adds up to ${PATH_QUOTAS.mappingScalingPerMinute} a minute`,
        `${own ? 'a larger MaximumConcurrency (up to 1,000), ' : ''}larger batches (BatchSize, MaximumBatchingWindowInSeconds), a faster ${x.functionName}, or the queue split over several mappings${x.fifo ? '; a FIFO queue runs at most one batch per message group at once' : ''}`,
        x.name,
      ),
    );
  }
  const publishes = path.perMessage.topics.reduce((n, x) => n + x.publishes, 0) * m;
  if (path.perMessage.topics.length > 0) {
    out.push(
      entry(
        'snsPublish',
        'SNS Publish (account, region)',
        publishes,
        path.perMessage.topics.every((x) => x.fifo) ? l.snsPublishFifo : l.snsPublish,
        'publishes/s',
        `${path.perMessage.topics.map((x) => `${x.name} ${fmtNum(x.publishes)} per message`).join(' + ')} × ${fmtRate(m)} messages = ${fmtRate(publishes)}`,
        'an SNS Publish quota increase (Service Quotas), or several messages in one publish (PublishBatch counts each entry)',
      ),
    );
  }
  const events = path.perMessage.buses.reduce((n, x) => n + x.events, 0) * m;
  if (path.perMessage.buses.length > 0) {
    out.push(
      entry(
        'eventBridgePutEvents',
        'EventBridge PutEvents (account, region)',
        events,
        l.eventBridgePutEvents,
        'calls/s',
        `${path.perMessage.buses.map((x) => `${x.bus} bus ${fmtNum(x.events)} events per message`).join(' + ')} × ${fmtRate(m)} messages = ${fmtRate(events)} (one event per PutEvents call: a call of up to 10 entries is one)`,
        'a PutEvents quota increase (Service Quotas), or up to 10 events in each PutEvents call',
      ),
    );
    const invocations = path.perMessage.buses.reduce((n, x) => n + x.invocations, 0) * m;
    out.push(
      entry(
        'eventBridgeInvocations',
        'EventBridge target invocations (account, region)',
        invocations,
        l.eventBridgeInvocations,
        'invocations/s',
        `${path.perMessage.buses.map((x) => `${x.bus} bus ${fmtNum(x.invocations)} per message`).join(' + ')} × ${fmtRate(m)} messages = ${fmtRate(invocations)} (each event a rule sends on to one of its targets is one)`,
        'an invocations quota increase (Service Quotas), fewer rules or targets per event; past it EventBridge delays invocations rather than dropping them',
      ),
    );
  }
  return out;
}
