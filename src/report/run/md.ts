import type { LatencySummary } from '../../contracts/results-schema.ts';
import type { JudgedResults } from '../../verdict/judged.ts';
import { checkState, type Verdict } from '../../contracts/verdict-schema.ts';
import { escapeMarkdown as md } from '../shared/escape.ts';
import { fmtDuration, fmtInt, fmtMs, fmtShare, fmtUsd, fmtValue } from '../../number-format.ts';
import { diffCells, OUTCOME_TEXT, REPEAT_FIGURE_LABELS, repeatRows, VERDICT_HEADLINE } from './verdict-text.ts';
import { explanationLines } from '../shared/explanation-lines.ts';
import { firstCause } from '../../diagnosis/first-cause.ts';
import { lossRule } from './loss-rule.ts';
import { workTable } from './work-table.ts';
import { pricesLabel } from './prices-label.ts';
import { unchargedTransfer } from '../../metrics/cost/uncharged-transfer.ts';
import { NO_CALL_TEXT } from './permissions-table.ts';
import type { AttributionModel } from './attribution-model.ts';
import { runPageModel } from './page-model.ts';
import { runtimeMarkdown } from './runtimes-text.ts';
import { pathMarkdown } from './path-section.ts';
import { hopsMarkdown } from './hops-section.ts';
import { publishRows } from './publish-model.ts';
import {
  coldMeansText,
  coldPointsText,
  FIGURE_LABEL,
  figuresMeanText,
  figuresText,
  hostHoldText,
  kindCells,
  KIND_HEAD,
  restoresText,
  ROUTE_HEAD,
  routeCells,
  routesMeansText,
  sourceText,
  STACK_FIRST_TEXT,
  TAIL_HEAD,
  TAIL_MEANS,
  tailCells,
  untracedText,
} from './cold-warm-text.ts';

/** A check's state in the table: one with nothing to judge is neither a pass nor a failure (its detail says why). */
const CHECK_MARK = { passed: '✅', failed: '❌', 'not judged': '➖' } as const;

/**
 * summary.md: the run at a glance for a CI job summary (GitHub step summary): the verdict (checks,
 * thresholds, the comparison with a baseline), latency table, deliveries, errors, cost, warnings.
 * Pure: it shows the stored verdict. Target- or user-controlled text is escaped (GitHub renders
 * inline HTML in Markdown).
 */
const VERDICT_MARK: Record<Verdict['outcome'], string> = { pass: '✅', fail: '❌', 'run-failed': '❌', interrupted: '⚠️' };
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const OUTCOME_MARK = { pass: '✅', fail: '❌', 'no-data': '❔', 'within-noise': '〰️' } as const;

export function renderSummaryMarkdown(results: JudgedResults): string {
  const r = results;
  const v = r.verdict;
  const checks = v.checks;
  const out: string[] = [];
  out.push(`## fanout-bench: ${md(r.scenario.name)} — ${VERDICT_MARK[v.outcome]} ${VERDICT_HEADLINE[v.outcome]}`, '');
  out.push(
    `**${md(r.status)}** · ${fmtDuration(r.durationMs)} · ${md(r.config.target.kind)} \`${r.config.target.url.replace(/`/g, "'")}\` · ${fmtInt(r.config.clients)} clients in ${fmtInt(r.config.rooms)} rooms · run \`${r.runId.replace(/`/g, "'")}\``,
    '',
  );
  // the page's facts, computed once (page-model.ts): the console, index.html and junit.xml render the same
  const page = runPageModel(r);
  // the headline: the stack's figures first where the local host held anything back (attribution-model.ts)
  const model = page.attribution;
  const hold = hostHoldText(model);
  if (model.stackFirst) {
    out.push(`${model.headline.map((f) => `${f.label} p99 **${figuresText(f, 'p99')}** (p50 ${figuresText(f, 'p50')})`).join(' · ')}  `, `${md(STACK_FIRST_TEXT)}`, '');
  } else if (hold) out.push(`${model.headline.map((f) => `${f.label} p99 **${figuresText(f, 'p99')}** (p50 ${figuresText(f, 'p50')})`).join(' · ')}: the host ${md(hold)}`, '');
  if (page.unservedCalls.length > 0) out.push('> [!CAUTION]', '> Called AWS services this emulator does not run:', ...page.unservedCalls.map((l) => `> - ${md(l)}`), '');
  const cause = firstCause(v);
  if (cause) out.push('> [!CAUTION]', `> Why: ${md(cause.check)}. ${md(cause.line)} (what would move it: ${md(cause.remedy)})`, '');
  if (r.harness.saturated) out.push('> [!WARNING]', '> The harness was saturated: these numbers describe the harness, not the system under test.', '');
  const hostWarnings = page.hostWarnings;
  if (model.stackFirst) {
    out.push('> [!WARNING]', `> The local host held the stack back: it ${md(hold!)}. A client that waited on it saw the emulator's host queueing, which AWS would not have: the figures give the stack's latency first (${FIGURE_LABEL.stack}), the client's beside it (${FIGURE_LABEL.client}).`, ...hostWarnings.map((w) => `> - ${md(w)}`), '');
  } else if (hostWarnings.length > 0) {
    out.push('> [!WARNING]', "> The local host held the stack back: where a client waited on it, its latency includes the emulator's host queueing, which AWS would not have.", ...hostWarnings.map((w) => `> - ${md(w)}`), '');
  }
  if (r.status !== 'completed') out.push('> [!CAUTION]', `> Run ${md(r.status)}${r.statusReason ? `: ${md(r.statusReason)}` : ''}`, '');

  out.push(`Verdict: ${md(v.summary)}`, '');
  out.push('| check | result | detail |', '|---|:---:|---|');
  for (const c of checks) out.push(`| ${md(c.name)} | ${CHECK_MARK[checkState(c)]} | ${md(c.detail)} |`);
  out.push('');
  if (v.explanations?.length) {
    out.push('### Why', '');
    for (const e of v.explanations) out.push(`- **${e.kind === 'threshold' ? `threshold ${md(e.check)}` : md(e.check)}**`, ...explanationLines(e).map((l) => `  - ${md(l)}`));
    out.push('');
  }
  if (v.thresholds.length > 0) {
    out.push('### Thresholds', '', '| threshold | result | this run | limit | detail | from |', '|---|:---:|---:|---:|---|---|');
    for (const t of v.thresholds) {
      out.push(
        `| ${md(t.expression)} | ${OUTCOME_MARK[t.outcome]} ${OUTCOME_TEXT[t.outcome]} | ${fmtValue(t.observed, t.unit)} | ${t.limit === null ? '–' : `${md(t.op)} ${fmtValue(t.limit, t.unit)}`} | ${md(t.detail)} | ${md(t.source)} |`,
      );
    }
    out.push('');
  }
  if (v.baseline && v.diff) {
    out.push(
      `### Compared with the baseline`,
      '',
      `Baseline \`${v.baseline.runId.replace(/`/g, "'")}\` (${md(v.baseline.scenario)}, ${md(v.baseline.startedAt)}${v.baseline.runs > 1 ? `, ${v.baseline.runs} runs` : ''})`,
      '',
      '| metric | baseline | this run | change | verdict |',
      '|---|---:|---:|---:|---|',
    );
    for (const row of v.diff) {
      const [metric, base, cur, change, outcome] = diffCells(row);
      out.push(`| ${md(metric)} | ${base} | ${cur} | ${change} | ${row.outcome ? `${OUTCOME_MARK[row.outcome]} ${outcome}` : outcome} |`);
    }
    out.push('');
  }
  const repeats = repeatRows(v);
  if (repeats.length > 0) {
    out.push('### Repeats', '', `| run | status | ${REPEAT_FIGURE_LABELS.join(' | ')} | why |`, `|---|---|${REPEAT_FIGURE_LABELS.map(() => '---:|').join('')}---|`);
    for (const x of repeats) out.push(`| \`${x.runId.replace(/`/g, "'")}\` | ${md(x.status)} | ${x.figures.join(' | ')} | ${x.why.map((l) => md(l.trim())).join('<br>') || '–'} |`);
    out.push('');
  }
  if (v.notes.length > 0) out.push(...v.notes.map((n) => `- ${md(n)}`), '');

  out.push('### Latency', '', '| metric | count | p50 | p90 | p99 | max |', '|---|---:|---:|---:|---:|---:|');
  const row = (name: string, s: LatencySummary | undefined) => {
    if (s) out.push(`| ${name} | ${fmtInt(s.count)} | ${fmtMs(s.p50)} | ${fmtMs(s.p90)} | ${fmtMs(s.p99)} | ${fmtMs(s.max)} |`);
  };
  for (const f of model.latencies) {
    if (f.stack) row(`${f.label} (${FIGURE_LABEL.stack})`, f.stack);
    row(f.stack ? `${f.label} (${FIGURE_LABEL.client})` : f.label, f.client);
  }
  if (!model.coldWarm) {
    row('connect (cold)', r.metrics.connectCold);
    row('broadcast (cold)', r.metrics.broadcastCold);
  }
  out.push('');
  if (model.coldWarm) out.push(...coldWarmMarkdown(model));
  const unseen = r.protocol?.notObservable ?? {};
  if (r.protocol) {
    out.push(`Protocol: ${md(r.protocol.name)} (${r.protocol.kind}, membership ${r.protocol.membership}${r.protocol.sendAcks ? '' : ', no acks'}). What it cannot show, or where such a figure came from instead:`, '');
    for (const [field, why] of Object.entries(unseen)) out.push(`- \`${field}\`: ${md(why)}`);
    out.push('');
  }

  const d = r.deliveries;
  const s = r.sends;
  out.push(
    '### Deliveries',
    '',
    `${fmtInt(d.received)} of ${fmtInt(d.expected)} expected received · **${fmtInt(d.lost)} lost** (${fmtShare(d.expected > 0 ? d.lost / d.expected : null)}) · ${fmtInt(d.duplicates)} duplicates · ${fmtInt(d.outOfOrder)} out of order  `,
    `Sends: ${fmtInt(s.intended)} intended · ${fmtInt(s.sent)} sent · ${unseen['sends.acked'] ? 'acknowledgements not observable' : `${fmtInt(s.acked)} acknowledged`} · ${fmtInt(s.failed)} failed · ${fmtInt(s.missedSlots)} left late  `,
    md(lossRule(r)),
  );
  const published = publishRows(r);
  if (published.length > 0) {
    out.push('', '| publish | calls | publish → delivery p50 | p90 | p99 | max | deliveries |', '|---|---|---:|---:|---:|---:|---|');
    for (const p of published) {
      const l = p.delivery;
      out.push(`| ${md(p.head)} | ${md(p.calls)} | ${l ? `${fmtMs(l.p50)} | ${fmtMs(l.p90)} | ${fmtMs(l.p99)} | ${fmtMs(l.max)}` : 'none arrived | | |'} | ${md(p.ledger)} |`);
    }
    for (const p of published) if (p.firstFailure) out.push('', `First refused publish: ${md(p.firstFailure)}`);
  }
  if (r.stale && !r.stale.source && unseen['stale.gone410']) out.push('', `Stale connections: ${fmtInt(r.stale.dropped)} dropped · 410s and time to clean not observable (see Protocol above)`);
  else if (r.stale) {
    const from = r.stale.source ? ` (from ${md(r.stale.source)})` : '';
    out.push('', `Stale connections: ${fmtInt(r.stale.dropped)} dropped · ${fmtInt(r.stale.gone410)} × 410 Gone · time to clean ${r.stale.timeToCleanMs === null ? 'never' : fmtMs(r.stale.timeToCleanMs)}${from}`);
  }
  out.push('');

  const errors = page.errors.kinds;
  out.push('### Errors', '', md(page.errors.line), '');
  if (errors.length > 0) {
    out.push('| kind | count |', '|---|---:|');
    for (const { kind, count } of errors.slice(0, 15)) out.push(`| ${md(kind)} | ${fmtInt(count)} |`);
    if (errors.length > 15) out.push(`| … ${errors.length - 15} more kinds | |`);
    out.push('');
  }

  // only when the plan passed a limit or a limit refused or closed something
  if (page.quotas) {
    const q = page.quotas;
    out.push('### Quotas', '', `Held against ${md(q.note)}.`, '', ...q.plan.map((l) => `- plan: ${md(l)}`), ...q.attributed.map((l) => `- **${md(l)}**`), '');
  }

  if (r.cloudwatch) {
    const lambda = Object.entries(r.cloudwatch.lambda).filter(([, t]) => t.invocations > 0);
    if (lambda.length > 0) {
      out.push('### Lambda (CloudWatch)', '', ...(page.thisHost ? [`${md(capital(page.thisHost))}.`, ''] : []), '| function | invocations | errors | throttles | p99 | cold starts | init p99 |', '|---|---:|---:|---:|---:|---:|---:|');
      for (const [fn, t] of lambda) {
        const rep = r.cloudwatch.reports[fn];
        out.push(`| ${md(fn)} | ${fmtInt(t.invocations)} | ${fmtInt(t.errors)} | ${fmtInt(t.throttles)} | ${fmtMs(t.durationP99Ms)} | ${rep ? `${fmtInt(rep.coldStarts)}${restoresText(rep)}` : '–'} | ${fmtMs(rep?.initDuration?.p99)} |`);
      }
      out.push('');
    }
  }

  out.push(...pathMarkdown(page.path));
  out.push(...hopsMarkdown(page.hops));
  out.push(...runtimeMarkdown(r));
  if (page.notEmulated.length > 0) out.push('### Not emulated', '', 'Paths into the stack\'s functions that this run did not take (the emulator does not run them):', '', ...page.notEmulated.map((l) => `- ${md(l)}`), '');
  if (page.notEmulatedResources.length > 0) out.push('### Resources not emulated', '', 'Resources of the template the emulator read but does not run:', '', ...page.notEmulatedResources.map((l) => `- ${md(l)}`), '');

  const work = workTable(r);
  if (work) {
    out.push('### Work per message (CloudWatch)', '', `| ${work.head.map(md).join(' | ')} |`, `|---|${work.head.slice(1).map(() => '---:').join('|')}|`);
    for (const row of work.rows) out.push(`| ${row.map(md).join(' | ')} |`);
    out.push('');
  }

  if (r.cost) {
    const c = r.cost;
    const old = unchargedTransfer(c);
    out.push(
      '### Cost (estimate)',
      '',
      ...(old ? ['> [!NOTE]', `> ${md(old.text)} \`${old.command}\` estimates it again without the line.`, ''] : []),
      `**${fmtUsd(c.totals.total)}** this run (Lambda ${fmtUsd(c.totals.lambda)} · API Gateway ${fmtUsd(c.totals.apiGateway)} · DynamoDB ${fmtUsd(c.totals.dynamodb)}${c.totals.dataTransfer !== undefined ? ` · data transfer out ${fmtUsd(c.totals.dataTransfer)}` : ''}${c.totals.path !== undefined ? ` · queued path ${fmtUsd(c.totals.path)}` : ''}${c.totals.secretsManager !== undefined ? ` · Secrets Manager ${fmtUsd(c.totals.secretsManager)}` : ''}) · ${fmtUsd(c.perMillionDeliveries)} per 1M deliveries · ${fmtUsd(c.perThousandUsersPerMonth)} per 1,000 users per month  `,
      `${md(pricesLabel(c.prices))}, Lambda ${md(c.architecture)}; sources: Lambda ${c.sources.lambda}, messages ${c.sources.messages}, DynamoDB ${c.sources.dynamodb}${c.sources.dataTransfer ? `, data transfer ${c.sources.dataTransfer}` : ''}`,
      '',
      ...(page.thisHost ? [`${md(capital(page.thisHost))}.`, ''] : []),
      ...c.lines.filter((l) => l.partial).map((l) => `- partial data: ${md(l.service)} ${md(l.item)} (${md(l.partial!)})`),
      ...(c.lines.some((l) => l.partial) ? [''] : []),
    );
  }

  const permissions = page.permissions;
  if (permissions) {
    out.push('### Permissions', '', 'What each function\'s role grants beside what the run used (IAM, IAM Access Analyzer).', '', '| function | role | grants unused | used | least privilege |', '|---|---|---:|---|---|');
    for (const p of permissions.rows) {
      const used = p.note ? md(p.note) : p.noCall ? md(NO_CALL_TEXT) : p.used.map(md).join('<br>');
      out.push(`| ${md(p.function)} | ${md(p.role)} | ${md(p.unusedCount)} | ${used} | ${p.policy ? `\`${p.policy.replace(/\|/g, '\\|')}\`` : '–'} |`);
    }
    out.push('');
    if (permissions.denied.length > 0) {
      out.push('Denied: the calls IAM refused (caught by the code or not), and posts to an API that is not the stack\'s.', '', '| function | call | count | why | statement that allows it |', '|---|---|---:|---|---|');
      for (const d of permissions.denied) out.push(`| ${md(d.function)} | ${md(d.call)} | ${md(d.count)} | ${md(d.why)} | ${d.statement ? `\`${d.statement.replace(/\|/g, '\\|')}\`` : '–'} |`);
      out.push('');
    }
  }

  const warnings = [...page.harnessWarnings.map((w) => `harness: ${md(w)}`), ...page.cloudwatchNotes.map(md)];
  if (warnings.length > 0) {
    out.push('### Warnings', '', ...warnings.map((w) => `- ${w}`), '');
  }
  return out.join('\n');
}

/** Cold against warm from results.attribution: per kind, the tail, what was not traced, per route, the notes. */
function coldWarmMarkdown(m: AttributionModel): string[] {
  const cw = m.coldWarm!;
  const tableOf = (head: string[], rows: string[][]) => [
    `| ${head.join(' | ')} |`,
    `|---|${head.slice(1).map(() => '---:').join('|')}|`,
    ...rows.map((cells) => `| ${cells.map(md).join(' | ')} |`),
  ];
  const points = coldPointsText(cw);
  return [
    '### Cold against warm',
    '',
    `From ${md(sourceText(cw))}. ${md(coldMeansText(cw))}; ${md(figuresMeanText(cw))}.`,
    '',
    ...tableOf(KIND_HEAD, cw.rows.map(kindCells)),
    '',
    `${md(TAIL_MEANS)}:`,
    '',
    ...tableOf(TAIL_HEAD, cw.rows.map(tailCells)),
    '',
    md(untracedText(cw)),
    '',
    ...(cw.routes.length ? [`${md(routesMeansText(m))}:`, '', ...tableOf(ROUTE_HEAD, cw.routes.map(routeCells)), ''] : []),
    ...[...cw.notes, ...(points ? [points] : [])].map((n) => `- ${md(n)}`),
    ...(cw.notes.length || points ? [''] : []),
  ];
}
