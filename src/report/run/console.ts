import type { LatencySummary, Results } from '../../contracts/results-schema.ts';
import { verdictLines } from './verdict-text.ts';
import { notEmulatedResourcesLine } from '../../../common/not-emulated-paths.ts';
import { costLine, deliveriesLine, errorLines, headlineLine, sendsLine } from './console-figures.ts';
import { deniedLine } from './denied-table.ts';
import { NO_CALL_TEXT, permissionsLine } from './permissions-table.ts';
import type { AttributionModel, LatencyFigures } from './attribution-model.ts';
import { runPageModel, type PermissionFacts, type RunPageModel } from './page-model.ts';
import { CONSOLE_WIDTH, consoleLines } from '../shared/console-lines.ts';
import { runtimeConsoleLines } from './runtimes-text.ts';
import { pathLine } from './path-model.ts';
import { publishRows } from './publish-model.ts';
import { coldMeansText, coldPointsText, figuresMeanText, hostHoldText, KIND_LABEL, routeText, rowText, sourceText, STACK_FIRST_TEXT, summaryText, tailText, untracedText } from './cold-warm-text.ts';
import { fmtInt, fmtMs, fmtNum, fmtPercent, fmtUsd } from '../../number-format.ts';

function lat(name: string, s: LatencySummary | undefined): string | undefined {
  if (!s || s.count === 0) return undefined;
  return `  ${name.padEnd(12)} ${summaryText(s)}`;
}

/** The local emulator's host: how busy, what the stack used, how many invocations it held back. */
function localHostLine(m: RunPageModel): string | undefined {
  const host = m.host;
  if (!host) return undefined;
  return `  local host   busy avg ${fmtPercent(host.busyAvgPercent)} peak ${fmtPercent(host.busyPeakPercent)}  stack cpu ${fmtNum(host.stackCpuMs / 1000)} s  held back ${fmtInt(host.heldTotal)} invocations`;
}

/** A line's closing parenthesis on a line of its own under it: "from X (how, where)" → "from X", "how, where". */
function parenApart(line: string, indent: string): string[] {
  const m = /^(.*?) \((.*)\)$/.exec(line);
  return m ? [m[1]!, `${indent}${m[2]}`] : [line];
}

/** A why line's remedy on a line of its own under it, so neither is cut at a terminal's width. */
function remedyApart(line: string): string[] {
  const m = /^( *)(why: .*) \(what would move it: (.*)\)$/.exec(line);
  return m ? [`${m[1]}${m[2]}`, `${m[1]}  what would move it: ${m[3]}`] : [line];
}

/** A list summarised on one line: the first few names, then how many more. */
function someOf(names: readonly string[], shown = 3): string {
  return names.length > shown ? `${names.slice(0, shown).join(', ')}, … ${names.length - shown} more` : names.join(', ');
}

/** The permission findings (page-model.ts), one line per kind of finding, each list summarised; the whole in summary.md. */
function permissionLines(p: PermissionFacts | undefined): string[] {
  if (!p) return [];
  const lines: string[] = [];
  const wide = p.judged.filter((x) => x.unused.length > 0);
  if (wide.length === 1) lines.push(`  permissions  ${permissionsLine(wide[0]!)}`);
  else if (wide.length > 1) lines.push(`  permissions  grants unused in ${wide.length} functions: ${someOf(wide.map((x) => `${x.function} ${x.unusedCount}`))} (each grant in summary.md)`);
  if (p.noCall.length > 0) lines.push(`  permissions  ${NO_CALL_TEXT}: ${someOf(p.noCall.map((x) => x.function))}`);
  if (p.notObservable.length > 0) lines.push(`  permissions  not observable for ${p.notObservable.length} of ${p.rows.length} functions: ${p.notObservable[0]!.note}`);
  // what IAM refused, before what was granted and unused: a caught denial is the run's cause
  const denied = p.denied.map((d) => `  denied       ${deniedLine({ ...d, statement: undefined })}`);
  if (denied.length > 0) lines.unshift(...denied.slice(0, 3), ...(denied.length > 3 ? [`  denied       … ${denied.length - 3} more (each with the statement that allows it in summary.md)`] : []));
  return lines;
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
    // one thing a line, so each fits a terminal
    ...parenApart(`  cold/warm    from ${sourceText(cw)}`, '               '),
    `               ${coldMeansText(cw)}`,
    `               ${figuresMeanText(cw)}`,
    // a kind's counts and latencies, its tail under it
    ...cw.rows.flatMap((row) => [`    ${KIND_LABEL[row.kind].padEnd(10)} ${rowText(row).slice(0, -(tailText(row).length + 2))}`, `               ${tailText(row)}`]),
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
export function consoleSummary(r: Results, file: string, width: number = CONSOLE_WIDTH): string {
  const page = runPageModel(r);
  const lines: (string | undefined)[] = [];
  lines.push(headlineLine(r));
  // a call to an AWS service the emulator does not run breaks whatever it was for: said first
  for (const l of page.unservedCalls) lines.push(`  not run here ${l}`);
  const unseen = r.protocol?.notObservable ?? {};
  if (r.protocol) lines.push(`  protocol     ${r.protocol.name} (${r.protocol.kind}, membership ${r.protocol.membership}${r.protocol.sendAcks ? '' : ', no acks'})`);
  // the stack's latency first where the local host held anything back (attribution-model.ts)
  const model = page.attribution;
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
  lines.push(sendsLine(r), deliveriesLine(r));
  // each publish phase: its calls, publish → delivery and its own ledger (publish-model.ts)
  for (const row of publishRows(r)) {
    lines.push(`  publish      ${row.head}`, `               ${row.calls}`);
    lines.push(`               publish → delivery ${row.delivery ? summaryText(row.delivery) : 'none arrived'}`, `               ${row.ledger}`);
    if (row.firstFailure) lines.push(`               first refusal: ${row.firstFailure}`);
  }
  const rc = r.reconnects;
  if (rc) {
    const l = rc.latency;
    lines.push(
      `  reconnects   went away ${fmtInt(rc.wentAway)}  back ${fmtInt(rc.reconnected)} (away p50 ${fmtMs(l.p50)}  p99 ${fmtMs(l.p99)}  max ${fmtMs(l.max)})  failed attempts ${fmtInt(rc.failedAttempts)}  gave up ${fmtInt(rc.gaveUp)}  missed during reconnect ${fmtInt(r.deliveries.missedDuringReconnect ?? 0)}`,
    );
  }
  // figures from the acks, or from the target's own view (source); otherwise why they cannot be shown
  if (r.stale && !r.stale.source && unseen['stale.gone410']) lines.push(`  stale        dropped ${fmtInt(r.stale.dropped)}  410s, time to clean, wasted posts: ${unseen['stale.gone410']}`);
  else if (r.stale) {
    const clean = r.stale.timeToCleanMs === null ? 'never clean' : `clean after ${fmtMs(r.stale.timeToCleanMs)}`;
    lines.push(`  stale        dropped ${fmtInt(r.stale.dropped)}  410s ${fmtInt(r.stale.gone410)}  ${clean}  wasted posts ${fmtInt(r.stale.wastedPosts)}`);
    if (r.stale.source) lines.push(`               from ${r.stale.source}`);
  }
  lines.push(...errorLines(page));
  // a queued fan-out's path, one line per hop (page-model.ts); its notes in summary.md
  if (page.path?.idle) lines.push(`  path         ${page.path.idle}`);
  else for (const row of page.path?.rows ?? []) lines.push(`  path         ${pathLine(row)}`);
  // the delivery latency split by hop (page-model.ts); its table in summary.md
  if (page.hops?.line) lines.push(`  hops         ${page.hops.line}`);
  // the limits the plan passes, then the refusals and closes each limit caused
  for (const l of page.quotas?.plan ?? []) lines.push(`  plan         ${l}`);
  for (const l of page.quotas?.attributed ?? []) lines.push(`  quota        ${l}`);
  lines.push(...runtimeConsoleLines(r));
  for (const l of page.notEmulated) lines.push(`  not emulated ${l}`);
  const notRun = r.config.target.notEmulatedResources ?? [];
  if (notRun.length > 0) lines.push(`  not emulated ${notEmulatedResourcesLine(notRun)}`);
  const h = r.harness;
  lines.push(`  harness      ${h.shards} shard${h.shards === 1 ? '' : 's'}  cpu ${fmtNum(h.cpuSeconds)} s  lag p99 ${fmtMs(h.eventLoopLagP99Ms)}  rss ${fmtInt(h.rssMB)} MB${h.saturated ? '  SATURATED' : ''}`);
  const hot = (r.phases ?? []).filter((p) => p.saturated).map((p) => p.name);
  if (h.saturated && hot.length > 0) lines.push(`  saturated    during ${hot.join(', ')}; the other phases' numbers are the system's`);
  for (const w of page.harnessWarnings) lines.push(`  warning: ${w}`);
  lines.push(localHostLine(page));
  for (const w of page.hostWarnings) lines.push(`  warning: ${w}`);
  if (page.cloudwatchNotes.length > 0) lines.push(`  cloudwatch   ${page.cloudwatchNotes.length} note${page.cloudwatchNotes.length === 1 ? '' : 's'} (in summary.md): ${page.cloudwatchNotes[0]}`);
  if (r.cost) {
    const c = r.cost;
    lines.push(costLine(r));
    if (page.thisHost) lines.push(`               ${page.thisHost}`);
    const dt = c.lines.find((l) => l.service === 'Data transfer');
    if (dt) lines.push(`  transfer out ${fmtNum(dt.quantity)} GB to the clients ≈ ${fmtUsd(dt.cost)} of it`);
  }
  // each function's role, as the page model finds it: one line per kind of finding, the lists summarised
  lines.push(...permissionLines(page.permissions));
  // the verdict once the run is judged (src/verdict): its headline, and what did not pass
  if (r.verdict) lines.push(...verdictLines(r.verdict).flatMap(remedyApart));
  lines.push(`results: ${file}`);
  // no line wider than the terminal (or 160): the whole of a shortened one is in summary.md
  return `${consoleLines(lines.filter((l) => l !== undefined), width, 'summary.md').join('\n')}\n`;
}
