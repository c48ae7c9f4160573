import type { LatencySummary, Results } from '../../contracts/results-schema.ts';
import { localHostWarnings } from '../../metrics/cloudwatch/local-host.ts';
import { verdictLines } from './verdict-text.ts';
import { formatDuration } from '../../contracts/duration.ts';
import { pricesLabel } from './prices-label.ts';
import { attributeQuotas } from '../../metrics/results/quota-attribution.ts';
import { permissionsLine, permissionsRows } from './permissions-table.ts';
import { attributionModel, type AttributionModel, type LatencyFigures } from './attribution-model.ts';
import { coldMeansText, coldPointsText, figuresMeanText, hostHoldText, KIND_LABEL, routeText, rowText, sourceText, STACK_FIRST_TEXT, summaryText, untracedText } from './cold-warm-text.ts';

function lat(name: string, s: LatencySummary | undefined): string | undefined {
  if (!s || s.count === 0) return undefined;
  return `  ${name.padEnd(12)} n=${s.count}  p50 ${s.p50}ms  p90 ${s.p90}ms  p99 ${s.p99}ms  max ${s.max}ms`;
}

/** The local emulator's host: how busy, what the stack used, how many invocations it held back. */
function localHostLine(r: Results): string | undefined {
  const host = r.cloudwatch?.localHost;
  if (!host) return undefined;
  const pct = (v: number | null) => (v === null ? '?' : `${Math.round(v)}%`);
  const held = Object.values(host.heldBack).reduce((n, b) => n + b.count, 0);
  return `  local host   busy avg ${pct(host.hostBusyAvgPercent)} peak ${pct(host.hostBusyPeakPercent)}  stack cpu ${(host.stackCpuMs / 1000).toFixed(1)}s  held back ${held} invocations`;
}

/** A latency: the stack's line first and the client's under it where the host held anything back, else the one line as always. */
function figures(name: string, f: LatencyFigures | undefined, fallback: LatencySummary | undefined): string[] {
  if (!f?.stack) return [lat(name, fallback)].filter((l) => l !== undefined);
  return [`  ${name.padEnd(12)} stack  ${summaryText(f.stack)}`, `  ${''.padEnd(12)} client ${summaryText(f.client)}`];
}

/** Cold against warm from results.attribution: where from, per kind, what was not traced, per route, the notes. */
function coldWarmLines(m: AttributionModel): string[] {
  const cw = m.coldWarm!;
  const points = coldPointsText(cw);
  return [
    `  cold/warm    from ${sourceText(cw)}; ${coldMeansText(cw)}; ${figuresMeanText(cw)}`,
    ...cw.rows.map((row) => `    ${KIND_LABEL[row.kind].padEnd(10)} ${rowText(row)}`),
    `    traced     ${untracedText(cw)}`,
    ...cw.routes.map((route) => `    route      ${routeText(route)}`),
    ...cw.notes.map((n) => `    note       ${n}`),
    ...(points ? [`    note       ${points}`] : []),
  ];
}

/**
 * The summary a run prints on stdout when it ends: status, latencies, accounting, errors, the
 * harness's health, warnings, the cost, the verdict, and where results.json is. Pure: results in,
 * text out.
 */
export function consoleSummary(r: Results, file: string): string {
  const lines: (string | undefined)[] = [];
  const secs = (r.durationMs / 1000).toFixed(1);
  lines.push(`fanout-bench ${r.scenario.name}: ${r.status} in ${secs}s against ${r.config.target.kind} ${r.config.target.url}${r.statusReason ? ` (${r.statusReason})` : ''}`);
  const unseen = r.protocol?.notObservable ?? {};
  if (r.protocol) lines.push(`  protocol     ${r.protocol.name} (${r.protocol.kind}, membership ${r.protocol.membership}${r.protocol.sendAcks ? '' : ', no acks'})`);
  // the stack's latency first where the local host held anything back (attribution-model.ts)
  const model = attributionModel(r);
  const fig = (key: LatencyFigures['key']) => model.latencies.find((l) => l.key === key);
  const hold = hostHoldText(model);
  if (hold) lines.push(`  host         ${model.stackFirst ? '' : 'the host '}${hold}${model.stackFirst ? `: ${STACK_FIRST_TEXT}` : ''}`);
  lines.push(...figures('connect', fig('connect'), r.metrics.connect));
  if (!model.coldWarm) {
    lines.push(unseen['metrics.connectCold'] ? `  cold/warm    ${unseen['metrics.connectCold']}` : lat('  cold', r.metrics.connectCold));
    if (!unseen['metrics.connectWarm']) lines.push(lat('  warm', r.metrics.connectWarm));
  }
  if (unseen['metrics.join']) lines.push(`  join         ${unseen['metrics.join']}`);
  else lines.push(...figures('join', fig('join'), r.metrics.join));
  lines.push(...figures('ack', fig('ack'), r.metrics.ack));
  lines.push(...figures('broadcast', fig('broadcast'), r.metrics.broadcast));
  if (!model.coldWarm) {
    lines.push(lat('  cold', r.metrics.broadcastCold));
    lines.push(lat('  warm', r.metrics.broadcastWarm));
  }
  lines.push(...figures('fan-out', fig('fanoutCompletion'), r.metrics.fanoutCompletion));
  if (model.coldWarm) lines.push(...coldWarmLines(model));
  const s = r.sends;
  lines.push(`  sends        intended ${s.intended}  sent ${s.sent}  acked ${unseen['sends.acked'] ? 'not observable (no acks)' : s.acked}  failed ${s.failed}  missed slots ${s.missedSlots}${s.cutOffByReconnect || s.skippedWhy?.reconnecting ? `  skipped during reconnect ${(s.cutOffByReconnect ?? 0) + (s.skippedWhy?.reconnecting ?? 0)}` : ''}`);
  const d = r.deliveries;
  const lossRule = d.lossTimeoutMs === undefined ? '' : ` (loss timeout ${formatDuration(d.lossTimeoutMs)})  late ${d.late ?? 0} (>${formatDuration(d.graceMs ?? 0)} after ack)`;
  lines.push(`  deliveries   expected ${d.expected}  received ${d.received}  lost ${d.lost}${lossRule}  duplicates ${d.duplicates}  out-of-order ${d.outOfOrder}`);
  const rc = r.reconnects;
  if (rc) {
    const l = rc.latency;
    lines.push(
      `  reconnects   went away ${rc.wentAway}  back ${rc.reconnected} (away p50 ${l.p50}ms  p99 ${l.p99}ms  max ${l.max}ms)  failed attempts ${rc.failedAttempts}  gave up ${rc.gaveUp}  missed during reconnect ${d.missedDuringReconnect ?? 0}`,
    );
  }
  // figures from the acks, or from the target's own view (source); otherwise why they cannot be shown
  if (r.stale && !r.stale.source && unseen['stale.gone410']) lines.push(`  stale        dropped ${r.stale.dropped}  410s, time to clean, wasted posts: ${unseen['stale.gone410']}`);
  else if (r.stale) {
    const clean = r.stale.timeToCleanMs === null ? 'never clean' : `clean after ${r.stale.timeToCleanMs}ms`;
    lines.push(`  stale        dropped ${r.stale.dropped}  410s ${r.stale.gone410}  ${clean}  wasted posts ${r.stale.wastedPosts}`);
    if (r.stale.source) lines.push(`               from ${r.stale.source}`);
  }
  const errs = Object.entries(r.errors);
  lines.push(`  errors       ${errs.length === 0 ? 'none' : errs.map(([k, v]) => `${k}=${v}`).join('  ')}`);
  // the limits the plan passes, then the refusals and closes each limit caused
  for (const l of r.quotas?.plan ?? []) lines.push(`  plan         ${l}`);
  for (const l of attributeQuotas(r)) lines.push(`  quota        ${l}`);
  const lr = r.environment.lambdaRuntime;
  if (lr && lr.nodeFunctions !== false) lines.push(`  lambda       ${lr.runtime} on Node ${lr.node}${lr.matches ? '' : ' (not its Node: a fallback)'}`);
  for (const other of lr?.others ?? []) lines.push(`  lambda       ${other}`);
  const h = r.harness;
  lines.push(`  harness      ${h.shards} shards  cpu ${h.cpuSeconds}s  lag p99 ${h.eventLoopLagP99Ms}ms  rss ${h.rssMB}MB${h.saturated ? '  SATURATED' : ''}`);
  const hot = (r.phases ?? []).filter((p) => p.saturated).map((p) => p.name);
  if (h.saturated && hot.length > 0) lines.push(`  saturated    during ${hot.join(', ')}; the other phases' numbers are the system's`);
  for (const w of h.warnings) lines.push(`  warning: ${w}`);
  lines.push(localHostLine(r));
  for (const w of localHostWarnings(r)) lines.push(`  warning: ${w}`);
  if (r.cost) {
    const c = r.cost;
    const perM = c.perMillionDeliveries === null ? '' : `  ($${c.perMillionDeliveries.toFixed(2)} per million deliveries)`;
    lines.push(`  cost         ≈ $${c.totals.total.toFixed(4)} at ${pricesLabel(c.prices)}${perM}`);
    const dt = c.lines.find((l) => l.service === 'Data transfer');
    if (dt) lines.push(`  transfer out ${dt.quantity.toFixed(3)} GB to the clients ≈ $${dt.cost.toFixed(4)} of it`);
  }
  // each function's role: the grants the run used none of, one line per function that has some
  // and made a call; a function the run never had call AWS says nothing of its grants, so one line names them all
  const permissions = permissionsRows(r.permissions);
  for (const row of permissions.filter((x) => x.unused.length > 0 && x.used.length > 0)) lines.push(`  permissions  ${permissionsLine(row)}`);
  const idle = permissions.filter((x) => x.note === undefined && x.used.length === 0);
  if (idle.length > 0) lines.push(`  permissions  no AWS call in the run, so no grant judged: ${idle.map((x) => x.function).join(', ')}`);
  const blind = permissions.filter((x) => x.note !== undefined);
  if (blind.length > 0) lines.push(`  permissions  not observable for ${blind.length} of ${permissions.length} functions: ${blind[0]!.note}`);
  // the verdict once the run is judged (src/verdict): its headline, and what did not pass
  if (r.verdict) lines.push(...verdictLines(r.verdict));
  lines.push(`results: ${file}`);
  return `${lines.filter((l) => l !== undefined).join('\n')}\n`;
}
