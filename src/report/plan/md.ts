import type { Plan } from '../../analyses/plan/plan-schema.ts';
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
  const out: string[] = [];
  out.push(`## fanout-bench plan: ${m.total} per ${md(m.period)}`, '');
  if (m.firstBreak) out.push(`**${md(`first to break: ${m.firstBreak.line}`)}**${m.firstBreak.moves ? `  \n${md(`what moves it: ${m.firstBreak.moves}`)}` : ''}`, '');
  const cards = m.firstBreak?.cards;
  // the scale it breaks at is in the line above; the traffic and the cost there, as the page's cards give them
  if (cards) out.push(`There: ${[cards.connections, cards.roomSize, cards.messagesPerS, cards.cost].map((c) => `${md(c.label.replace(/ there$/, ''))} ${md(c.value)}${c.sub ? ` ${md(c.sub)}` : ''}`).join(' · ')}`, '');
  out.push(
    m.traffic.map((f) => `${md(f.label)}: ${md(f.value)}`).join(' · '),
    `${md(m.prices)}; created ${md(m.createdAt)} by fanout-bench ${md(m.toolVersion)}`,
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

  out.push(...trafficSection(m), ...workSection(m), ...checkSection(m));
  if (m.notes.length > 0) out.push('', '### Notes', '', ...m.notes.map((n) => `- ${md(n)}`));
  return `${out.join('\n')}\n`;
}

/** The traffic's operations over the period priced, and the daily profile's hours. */
function trafficSection(m: PlanPageModel): string[] {
  const out = ['', `### Traffic over ${md(m.period)}`, '', `| ${m.trafficTotals.map((t) => md(t.label)).join(' | ')} |`, `|${m.trafficTotals.map(() => '---:|').join('')}`, `| ${m.trafficTotals.map((t) => t.value).join(' | ')} |`];
  const profile = m.profile;
  if (profile) {
    out.push('', `Daily profile (${md(profile.source)}): % of the peak by hour, UTC`, '', `| ${profile.hours.map((_, i) => i).join(' | ')} |`, `|${profile.hours.map(() => '---:|').join('')}`, `| ${profile.hours.join(' | ')} |`);
  }
  return out;
}

/** The work model: the runs, the functions with their sources, the fits, DynamoDB's units and the other figures. */
function workSection(m: PlanPageModel): string[] {
  const w = m.workModel;
  const out = ['', '### Work model', '', `What the measured runs did per operation (${w.counts}), each figure with its source and runs.`, ''];
  out.push('| run | measured on | CloudWatch | duration | room size | payload | file |', '|---|---|---|---:|---:|---:|---|');
  for (const r of w.runs) out.push(`| ${md(r.runId)} | ${r.measuredOn} | ${r.cloudwatch} | ${r.duration} | ${r.roomSize} | ${r.payload} | ${md(r.file)} |`);
  out.push('', '| function | per | invocations per | billed ms per | memory | p99 | source | measured on | runs |', '|---|---|---:|---:|---:|---:|---|---|---|');
  for (const f of w.functions) {
    out.push(`| ${md(f.name)} (${md(f.route)}${f.authorizer ? ', authorizer' : ''}) | ${f.per} | ${f.invocationsPer} | ${f.billedMsPer} ${f.billedMsPerUnit} | ${f.memory} | ${f.p99} | ${f.source} | ${f.measuredOn} | ${md(f.runs)} |`);
  }
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
  for (const u of w.units) out.push(`| ${u.operation} | ${u.read} | ${u.write} |`);
  out.push('', ...w.figures.map((f) => `- ${md(f)}`));
  return out;
}

/** A run planned at its own traffic: measured beside planned, with the difference (planned − measured). */
function checkSection(m: PlanPageModel): string[] {
  const k = m.check;
  if (!k) return [];
  const out = ['', `### Measured beside planned (${md(k.runId)})`, '', '| function | measured invocations | planned | difference |', '|---|---:|---:|---:|'];
  for (const i of k.invocations) out.push(`| ${md(i.name)} | ${i.measured} | ${i.planned} | ${i.difference} |`);
  out.push('', '| line | measured quantity | planned | difference | measured cost | planned | difference |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const l of k.lines) out.push(`| ${md(l.name)} | ${l.quantity.measured} | ${l.quantity.planned} | ${l.quantity.difference} | ${l.cost.measured} | ${l.cost.planned} | ${l.cost.difference} |`);
  out.push(`| **total** | | | | ${k.measured} | ${k.planned} | ${k.difference} |`);
  return out;
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
    out.push('### The first limit to break, by what grows', '', ...(m.growthIntro ? [md(m.growthIntro), ''] : []), '| grown | first to break | what moves it |', '|---|---|---|');
    for (const g of m.growth) out.push(`| ${g.axis} (1× = ${md(g.base)}) | ${md(g.line)} | ${md(g.moves ?? '')} |`);
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
