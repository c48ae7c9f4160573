import type { FunctionWork, Plan } from '../../analyses/plan/plan-schema.ts';
import { fmtInt, fmtNum, fmtRoomSize, fmtUsd } from '../../number-format.ts';
import { escapeMarkdown } from '../shared/escape.ts';
import { AXIS_NAME, breakText, byShare, exceeded, firstBreakLines, shareText } from './limits-text.ts';
import { artilleryText, hostText, pastPortsText, rehearsalText } from './load-hosts-text.ts';

/**
 * summary.md of a plan, numbers first: the total for the period and the first limit to break,
 * the headroom at the peak and the first break along each axis, the cost by line, the work model
 * with where each figure came from, then (a run's own traffic) measured beside planned, and the
 * notes. Pure.
 */
// eslint-disable-next-line no-control-regex
const md = (v: unknown) => escapeMarkdown(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

export function renderPlanMarkdown(p: Plan): string {
  const t = p.traffic;
  const c = p.cost;
  const out: string[] = [];
  out.push(`## fanout-bench plan: ${fmtUsd(c.totals.total)} per ${md(t.periodLabel)}`, '');
  const first = firstBreakLines(p);
  if (first.length > 0) out.push(`**${md(first[0]!)}**${first[1] ? `  \n${md(first[1].trim())}` : ''}`, '');
  out.push(
    t.source === 'flags'
      ? `${fmtInt(t.connections)} connections · rooms of ${fmtRoomSize(t.roomSize)} · ${fmtNum(t.messagesPerS)} messages/s · ${fmtNum(t.connectsPerS)} connects/s${t.sessionSec ? ` (sessions of ${fmtNum(t.sessionSec / 60)} min)` : ''}`
      : `run ${md(p.check?.runId ?? p.workModel.runs[0]?.runId)} at its own traffic: ${fmtInt(t.connections)} connections at peak · rooms of ${fmtRoomSize(t.roomSize)} · ${fmtNum(t.messagesPerS)} messages/s`,
    `${md(c.region)} prices of ${md(c.pricesAsOf)} (${md(c.pricesSource)}), Lambda ${c.architecture}`,
    '',
    `| Lambda | API Gateway | DynamoDB | total |`,
    `|---:|---:|---:|---:|`,
    `| ${fmtUsd(c.totals.lambda)} | ${fmtUsd(c.totals.apiGateway)} | ${fmtUsd(c.totals.dynamodb)} | **${fmtUsd(c.totals.total)}** |`,
    '',
  );
  out.push(...limitsSection(p), ...loadHostsSection(p));
  out.push(
    '### Cost by line',
    '',
    '| service | item | quantity | unit | cost | source |',
    '|---|---|---:|---|---:|---|',
  );
  for (const l of c.lines) out.push(`| ${l.service} | ${md(l.item)}${l.note ? ` (${md(l.note)})` : ''} | ${fmtNum(l.quantity)} | ${md(l.unit)} | ${fmtUsd(l.cost)} | ${l.source} |`);

  const w = p.workModel;
  out.push('', '### Work model', '', `From ${w.runs.map((r) => `${md(r.runId)} (${r.measuredOn}, rooms of ${fmtRoomSize(r.roomSize)}, ${fmtNum(r.durationSec)} s)`).join(', ')}: ${fmtInt(w.counts.connects)} connects, ${fmtInt(w.counts.rooms)} rooms, ${fmtInt(w.counts.joins)} joins, ${fmtInt(w.counts.messages)} messages, ${fmtInt(w.counts.recipients)} recipients.`, '');
  out.push('| function | per | invocations per | billed ms | memory | source | runs |', '|---|---|---:|---:|---:|---|---|');
  for (const f of w.functions) out.push(`| ${md(f.name)} | ${f.per} | ${fmtNum(f.invocationsPer)} | ${fmtNum(f.billedMsPer)} per ${f.billedMsPerUnit} | ${memoryText(f)} | ${sourceText(f)} | ${md(f.runs.join(', '))} |`);
  for (const f of w.functions.filter((x) => x.fit)) {
    const fit = f.fit!;
    out.push(
      '',
      `${md(f.name)}, billed ms per invocation against recipients (least squares over ${fit.points.length} room sizes): **${fmtNum(fit.interceptMs)} + ${fmtNum(fit.perRecipientMs)} × recipients**, r² ${fmtNum(fit.r2)}`,
      '',
      '| recipients | billed ms per invocation | on the line | runs |',
      '|---:|---:|---:|---|',
      ...fit.points.map((pt) => `| ${fmtRoomSize(pt.recipients)} | ${fmtNum(pt.billedMsPerInvocation)} | ${fmtNum(fit.interceptMs + fit.perRecipientMs * pt.recipients)} | ${md(pt.runs.join(', '))} |`),
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
    out.push(`| **total** | | | ${fmtUsd(k.total.measured)} | ${fmtUsd(k.total.planned)} |`);
  }
  if (p.notes.length > 0) out.push('', '### Notes', '', ...p.notes.map((n) => `- ${md(n)}`));
  return `${out.join('\n')}\n`;
}

/** The headroom at the peak (the tightest first), and the first break along each axis. */
function limitsSection(p: Plan): string[] {
  const out: string[] = [];
  if (p.headroom.length > 0) {
    out.push('### Headroom at the peak', '', '| limit | needs | of | unit | share | how | limit from |', '|---|---:|---:|---|---:|---|---|');
    for (const h of byShare(p.headroom)) {
      out.push(`| ${md(h.label)} | ${fmtNum(h.needs)} | ${fmtNum(h.of)} | ${md(h.unit)} | ${exceeded(h) ? '**' : ''}${shareText(h.share)}${exceeded(h) ? '**' : ''} | ${md(h.how)} | ${md(h.limitSource)} |`);
    }
    out.push('');
  }
  if (p.growth.length > 0) {
    out.push('### The first limit to break, by what grows', '', '| grown | first to break | what moves it |', '|---|---|---|');
    for (const g of p.growth) out.push(`| ${AXIS_NAME[g.axis]} | ${md(breakText(g, p.headroom))} | ${md(g.firstBreak?.moves ?? '')} |`);
    out.push('');
  }
  return out;
}

/** The load hosts a rehearsal of the peak needs, by host size, and the Artillery workers. */
function loadHostsSection(p: Plan): string[] {
  const l = p.loadHosts;
  if (!l) return [];
  return [
    `### Load hosts ${md(rehearsalText(l))}`,
    '',
    '| host | connections a host | deliveries/s a host | hosts | bound by | why |',
    '|---|---:|---:|---:|---|---|',
    ...l.sizes.map((s) => `| ${md(hostText(s))} | ${fmtInt(s.connectionsPerHost)} (${s.connectionsBy}) | ${fmtInt(s.deliveriesPerHostPerS)} | **${fmtInt(s.hosts)}** | ${s.binding} | ${md(s.why)}${s.pastPorts ? `; ${md(pastPortsText(s))}` : ''} |`),
    '',
    md(artilleryText(l)),
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
