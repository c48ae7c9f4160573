import type { Results } from '../../contracts/results-schema.ts';
import { escapeHtml as h, escapeMarkdown as md } from '../shared/escape.ts';

/**
 * What ran the stack's functions, said the same on the console, in summary.md and in the report:
 * each runtime in use (environment.lambdaRuntimes) with its functions, what ran it here and
 * Lambda's deprecation line. Results from before the list have the one runtime the stack
 * emulated (environment.lambdaRuntime), said as it was.
 */
type RuntimeInUse = NonNullable<Results['environment']['lambdaRuntimes']>[number];
type EmulatedRuntime = NonNullable<Results['environment']['lambdaRuntime']>;

/** Functions named on the console before the rest are counted. */
const NAMED = 3;

function functionsText(names: readonly string[]): string {
  const shown = names.slice(0, NAMED).join(', ');
  return names.length > NAMED ? `${shown} and ${names.length - NAMED} more` : shown;
}

/** `nodejs16.x (ConnectFunction, SendFunction) on Node 20.20.2, not Node 16 as on Lambda: …` */
export function runtimeHead(x: RuntimeInUse): string {
  return `${x.runtime} (${functionsText(x.functions)}) on ${x.ranOn}${x.deprecated ? `; deprecated by Lambda on ${x.deprecated}` : ''}`;
}

/** The console's lines: one per runtime, its deprecation line under it. */
export function runtimeConsoleLines(r: Results): string[] {
  const list = r.environment.lambdaRuntimes;
  if (list) return list.flatMap((x) => [`  lambda       ${runtimeHead(x)}`, ...(x.deprecation ? [`               ${x.deprecation}`] : [])]);
  const lr = r.environment.lambdaRuntime;
  return [
    ...(lr && lr.nodeFunctions !== false ? [`  lambda       ${lr.runtime} on Node ${lr.node}${lr.matches ? '' : ' (not its Node: a fallback)'}`] : []),
    ...(lr?.others ?? []).map((o) => `  lambda       ${o}`),
  ];
}

/** summary.md's section, or nothing for results without the list. */
export function runtimeMarkdown(r: Results): string[] {
  const list = r.environment.lambdaRuntimes;
  if (!list || list.length === 0) return [];
  return [
    '### Lambda runtimes',
    '',
    '| runtime | functions | ran here on | Lambda |',
    '|---|---|---|---|',
    ...list.map((x) => `| ${md(x.runtime)} | ${x.functions.map(md).join(', ')} | ${x.matches ? md(x.ranOn) : `**${md(x.ranOn)}**`} | ${x.deprecation ? md(x.deprecation) : 'supported'} |`),
    '',
  ];
}

/** The report's cell: each runtime on a line of its own, what did not run on its own version marked, its deprecation beneath. */
export function runtimeHtmlCell(list: readonly RuntimeInUse[]): string {
  return list
    .map((x) => {
      const on = x.matches ? h(x.ranOn) : `<strong class="bad-text">${h(x.ranOn)}</strong>`;
      const deprecation = x.deprecation ? `<br><span class="note">${h(x.deprecation)}</span>` : '';
      return `<code>${h(x.runtime)}</code> (${x.functions.map(h).join(', ')}) on ${on}${deprecation}`;
    })
    .join('<br>');
}

/** The report's cell for results from before the list: "nodejs22.x on Node 22.23.3", or the fallback, marked, with its reason; then what ran the other runtimes. */
export function emulatedRuntimeHtmlCell(x: EmulatedRuntime): string {
  const text = `${h(x.runtime)} on Node ${h(x.node)}`;
  const node = x.matches ? text : `<strong class="bad-text">${text}</strong>${x.note ? ` (${h(x.note)})` : ''}`;
  return [...(x.nodeFunctions === false ? [] : [node]), ...(x.others ?? []).map(h)].join('<br>');
}
