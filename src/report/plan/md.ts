import type { FunctionWork, Plan } from '../../analyses/plan/plan-schema.ts';
import { fmtInt, fmtNum, fmtRoomSize, fmtUsd } from '../../number-format.ts';
import { escapeMarkdown } from '../shared/escape.ts';
import { planPageModel, type PlanPageModel } from './page-model.ts';

/**
 * summary.md of a plan, numbers first: the total for the period and the first limit to break,
 * the headroom at the peak and the first break along each axis, the cost by line, the work model
 * with where each figure came from, then (a run's own traffic) measured beside planned, and the
 * notes. Pure; a rendering of the page's model (page-model.ts), as the console and index.html are.
 */
// eslint-disable-next-line no-control-regex
const md = (v: unknown) => escapeMarkdown(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

export function renderPlanMarkdown(p: Plan, m: PlanPageModel = planPageModel(p)): string {
  const t = p.traffic;
  const out: string[] = [];
  out.push(`## fanout-bench plan: ${m.total} per ${md(m.period)}`, '');
  if (m.firstBreak) out.push(`**${md(`first to break: ${m.firstBreak.line}`)}**${m.firstBreak.moves ? `  \n${md(`what moves it: ${m.firstBreak.moves}`)}` : ''}`, '');
  out.push(
    t.source === 'flags'
      ? `${fmtInt(t.connections)} connections · rooms of ${fmtRoomSize(t.roomSize)} · ${fmtNum(t.messagesPerS)} messages/s · ${fmtNum(t.connectsPerS)} connects/s${t.sessionSec ? ` (sessions of ${fmtNum(t.sessionSec / 60)} min)` : ''}`
      : `run ${md(p.check?.runId ?? p.workModel.runs[0]?.runId)} at its own traffic: ${fmtInt(t.connections)} connections at peak · rooms of ${fmtRoomSize(t.roomSize)} · ${fmtNum(t.messagesPerS)} messages/s`,
    `${md(m.region)} prices of ${md(m.pricesAsOf)} (${md(m.pricesSource)}), Lambda ${m.architecture}`,
    '',
    `| ${m.totals.map((x) => x.service).join(' | ')} | total |`,
    `|${m.totals.map(() => '---:|').join('')}---:|`,
    `| ${m.totals.map((x) => x.cost).join(' | ')} | **${m.total}** |`,
    '',
  );
  if (m.emulator) {
    const e = m.emulator;
    out.push('> [!NOTE]', `> ${md(e.where[0]!.toUpperCase() + e.where.slice(1))} (${md(e.runs.join(', '))}): ${md(e.line)}.`, '');
  }
  out.push(...limitsSection(m), ...loadHostsSection(m));
  out.push(
    '### Cost by line',
    '',
    '| service | item | quantity | unit | cost | source |',
    '|---|---|---:|---|---:|---|',
  );
  for (const l of m.costLines) out.push(`| ${l.service} | ${md(l.item)}${l.note ? ` (${md(l.note)})` : ''}${l.partial ? ` — ${md(l.partial)}` : ''} | ${l.quantity} | ${md(l.unit)} | ${l.cost}${l.tiered ? ' (volume tiers)' : ''} | ${l.source} |`);

  const w = p.workModel;
  out.push('', '### Work model', '', `From ${w.runs.map((r) => `${md(r.runId)} (${r.measuredOn}, rooms of ${fmtRoomSize(r.roomSize)}, ${fmtNum(r.durationSec)} s)`).join(', ')}: ${fmtInt(w.counts.connects)} connects, ${fmtInt(w.counts.rooms)} rooms, ${fmtInt(w.counts.joins)} joins, ${fmtInt(w.counts.messages)} messages, ${fmtInt(w.counts.recipients)} recipients.`, '');
  out.push('| function | per | invocations per | billed ms | memory | source | runs |', '|---|---|---:|---:|---:|---|---|');
  for (const f of w.functions) out.push(`| ${md(f.name)} | ${f.per} | ${fmtNum(f.invocationsPer)} | ${fmtNum(f.billedMsPer)} per ${f.billedMsPerUnit} | ${memoryText(f)} | ${sourceText(f)} | ${md(f.runs.join(', '))} |`);
  for (const fit of m.fits) {
    out.push(
      '',
      `${md(fit.function)} against recipients (least squares over ${fit.sizes}): **${md(fit.line)}**, r² ${fit.r2}`,
      '',
      '| recipients | billed ms per invocation | on the line | runs |',
      '|---:|---:|---:|---|',
      ...fit.points.map((pt) => `| ${pt.recipients} | ${pt.billedMs} | ${pt.onTheLine} | ${md(pt.runs)} |`),
    );
  }
  out.push('', `| DynamoDB units per | read | write |`, '|---|---:|---:|');
  for (const u of w.dynamodb.perOperation) out.push(`| ${u.operation} | ${fmtNum(u.readUnits)} | ${fmtNum(u.writeUnits)} |`);
  out.push(
    '',
    `DynamoDB: ${w.dynamodb.source === 'cloudwatch' ? `measured (AWS/DynamoDB, ${md(w.dynamodb.runs.join(', '))}), split over the routes by the per-route model (read × ${fmtNum(w.dynamodb.readScale)}, write × ${fmtNum(w.dynamodb.writeScale)})` : 'the per-route assumptions (nothing measured)'}; ${fmtNum(w.dynamodb.gonePerMessage)} gone connections per message. Posts per recipient ${fmtNum(w.posts.perRecipient)} (${w.posts.source}); ${fmtInt(Math.round(w.bytes.perPost))} bytes per post (${w.bytes.source}); ${fmtNum(w.joinsPerConnect)} joins per connect.`,
  );

  if (p.check) {
    const k = p.check;
    out.push('', `### Measured beside planned (${md(k.runId)})`, '', '| function | measured invocations | planned |', '|---|---:|---:|');
    for (const i of k.invocations) out.push(`| ${md(i.function)} | ${fmtNum(i.measured)} | ${fmtNum(i.planned)} |`);
    out.push('', '| line | measured quantity | planned | measured cost | planned |', '|---|---:|---:|---:|---:|');
    for (const l of k.lines) out.push(`| ${l.service}: ${md(l.item)} | ${fmtNum(l.quantity.measured)} | ${fmtNum(l.quantity.planned)} | ${fmtUsd(l.cost.measured)} | ${fmtUsd(l.cost.planned)} |`);
    out.push(`| **total** | | | ${m.check!.measured} | ${m.check!.planned} |`);
  }
  if (m.notes.length > 0) out.push('', '### Notes', '', ...m.notes.map((n) => `- ${md(n)}`));
  return `${out.join('\n')}\n`;
}

/** The headroom at the peak (the tightest first), and the first break along each axis. */
function limitsSection(m: PlanPageModel): string[] {
  const out: string[] = [];
  if (m.headroom.length > 0) {
    out.push('### Headroom at the peak', '', '| limit | needs | of | unit | share | how | limit from |', '|---|---:|---:|---|---:|---|---|');
    for (const h of m.headroom) {
      out.push(`| ${md(h.label)} | ${h.needsValue} | ${h.of} | ${md(h.unit)} | ${h.exceeded ? '**' : ''}${h.share}${h.exceeded ? '**' : ''} | ${md(h.how)} | ${md(h.limitSource)} |`);
    }
    out.push('');
  }
  if (m.growth.length > 0) {
    out.push('### The first limit to break, by what grows', '', '| grown | first to break | what moves it |', '|---|---|---|');
    for (const g of m.growth) out.push(`| ${g.axis} | ${md(g.line)} | ${md(g.moves ?? '')} |`);
    out.push('');
  }
  return out;
}

/** The load hosts a rehearsal of the peak needs, by host size, and the Artillery workers. */
function loadHostsSection(m: PlanPageModel): string[] {
  const l = m.loadHosts;
  if (!l) return [];
  return [
    `### Load hosts ${md(l.rehearsal)}`,
    '',
    '| host | connections a host | deliveries/s a host | hosts | bound by | why |',
    '|---|---:|---:|---:|---|---|',
    ...l.sizes.map((s) => `| ${md(s.host)} | ${s.connectionsPerHost} (${s.connectionsBy}) | ${s.deliveriesPerHostPerS} | **${s.hosts}** | ${s.binding} | ${md(s.why)}${s.pastPorts ? `; ${md(s.pastPorts)}` : ''} |`),
    '',
    md(l.artillery),
    '',
    ...l.notes.map((n) => `- ${md(n)}`),
    '',
  ];
}

function memoryText(f: FunctionWork): string {
  return f.memoryMB === f.measuredMemoryMB ? `${fmtInt(f.memoryMB)} MB` : `${fmtInt(f.memoryMB)} MB (measured at ${fmtInt(f.measuredMemoryMB)})`;
}

function sourceText(f: FunctionWork): string {
  const where = f.measuredOn.includes('emulator') ? 'emulator: host durations' : 'AWS';
  return `${f.invocationsSource === f.billedSource ? f.billedSource : `${f.invocationsSource} / ${f.billedSource}`}, ${where}`;
}
