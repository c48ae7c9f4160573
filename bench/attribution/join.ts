import { cpus, loadavg } from 'node:os';
import { clientUserAgent } from '../../src/contracts/client-user-agent.ts';
import { accessLogFormat, HARNESS_ACCESS_LOG_FORMAT } from '../../src/metrics/attribution/access-log-format.ts';
import { AttributionJoin } from '../../src/metrics/attribution/attribution-join.ts';
import { parseAnyReport } from '../../src/metrics/cloudwatch/report-lines.ts';
import { messageKey, RequestTrace } from '../../src/metrics/measurement/request-trace.ts';
import { FRAME_JOIN, FRAME_KEEPALIVE, FRAME_SEND, TRACE_CONNECT, TRACE_FRAME, TRACE_RECORD_WIDTH } from '../../src/metrics/measurement/trace-records.ts';

/**
 * The attribution join of a million requests: 200,000 clients in rooms of ROOM, each with a
 * connect and four frames (a join, a send, two keep-alives): 1,000,000 timed requests and, per
 * send, a delivery to each other member of the room. Their access-log lines in the run's own
 * JSON format (one CONNECT and four MESSAGE lines a client) are made one at a time, parsed and
 * fed to the join; then a REPORT line per invocation it wants (2 % cold), the host's waits for
 * 10 % of them (local), and the join's finish. Prints CPU seconds per step and the peak RSS and
 * heap, the trace store itself (the run's, not the join's) measured apart.
 *
 *   npx tsx bench/attribution/join.ts [clients=200000] [room=20]
 *   node --cpu-prof --import tsx bench/attribution/join.ts     (where the time goes)
 */
const CLIENTS = Number(process.argv[2] ?? 200_000);
const ROOM = Number(process.argv[3] ?? 20);
const FRAMES = 4;
const RUN = 'bench-run';
const T0 = 1_800_000_000_000;

const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
let heapPeak = 0;
const sampleHeap = () => {
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
};
const steps: Array<{ step: string; cpuS: number; note: string }> = [];
function step<T>(name: string, note: string, run: () => T): T {
  const c0 = cpu();
  const out = run();
  steps.push({ step: name, cpuS: cpu() - c0, note });
  sampleHeap();
  return out;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const connectionId = (client: number) => `L0NZ${client.toString(36).padStart(11, '0')}=`;
/** invocation n: connects are 0..CLIENTS-1, frame f of client c is CLIENTS + c*FRAMES + f-1 */
const invocationId = (n: number) => `${hex(n, 8)}-2b1d-4e6f-9a8b-${hex(n * 7919, 12).slice(-12)}`;
const cold = (n: number) => (n * 2654435761) % 100 < 2;
const waited = (n: number) => n % 10 === 3;

// 1. The run's trace: what the fleet would have recorded (not the join's cost).
const rssBefore = process.memoryUsage().rss;
const trace = step('trace store filled (the run’s, not the join’s)', `${CLIENTS * (1 + FRAMES)} requests`, () => {
  const t = new RequestTrace();
  const batch = 1000;
  const rec = new Float64Array(batch * (1 + FRAMES) * TRACE_RECORD_WIDTH);
  for (let from = 0; from < CLIENTS; from += batch) {
    let i = 0;
    for (let c = from; c < Math.min(CLIENTS, from + batch); c++) {
      const at = T0 + c * 5;
      rec.set([TRACE_CONNECT, c, 0, 0, 0, at, at + 40 + (c % 97), -1], i);
      i += TRACE_RECORD_WIDTH;
      const what = [FRAME_JOIN, FRAME_SEND, FRAME_KEEPALIVE, FRAME_KEEPALIVE];
      for (let f = 1; f <= FRAMES; f++) {
        const fat = at + 1000 * f;
        rec.set([TRACE_FRAME, c, 0, f, what[f - 1], fat, fat + 20 + (c % 31), what[f - 1] === FRAME_SEND ? c : -1], i);
        i += TRACE_RECORD_WIDTH;
      }
    }
    t.addTrace(0, rec.subarray(0, i));
  }
  // each send reaches the other members of its room
  const del = new Float64Array((ROOM - 1) * 3 * batch);
  for (let from = 0; from < CLIENTS; from += batch) {
    let i = 0;
    for (let c = from; c < Math.min(CLIENTS, from + batch); c++) {
      for (let m = 1; m < ROOM; m++) {
        del[i++] = 0;
        del[i++] = c;
        del[i++] = 30_000 + ((c * m) % 50_000);
      }
      t.addCompletion(messageKey(0, c), 90_000);
    }
    t.addDeliveries(del.subarray(0, i));
  }
  return t;
});
const requests = trace.requests();
const deliveries = trace.deliveries();
const rssTrace = process.memoryUsage().rss;

const join = new AttributionJoin(requests, deliveries, trace.completions(), {
  runId: RUN,
  source: { accessLog: 'enable', logGroup: '/fanout-bench/access' },
  routeFunctions: { $connect: 'connect', joinRoom: 'join', sendMessage: 'send', $default: 'default' },
  local: true,
});

// 2. Access lines, one string at a time, read in the stage's format and fed to the join.
const format = accessLogFormat(HARNESS_ACCESS_LOG_FORMAT);
const line = (eventType: string, route: string, client: number, at: number, inv: number) =>
  JSON.stringify({
    requestId: `r${hex(inv, 10)}=`,
    messageId: eventType === 'MESSAGE' ? `m${hex(inv, 10)}=` : '-',
    connectionId: connectionId(client),
    eventType,
    routeKey: route,
    requestTimeEpoch: String(at),
    status: '200',
    integrationRequestId: invocationId(inv),
    integrationLatency: '35',
    userAgent: eventType === 'CONNECT' ? clientUserAgent(RUN, client, 0) : 'fanout-bench',
  });
const routes = ['joinRoom', 'sendMessage', '$default', '$default'];
const reportText = (n: number) =>
  `REPORT RequestId: ${invocationId(n)}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 78 MB\t${cold(n) ? 'Init Duration: 210.5 ms\t' : ''}`;
// what making the strings costs the bench itself, to take out of the steps that read them
let made = 0;
step('(the bench making access lines, not the join)', `${CLIENTS * (1 + FRAMES)} lines`, () => {
  for (let c = 0; c < CLIENTS; c++) {
    const at = T0 + c * 5;
    made += line('CONNECT', '$connect', c, at + 10, c).length;
    for (let f = 1; f <= FRAMES; f++) made += line('MESSAGE', routes[f - 1], c, at + 1000 * f + 2, CLIENTS + c * FRAMES + f - 1).length;
  }
});
step('(the bench making REPORT lines, not the join)', `${CLIENTS * (1 + FRAMES)} lines`, () => {
  for (let n = 0; n < CLIENTS * (1 + FRAMES); n++) made += reportText(n).length;
});
step('access lines: made, parsed and added', `${CLIENTS * (1 + FRAMES)} lines`, () => {
  for (let c = 0; c < CLIENTS; c++) {
    const at = T0 + c * 5;
    join.addAccessLine(format.parse(line('CONNECT', '$connect', c, at + 10, c))!);
    for (let f = 1; f <= FRAMES; f++) join.addAccessLine(format.parse(line('MESSAGE', routes[f - 1], c, at + 1000 * f + 2, CLIENTS + c * FRAMES + f - 1))!);
    if (c % 20_000 === 0) sampleHeap();
  }
});

// 3. REPORT lines: one per invocation, each read and given to the join if it wants it.
const invocations = CLIENTS * (1 + FRAMES);
step('REPORT lines: made, parsed, wanted, added', `${invocations} lines`, () => {
  for (let n = 0; n < invocations; n++) {
    const r = parseAnyReport(reportText(n))!;
    if (join.wants(r.requestId)) join.addInvocation(r.requestId, { cold: r.initDurationMs !== undefined, ...(r.initDurationMs !== undefined ? { initDurationMs: r.initDurationMs } : {}) });
  }
});
step('host waits added', `${invocations / 10} lines`, () => {
  for (let n = 0; n < invocations; n++) if (waited(n)) join.addHostWait(invocationId(n), 120);
});

// 4. The join.
const out = step('join finished', `${requests.count} requests, ${deliveries.count} deliveries`, () => join.finish());
const a = out.attribution;

const usage = process.resourceUsage();
// the join's: every step after the trace, less the bench's own making of the strings
const making = steps[1].cpuS + steps[2].cpuS;
const total = steps.slice(3).reduce((s, x) => s + x.cpuS, 0) - making;
console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model.trim()}, Node ${process.version}, load ${loadavg()[0].toFixed(2)}`);
for (const s of steps) console.log(`${s.step.padEnd(48)} ${s.cpuS.toFixed(2).padStart(6)} CPU-s   (${s.note})`);
console.log(`${'the join (the steps after, less making the lines)'.padEnd(48)} ${total.toFixed(2).padStart(6)} CPU-s   (${mb(made)} MB of lines made, their making taken out)`);
console.log(`peak RSS ${mb(usage.maxRSS * 1024)} MB (before the trace ${mb(rssBefore)} MB, with the trace filled ${mb(rssTrace)} MB); peak heap used ${mb(heapPeak)} MB`);
console.log(
  `timed ${a.requests.timed}, attributed ${a.requests.attributed}, unattributed ${a.requests.unattributed}; connect cold ${a.connect?.cold?.count} warm ${a.connect?.warm?.count}; ` +
    `broadcast cold ${a.broadcast?.cold?.count} warm ${a.broadcast?.warm?.count}; routes ${a.routes.length}; cold points ${a.coldPoints.length}; held back ${a.stack?.heldBack}/${a.stack?.invocations}`,
);
